package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpJsonEncoder;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.tools.send.LogGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pipeline as users run it: real Kafka, S3 and catalog, the ingester and the appender as
 * separate processes (or containers, with {@code -Pcontainers}), logs over HTTP, and the table read
 * back with Iceberg's own reader.
 */
@ExtendWith(E2eStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineIT {
  Lake lake;

  @BeforeAll
  void start(E2eStack stack) {
    lake = Lake.start(stack, "e2e", Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    lake.close();
  }

  @Test
  void everyRecordArrivesWithItsValuesInBothEncodingsWithAndWithoutGzip() throws Exception {
    LogGenerator generator = new LogGenerator("enc", 8, 7);
    Map<String, LogRow> expected = new HashMap<>();
    long seq = 0;
    for (OtlpEncoding encoding : OtlpEncoding.values()) {
      for (boolean gzip : new boolean[] {false, true}) {
        ExportLogsServiceRequest request = generator.request(seq, 250, 4, System.currentTimeMillis() * 1_000_000L);
        seq += 250;
        byte[] body = encoding == OtlpEncoding.PROTOBUF
            ? request.toByteArray()
            : OtlpJsonEncoder.encode(request, OtlpJsonEncoder.Style.OTLP);
        assertThat(lake.post(body, encoding, gzip).statusCode()).as("%s gzip=%s", encoding, gzip).isEqualTo(200);
        LogRowMapper.forEachRow(request, 0, row -> expected.put(row.logAttributes().get(LogGenerator.ID_ATTRIBUTE), row));
      }
    }

    Map<String, LogRow> actual = byId(rowsWithPrefix("enc-", expected.size()));

    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach((id, row) -> assertThat(actual.get(id)).as(id).isEqualTo(row));
    assertThat(actual.values()).extracting(LogRow::serviceName).doesNotContainNull().hasSizeGreaterThan(1);
  }

  @Test
  void everyRecordTheOpenTelemetryJavaSdkSendsArrives() throws Exception {
    OtlpHttpLogRecordExporter exporter = OtlpHttpLogRecordExporter.builder()
        .setEndpoint(lake.logsUri().toString()).setCompression("gzip").build();
    SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "sdk-e2e",
            AttributeKey.stringKey("host.name"), "sdk-host")))
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build())
        .build();
    Logger logger = provider.get("e2e");
    for (int n = 0; n < 300; n++) {
      logger.logRecordBuilder().setSeverity(Severity.WARN).setBody("sdk line " + n)
          .setAttribute(AttributeKey.stringKey(LogGenerator.ID_ATTRIBUTE), "sdk-" + n).emit();
    }
    assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);

    List<LogRow> rows = rowsWithPrefix("sdk-", 300);

    assertThat(rows).hasSize(300).allSatisfy(row -> {
      assertThat(row.serviceName()).isEqualTo("sdk-e2e");
      assertThat(row.hostName()).isEqualTo("sdk-host");
      assertThat(row.severityNumber()).isEqualTo(13);
      assertThat(row.scopeName()).isEqualTo("e2e");
      assertThat(row.body()).isEqualTo("sdk line " + row.logAttributes().get(LogGenerator.ID_ATTRIBUTE).substring(4));
    });
  }

  @Test
  void answersOperatorsOnStatsAndMetrics() throws Exception {
    assertThat(lake.get(lake.appenderUri(), "/stats").body())
        .contains("buffer_records").contains("buffer_size_bytes").contains("time_since_last_flush_seconds");
    assertThat(lake.get(lake.ingesterUri(), "/metrics").body()).contains("ingester_requests_total");
    assertThat(lake.get(lake.appenderUri(), "/metrics").statusCode()).isEqualTo(200);
    assertThat(lake.get(lake.ingesterUri(), "/readyz").statusCode()).isEqualTo(200);
    assertThat(lake.get(lake.appenderUri(), "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void secretsNeverAppearInLogsStatsOrMetrics() throws Exception {
    String secret = lake.stack.catalogProperties().get("s3.secret-access-key");
    lake.flush();
    StringBuilder everything = new StringBuilder();
    everything.append(lake.services.logs());
    everything.append(lake.get(lake.appenderUri(), "/stats").body());
    everything.append(lake.get(lake.appenderUri(), "/metrics").body());
    everything.append(lake.get(lake.appenderUri(), "/readyz").body());
    everything.append(lake.get(lake.ingesterUri(), "/metrics").body());

    assertThat(everything.toString()).contains("flush").doesNotContain(secret);
  }

  /** Rows whose lake.id starts with the prefix, once the table holds at least {@code count} of them. */
  private List<LogRow> rowsWithPrefix(String prefix, int count) {
    List<LogRow> matching = new ArrayList<>();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
        .pollInterval(java.time.Duration.ofSeconds(1)).until(() -> {
          lake.flush();
          matching.clear();
          for (LogRow row : lake.rows()) {
            String id = row.logAttributes().get(LogGenerator.ID_ATTRIBUTE);
            if (id != null && id.startsWith(prefix)) {
              matching.add(row);
            }
          }
          return matching.size() >= count;
        });
    return matching;
  }

  private static Map<String, LogRow> byId(List<LogRow> rows) {
    Map<String, LogRow> out = rows.stream().collect(Collectors.toMap(
        r -> r.logAttributes().get(LogGenerator.ID_ATTRIBUTE), Function.identity(), (a, b) -> {
          throw new AssertionError("duplicate row " + a.logAttributes().get(LogGenerator.ID_ATTRIBUTE));
        }));
    return out;
  }
}
