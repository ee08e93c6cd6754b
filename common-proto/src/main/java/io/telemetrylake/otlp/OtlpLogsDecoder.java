package io.telemetrylake.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;

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
  public static final int PROTOBUF_RECURSION_LIMIT = 100;

  private OtlpLogsDecoder() {}

  /**
   * Decodes a request body.
   *
   * @throws OtlpDecodeException MALFORMED, with a message that says what is wrong and where
   */
  public static ExportLogsServiceRequest decode(byte[] body, OtlpEncoding encoding)
      throws OtlpDecodeException {
    switch (encoding) {
      case PROTOBUF:
        return parseProtobuf(body, "invalid OTLP/protobuf request body: ");
      case JSON:
        return OtlpJsonLogsReader.read(body);
      default:
        throw new IllegalArgumentException("unknown encoding " + encoding);
    }
  }

  // Straight from the array (no copy of the input), with a bounded recursion depth.
  private static ExportLogsServiceRequest parseProtobuf(byte[] bytes, String errorPrefix)
      throws OtlpDecodeException {
    try {
      CodedInputStream input = CodedInputStream.newInstance(bytes);
      input.setRecursionLimit(PROTOBUF_RECURSION_LIMIT);
      ExportLogsServiceRequest request = ExportLogsServiceRequest.parser().parseFrom(input);
      // parseFrom(byte[]) does this check too: a stray end-group tag must not end the message.
      input.checkLastTagWas(0);
      return request;
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpDecodeException(Reason.MALFORMED, errorPrefix + e.getMessage(), e);
    }
  }
}
