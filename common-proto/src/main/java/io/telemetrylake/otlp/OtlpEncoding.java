package io.telemetrylake.otlp;

import java.util.Optional;

/** The two OTLP/HTTP body encodings, chosen by the request's {@code Content-Type}. */
public enum OtlpEncoding {
  PROTOBUF("application/x-protobuf"),
  JSON("application/json");

  // Cached so that the per-request lookup does not allocate.
  private static final Optional<OtlpEncoding> FOUND_PROTOBUF = Optional.of(PROTOBUF);
  private static final Optional<OtlpEncoding> FOUND_JSON = Optional.of(JSON);

  private final String contentType;

  OtlpEncoding(String contentType) {
    this.contentType = contentType;
  }

  /**
   * The encoding named by a {@code Content-Type} header value. The media type is compared
   * case-insensitively and parameters such as {@code ; charset=utf-8} are ignored; a null header
   * or any other media type gives an empty result (the caller answers 415).
   */
  public static Optional<OtlpEncoding> fromContentType(String header) {
    if (header == null) {
      return Optional.empty();
    }
    int semicolon = header.indexOf(';');
    String mediaType = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
    if (mediaType.equalsIgnoreCase(PROTOBUF.contentType)) {
      return FOUND_PROTOBUF;
    }
    if (mediaType.equalsIgnoreCase(JSON.contentType)) {
      return FOUND_JSON;
    }
    return Optional.empty();
  }

  /** The media type to send back in responses, e.g. {@code application/x-protobuf}. */
  public String contentType() {
    return contentType;
  }
}
