package io.telemetrylake.appender.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Checks an {@code Authorization: Bearer <token>} header in constant time. Both sides are hashed
 * first, so neither the content nor the length of the token leaks through timing.
 */
final class BearerToken {
  private static final String PREFIX = "bearer ";
  private final byte[] expectedDigest;

  BearerToken(String token) {
    this.expectedDigest = sha256(token);
  }

  boolean matches(String authorizationHeader) {
    String presented = "";
    if (authorizationHeader != null
        && authorizationHeader.length() > PREFIX.length()
        && authorizationHeader.substring(0, PREFIX.length()).toLowerCase(Locale.ROOT).equals(PREFIX)) {
      presented = authorizationHeader.substring(PREFIX.length()).trim();
    }
    return MessageDigest.isEqual(expectedDigest, sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
