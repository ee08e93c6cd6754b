package io.telemetrylake.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * Decodes an OTLP/HTTP traces request body (already decompressed, see {@link RequestBodies}) in
 * either encoding. An empty body is a valid, empty request in both.
 */
public final class OtlpTracesDecoder {
  /**
   * How deep protobuf messages may nest: the same limit as for logs, from which the JSON decoder's
   * nesting bound is derived (see {@link OtlpJsonTracesReader#MAX_VALUE_DEPTH}).
   */
  public static final int PROTOBUF_RECURSION_LIMIT = OtlpProtobuf.RECURSION_LIMIT;

  private OtlpTracesDecoder() {}

  /**
   * Decodes a request body.
   *
   * @throws OtlpDecodeException MALFORMED, with a message that says what is wrong and where
   */
  public static ExportTraceServiceRequest decode(byte[] body, OtlpEncoding encoding)
      throws OtlpDecodeException {
    return switch (encoding) {
      case PROTOBUF -> OtlpProtobuf.parse(body, ExportTraceServiceRequest.parser());
      case JSON -> OtlpJsonTracesReader.read(body);
    };
  }
}
