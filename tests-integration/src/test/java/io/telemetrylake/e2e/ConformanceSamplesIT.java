package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.samples.OtlpSamples;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every OTLP/JSON conformance sample of the OpenTelemetry project lands in the table, value for value. */
@ExtendWith(E2eStackExtension.class)
class ConformanceSamplesIT {
  /** Stands for "no time in the record": the appender then uses the time Kafka took it. */
  private static final long NO_TIME = -1;

  @Test
  void everyValidSampleLandsInTheTableWithTheRightValues(E2eStack stack) throws Exception {
    long startMicros = System.currentTimeMillis() * 1000 - 1_000_000;
    List<LogRow> expected = new ArrayList<>();
    try (Lake lake = Lake.start(stack, "samples", Map.of())) {
      for (OtlpSamples.Sample sample : OtlpSamples.valid()) {
        assertThat(lake.post(sample.bytes(), OtlpEncoding.JSON, true).statusCode()).as(sample.name()).isEqualTo(200);
        expected.addAll(LogRowMapper.toRows(sample.decoded(), NO_TIME));
      }
      for (OtlpSamples.Sample sample : OtlpSamples.invalid()) {
        assertThat(lake.post(sample.bytes(), OtlpEncoding.JSON, false).statusCode()).as(sample.name()).isEqualTo(400);
      }

      List<LogRow> actual = lake.awaitRows(expected.size());
      long endMicros = System.currentTimeMillis() * 1000 + 1_000_000;
      List<LogRow> normalized = new ArrayList<>();
      for (LogRow row : actual) {
        boolean ingestTime = row.timestampMicros() >= startMicros && row.timestampMicros() <= endMicros;
        normalized.add(ingestTime ? withTimestamp(row, NO_TIME) : row);
      }

      assertThat(expected).isNotEmpty();
      assertThat(sorted(normalized)).containsExactlyElementsOf(sorted(expected));
    }
  }

  private static List<LogRow> sorted(List<LogRow> rows) {
    List<LogRow> copy = new ArrayList<>(rows);
    // Maps print in hash order, which may differ between equal maps: sort by a canonical key.
    copy.sort(Comparator.comparing(ConformanceSamplesIT::canonical));
    return copy;
  }

  private static String canonical(LogRow r) {
    return String.join("|", String.valueOf(r.timestampMicros()), String.valueOf(r.observedTimestampMicros()),
        String.valueOf(r.severityNumber()), r.severityText(), r.body(), r.traceId(), r.spanId(),
        String.valueOf(r.traceFlags()), r.eventName(), r.serviceName(), r.deploymentEnvironment(), r.hostName(),
        new TreeMap<>(r.resourceAttributes()).toString(), new TreeMap<>(r.scopeAttributes()).toString(),
        new TreeMap<>(r.logAttributes()).toString(), r.scopeName(), r.scopeVersion(), r.resourceSchemaUrl(),
        r.scopeSchemaUrl(), String.valueOf(r.droppedAttributesCount()));
  }

  private static LogRow withTimestamp(LogRow r, long micros) {
    return new LogRow(micros, r.observedTimestampMicros(), r.severityNumber(), r.severityText(), r.body(), r.traceId(),
        r.spanId(), r.traceFlags(), r.eventName(), r.serviceName(), r.deploymentEnvironment(), r.hostName(),
        r.resourceAttributes(), r.scopeAttributes(), r.logAttributes(), r.scopeName(), r.scopeVersion(),
        r.resourceSchemaUrl(), r.scopeSchemaUrl(), r.droppedAttributesCount());
  }
}
