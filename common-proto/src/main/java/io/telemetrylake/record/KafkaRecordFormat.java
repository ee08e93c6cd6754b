package io.telemetrylake.record;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import io.telemetrylake.otlp.OtlpLogsDecoder;

/**
 * The value format of the logs topic: a serialized {@code ExportLogsServiceRequest} (protobuf),
 * the same bytes the OpenTelemetry Collector's Kafka exporter writes with {@code encoding:
 * otlp_proto}. The ingester writes one {@code ResourceLogs} per value ({@link ResourceSplitter});
 * decoding accepts any number, so values written by a Collector can be read too. See README.md.
 */
public final class KafkaRecordFormat {
  private KafkaRecordFormat() {}

  /** The value of one resource's records, as the ingester writes it. */
  static byte[] encodeValue(ResourceLogs resourceLogs) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(resourceLogs)
        .build()
        .toByteArray();
  }

  /**
   * Decodes a record value.
   *
   * @throws OtlpDecodeException MALFORMED when the value is not a valid protobuf {@code
   *     ExportLogsServiceRequest} (including nesting deeper than the protobuf recursion limit)
   */
  public static ExportLogsServiceRequest decodeValue(byte[] value) throws OtlpDecodeException {
    try {
      CodedInputStream input = CodedInputStream.newInstance(value);
      // The same limit as for request bodies, so that everything the ingester accepted decodes.
      input.setRecursionLimit(OtlpLogsDecoder.PROTOBUF_RECURSION_LIMIT);
      ExportLogsServiceRequest request = ExportLogsServiceRequest.parser().parseFrom(input);
      input.checkLastTagWas(0);
      return request;
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpDecodeException(
          Reason.MALFORMED, "invalid Kafka record value (protobuf): " + e.getMessage(), e);
    }
  }
}
