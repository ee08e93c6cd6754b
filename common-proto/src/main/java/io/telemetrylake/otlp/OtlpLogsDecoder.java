package io.telemetrylake.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

/**
 * Decodes an OTLP/HTTP logs request body (already decompressed, see {@link RequestBodies}) in
 * either encoding. An empty body is a valid, empty request in both.
 */
public final class OtlpLogsDecoder {
  /**
   * How deep protobuf messages may nest. This is protobuf-java's default, set explicitly because
   * the JSON decoder's nesting bound is derived from it: whatever either decoder accepts can be
   * re-encoded and decoded again from Kafka (see {@link OtlpJsonLogsReader#MAX_VALUE_DEPTH}).
   */
  public static final int PROTOBUF_RECURSION_LIMIT = OtlpProtobuf.RECURSION_LIMIT;

  private OtlpLogsDecoder() {}

  /**
   * Decodes a request body.
   *
   * @throws OtlpDecodeException MALFORMED, with a message that says what is wrong and where
   */
  public static ExportLogsServiceRequest decode(byte[] body, OtlpEncoding encoding)
      throws OtlpDecodeException {
    return switch (encoding) {
      case PROTOBUF -> OtlpProtobuf.parse(body, ExportLogsServiceRequest.parser());
      case JSON -> OtlpJsonLogsReader.read(body);
    };
  }
}
