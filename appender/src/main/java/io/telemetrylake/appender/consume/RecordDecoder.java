package io.telemetrylake.appender.consume;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;

/** Decodes a Kafka record value into an OTLP request (common-proto's topic format). */
@FunctionalInterface
public interface RecordDecoder {
  ExportLogsServiceRequest decode(byte[] value) throws OtlpDecodeException;

  static RecordDecoder kafkaRecordFormat() {
    return KafkaRecordFormat::decodeValue;
  }
}
