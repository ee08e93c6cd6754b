package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a real OpenTelemetry Java SDK exporter (protobuf, chunked) sends arrives whole, gzipped (the
 * SDK's own compression) or with zstd (a {@link ZstdSdkCompressor} plugged into the SDK).
 */
@ExtendWith(DevStackExtension.class)
class OtelSdkExportIT {

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "zstd"})
  void everyRecordEmittedThroughTheJavaSdkReachesKafka(String compression, DevStack stack) throws Exception {
    String topic = "sdk-" + UUID.randomUUID();
    IngesterIT helper = new IngesterIT(stack);
    helper.topic = topic;
    Ingester ingester =
        Ingester.start(IngesterConfig.from(new Settings(Map.of(
            "INGESTER_HOST", "127.0.0.1", "INGESTER_PORT", "0",
            "KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap(), "KAFKA_TOPIC", topic, "KAFKA_TOPIC_PARTITIONS", "3"))));
    try {
      await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
      OtlpHttpLogRecordExporter exporter = OtlpHttpLogRecordExporter.builder()
          .setEndpoint("http://127.0.0.1:" + ingester.port() + "/v1/logs")
          .setCompression(compression)
          .build();
      SdkLoggerProvider provider = SdkLoggerProvider.builder()
          .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "sdk-test")))
          .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).setMaxExportBatchSize(100).build())
          .build();
      Logger logger = provider.get("io.telemetrylake.it");
      int count = 1_000;
      for (int n = 0; n < count; n++) {
        logger.logRecordBuilder()
            .setSeverity(Severity.INFO)
            .setBody("sdk message " + n)
            .setAttribute(AttributeKey.longKey("n"), (long) n)
            .emit();
      }
      CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).isTrue();
      provider.shutdown().join(10, TimeUnit.SECONDS);

      Set<Long> seen = new HashSet<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        seen.clear();
        helper.consumeAll(Duration.ofMillis(500)).forEach(r -> {
          try {
            for (ResourceLogs rl : ExportLogsServiceRequest.parseFrom(r.value()).getResourceLogsList()) {
              assertThat(rl.getResource().getAttributesList())
                  .anySatisfy(kv -> assertThat(kv.getValue().getStringValue()).isEqualTo("sdk-test"));
              for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord lr : sl.getLogRecordsList()) {
                  seen.add(lr.getAttributes(0).getValue().getIntValue());
                }
              }
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
          }
        });
        return seen.size() == count;
      });
      assertThat(seen).hasSize(count);
    } finally {
      ingester.close();
    }
  }
}
