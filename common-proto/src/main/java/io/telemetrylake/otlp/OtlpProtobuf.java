package io.telemetrylake.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;

/** OTLP/protobuf request bodies, for every signal's decoder. */
final class OtlpProtobuf {
  /**
   * How deep protobuf messages may nest. This is protobuf-java's default, set explicitly because
   * the JSON decoders' nesting bounds are derived from it: whatever either encoding's decoder
   * accepts can be re-encoded and decoded again (see the readers' {@code MAX_VALUE_DEPTH}).
   */
  static final int RECURSION_LIMIT = 100;

  private OtlpProtobuf() {}

  /**
   * Parses straight from the array (no copy of the input), with a bounded recursion depth.
   *
   * @throws OtlpDecodeException MALFORMED, with protobuf's message
   */
  static <T extends MessageLite> T parse(byte[] bytes, Parser<T> parser)
      throws OtlpDecodeException {
    try {
      CodedInputStream input = CodedInputStream.newInstance(bytes);
      input.setRecursionLimit(RECURSION_LIMIT);
      T request = parser.parseFrom(input);
      // parseFrom(byte[]) does this check too: a stray end-group tag must not end the message.
      input.checkLastTagWas(0);
      return request;
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpDecodeException(
          Reason.MALFORMED, "invalid OTLP/protobuf request body: " + e.getMessage(), e);
    }
  }
}
