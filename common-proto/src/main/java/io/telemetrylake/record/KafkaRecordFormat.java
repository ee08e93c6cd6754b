package io.telemetrylake.record;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import io.telemetrylake.otlp.OtlpLogsDecoder;

/**
 * The value format of the signal topics: a serialized export request (protobuf: {@code
 * ExportLogsServiceRequest} on the logs topic, {@code ExportTraceServiceRequest} on the traces
 * topic), the same bytes the OpenTelemetry Collector's Kafka exporter writes with {@code encoding:
 * otlp_proto}. The ingester writes one resource per value ({@link ResourceSplitter}); decoding
 * accepts any number, so values written by a Collector can be read too. See README.md.
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
    return decode(ExportLogsServiceRequest.parser(), value);
  }

  /** Decodes a value of the traces topic; see {@link #decodeValue(byte[])}. */
  public static ExportTraceServiceRequest decodeTracesValue(byte[] value) throws OtlpDecodeException {
    return decode(ExportTraceServiceRequest.parser(), value);
  }

  private static <Q extends Message> Q decode(Parser<Q> parser, byte[] value) throws OtlpDecodeException {
    try {
      CodedInputStream input = CodedInputStream.newInstance(value);
      // The same limit as for request bodies, so that everything the ingester accepted decodes.
      input.setRecursionLimit(OtlpLogsDecoder.PROTOBUF_RECURSION_LIMIT);
      Q request = parser.parseFrom(input);
      input.checkLastTagWas(0);
      return request;
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpDecodeException(
          Reason.MALFORMED, "invalid Kafka record value (protobuf): " + e.getMessage(), e);
    }
  }
}
