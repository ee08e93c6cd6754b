package io.telemetrylake.appender.status;

import java.util.regex.Pattern;

/**
 * Best-effort masking of secrets in exception messages before they are logged: the log keeps
 * the detail operators need, minus URL credentials, query strings, {@code key=secret} pairs and
 * AWS access key ids. What the HTTP pages show is built without messages ({@link FailureReason}).
 */
public final class LogRedaction {
  private static final Pattern URL_USERINFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s@]+@");
  private static final Pattern URL_QUERY = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^\\s?#]*)[?#][^\\s\"']*");
  private static final Pattern SECRET_PAIR =
      Pattern.compile(
          "(?i)\\b([\\w.-]*(?:secret|password|passwd|pwd|token|credential|signature|apikey|api-key|api_key|access[-_.]?key)[\\w.-]*)"
              + "(\\s*[=:]\\s*)[^\\s&,;)\"']+");
  private static final Pattern AWS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\\b");

  private LogRedaction() {}

  public static String redact(String message) {
    if (message == null) {
      return null;
    }
    String out = URL_USERINFO.matcher(message).replaceAll("$1***@");
    out = URL_QUERY.matcher(out).replaceAll("$1?***");
    out = SECRET_PAIR.matcher(out).replaceAll("$1$2***");
    return AWS_KEY_ID.matcher(out).replaceAll("***");
  }
}
