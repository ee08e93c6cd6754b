package io.telemetrylake.otlp;

/**
 * A request body (or a Kafka record value) that cannot be turned into an OTLP request. The reason
 * maps to the HTTP status the client gets; the message says what was wrong and where, and is meant
 * to be returned to the client as is.
 */
public final class OtlpDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why decoding failed, each with the HTTP status it maps to. */
  public enum Reason {
    /** The body is not valid OTLP: 400 Bad Request (clients do not retry). */
    MALFORMED,
    /** The body, or its decompressed form, exceeds the limit: 413 Content Too Large. */
    TOO_LARGE,
    /** The {@code Content-Encoding} is neither gzip nor identity: 415 Unsupported Media Type. */
    UNSUPPORTED_CONTENT_ENCODING
  }

  private final Reason reason;

  public OtlpDecodeException(Reason reason, String message) {
    this(reason, message, null);
  }

  public OtlpDecodeException(Reason reason, String message, Throwable cause) {
    // No stack trace: these are client errors, raised for every bad request, and the message (plus
    // the cause, when there is one) already says everything a stack trace would.
    super(message, cause, false, false);
    if (reason == null) {
      throw new NullPointerException("reason");
    }
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
