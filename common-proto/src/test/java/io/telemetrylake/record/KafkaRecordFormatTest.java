package io.telemetrylake.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import io.telemetrylake.otlp.SampleRequests;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KafkaRecordFormatTest {

  @Test
  void decodesAValueWrittenByTheSplitter() throws Exception {
    ExportLogsServiceRequest rich = SampleRequests.rich();
    var first = rich.getResourceLogs(0);

    ExportLogsServiceRequest decoded = KafkaRecordFormat.decodeValue(KafkaRecordFormat.encodeValue(first));

    assertThat(decoded.getResourceLogsList()).containsExactly(first);
  }

  @Test
  void decodesCollectorValuesWithSeveralResources() throws Exception {
    // The Collector's Kafka exporter (otlp_proto) writes a whole plog.Logs batch as LogsData.
    ExportLogsServiceRequest rich = SampleRequests.rich();
    byte[] collectorValue =
        LogsData.newBuilder().addAllResourceLogs(rich.getResourceLogsList()).build().toByteArray();

    assertThat(KafkaRecordFormat.decodeValue(collectorValue)).isEqualTo(rich);
  }

  @Test
  void rejectsValueThatIsNotProtobuf() {
    OtlpDecodeException e =
        catchThrowableOfType(
            OtlpDecodeException.class, () -> KafkaRecordFormat.decodeValue("{\"a\":1}".getBytes()));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessageStartingWith("invalid Kafka record value (protobuf): ");
  }

  @Test
  void rejectsTruncatedValue() {
    byte[] value = KafkaRecordFormat.encodeValue(SampleRequests.rich().getResourceLogs(0));

    OtlpDecodeException e =
        catchThrowableOfType(
            OtlpDecodeException.class,
            () -> KafkaRecordFormat.decodeValue(Arrays.copyOf(value, value.length - 1)));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
  }
}
