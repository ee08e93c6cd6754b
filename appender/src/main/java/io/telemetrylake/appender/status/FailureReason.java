package io.telemetrylake.appender.status;

import io.telemetrylake.appender.iceberg.CommitUnknownException;
import io.telemetrylake.appender.stage.StagingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Why a flush failed, as /stats, /readyz and POST /flush show it: a fixed category, the exception
 * classes of the cause chain and, for S3, the service's error code and HTTP status.
 *
 * <p>No exception message is ever copied. Messages carry whatever the servers and clients put
 * there (URLs with {@code user:password@}, signed query strings, keys); class names and a
 * validated error code cannot, so nothing secret can reach these pages whatever a library writes.
 * Details for operators stay in the (redacted) log.
 */
public final class FailureReason {
  private static final int MAX_CAUSES = 4;
  /** S3 error codes are CamelCase words ("NoSuchBucket"); anything else is dropped. */
  private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z][A-Za-z0-9.]{0,63}");

  private FailureReason() {}

  /** E.g. {@code S3 request failed (UncheckedIOException <- S3Exception; S3 NoSuchBucket, HTTP 404)}. */
  public static String of(Throwable failure) {
    List<Throwable> chain = chain(failure);
    List<String> classes = new ArrayList<>();
    for (Throwable t : chain) {
      classes.add(simpleName(t));
    }
    String detail = String.join(" <- ", classes);
    for (Throwable t : chain) {
      if (t instanceof AwsServiceException aws) {
        detail += "; S3" + errorCode(aws) + ", HTTP " + aws.statusCode();
        break;
      }
    }
    return category(chain) + " (" + detail + ")";
  }

  private static String category(List<Throwable> chain) {
    for (Throwable t : chain) {
      if (t instanceof CommitUnknownException) {
        return "catalog commit outcome unknown";
      }
    }
    for (Throwable t : chain) {
      if (t instanceof SdkException) {
        return "S3 request failed";
      }
      if (t.getClass().getName().startsWith("org.apache.iceberg.exceptions.")
          || t.getClass().getName().startsWith("org.apache.iceberg.rest.")) {
        return "catalog request failed";
      }
      if (t instanceof StagingException || t instanceof java.sql.SQLException) {
        return "local staging failed";
      }
    }
    for (Throwable t : chain) {
      if (t instanceof IOException || t instanceof java.io.UncheckedIOException) {
        return "I/O failed";
      }
    }
    return "flush failed";
  }

  private static String errorCode(AwsServiceException aws) {
    String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
    return code != null && ERROR_CODE.matcher(code).matches() ? " " + code : "";
  }

  private static List<Throwable> chain(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = failure; c != null && seen.add(c) && chain.size() < MAX_CAUSES; c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }

  /** Anonymous and local classes have no simple name: their enclosing class stands in. */
  private static String simpleName(Throwable t) {
    Class<?> c = t.getClass();
    while (c.getSimpleName().isEmpty() && c.getSuperclass() != null) {
      c = c.getSuperclass();
    }
    return c.getSimpleName();
  }
}
