package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traces, the second signal: the ingester always writes POST /v1/traces to the traces topic; the
 * appenders consume the signals of appender.signals (logs and traces by default) and write the
 * traces table; lake maintenance maintains the tables of the same signals. Topic settings other
 * than the name are shared by both topics, and each signal stages up to maxStagedMb.
 */
final class TracesSignalChartTest {
  private static final String INGESTER = RenderedChart.RELEASE + "-telemetry-lake-ingester";
  private static final String APPENDER = RenderedChart.RELEASE + "-telemetry-lake-appender";
  private static final String MAINTENANCE = RenderedChart.RELEASE + "-telemetry-lake-maintenance";

  @ParameterizedTest(name = "{0} mode")
  @ValueSource(strings = {"external", "bundled"})
  void everyWorkloadGetsItsTracesSettingsByDefault(String mode) throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "mode=" + mode);
    Map<String, String> ingester = chart.containerEnv(INGESTER, "ingester");
    Map<String, String> appender = chart.containerEnv(APPENDER, "appender");
    Map<String, String> maintenance = chart.containerEnv(MAINTENANCE, "maintenance");

    assertThat(ingester).containsEntry("KAFKA_TOPIC", "otel-logs")
        .containsEntry("KAFKA_TRACES_TOPIC", "otel-traces")
        .as("the ingester serves /v1/traces whatever the appenders consume")
        .doesNotContainKeys("SIGNALS", "ICEBERG_TRACES_TABLE");
    assertThat(appender).containsEntry("SIGNALS", "logs,traces")
        .containsEntry("KAFKA_TOPIC", "otel-logs")
        .containsEntry("KAFKA_TRACES_TOPIC", "otel-traces")
        .containsEntry("ICEBERG_TABLE", "logs")
        .containsEntry("ICEBERG_TRACES_TABLE", "traces")
        .as("empty tracesDlqTopic: the appender's default, <traces topic>-dlq")
        .doesNotContainKey("APPENDER_TRACES_DLQ_TOPIC");
    assertThat(maintenance).containsEntry("SIGNALS", "logs,traces")
        .containsEntry("ICEBERG_TABLE", "logs")
        .containsEntry("ICEBERG_TRACES_TABLE", "traces")
        .as("the maintainer reads no topic").doesNotContainKeys("KAFKA_TOPIC", "KAFKA_TRACES_TOPIC");
    // one set of topic settings for both topics: the same in both services
    for (String shared : new String[] {"KAFKA_TOPIC_REPLICATION_FACTOR", "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "KAFKA_TOPIC_CREATE"}) {
      assertThat(appender.get(shared)).as(shared).isNotNull().isEqualTo(ingester.get(shared));
    }
  }

  @ParameterizedTest(name = "{0} mode")
  @ValueSource(strings = {"external", "bundled"})
  void theTracesTopicNameReachesTheIngesterAndTheAppender(String mode) throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "mode=" + mode, "--set", "kafka.topic.tracesName=acme-spans");

    for (String component : new String[] {"ingester", "appender"}) {
      assertThat(chart.containerEnv(chart.workloadName(component), component)).as(component)
          .containsEntry("KAFKA_TRACES_TOPIC", "acme-spans")
          .containsEntry("KAFKA_TOPIC", "otel-logs");
    }
  }

  @Test
  void signalsChooseWhatTheAppendersConsumeAndWhatIsMaintained() throws Exception {
    RenderedChart tracesOnly = RenderedChart.render("--set", "appender.signals=traces");
    RenderedChart both = RenderedChart.render("--set", "appender.signals=traces\\,logs");

    assertThat(tracesOnly.containerEnv(APPENDER, "appender")).containsEntry("SIGNALS", "traces");
    assertThat(tracesOnly.containerEnv(MAINTENANCE, "maintenance")).containsEntry("SIGNALS", "traces");
    assertThat(tracesOnly.containerEnv(INGESTER, "ingester")).as("the ingester still takes both signals")
        .containsEntry("KAFKA_TOPIC", "otel-logs").containsEntry("KAFKA_TRACES_TOPIC", "otel-traces");
    assertThat(both.containerEnv(APPENDER, "appender")).containsEntry("SIGNALS", "traces,logs");
    assertThat(both.containerEnv(MAINTENANCE, "maintenance")).containsEntry("SIGNALS", "traces,logs");
  }

  @Test
  void theTracesTableAndDlqTopicCanBeNamed() throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "iceberg.tracesTable=spans",
        "--set", "appender.settings.tracesDlqTopic=spans-undecodable");

    assertThat(chart.containerEnv(APPENDER, "appender")).containsEntry("ICEBERG_TRACES_TABLE", "spans")
        .containsEntry("APPENDER_TRACES_DLQ_TOPIC", "spans-undecodable")
        .doesNotContainKey("APPENDER_DLQ_TOPIC");
    assertThat(chart.containerEnv(MAINTENANCE, "maintenance")).containsEntry("ICEBERG_TRACES_TABLE", "spans")
        .doesNotContainKey("APPENDER_TRACES_DLQ_TOPIC");
  }

  /** Each signal stages up to maxStagedMb: the default emptyDir holds twice that per signal, plus 1Gi. */
  @Test
  void theDefaultStagingVolumeGrowsWithTheSignals() throws Exception {
    assertThat(stagingSizeLimit(RenderedChart.render())).isEqualTo("2624Mi");
    assertThat(stagingSizeLimit(RenderedChart.render("--set", "appender.signals=logs"))).isEqualTo("1824Mi");
    assertThat(stagingSizeLimit(RenderedChart.render("--set", "appender.signals=logs\\,logs")))
        .as("a signal named twice is still one signal").isEqualTo("1824Mi");
  }

  @Test
  void aTracesSettingRollsTheServicesThatReadIt() throws Exception {
    RenderedChart before = RenderedChart.render();
    RenderedChart after = RenderedChart.render("--set", "kafka.topic.tracesName=acme-spans");

    assertThat(checksum(after, "Deployment", INGESTER)).isNotEqualTo(checksum(before, "Deployment", INGESTER));
    assertThat(checksum(after, "StatefulSet", APPENDER)).isNotEqualTo(checksum(before, "StatefulSet", APPENDER));
  }

  private static String stagingSizeLimit(RenderedChart chart) {
    for (JsonNode v : RenderedChart.podSpec(chart.find("StatefulSet", APPENDER)).path("volumes")) {
      if ("staging".equals(v.path("name").asText())) {
        return v.path("emptyDir").path("sizeLimit").asText();
      }
    }
    throw new AssertionError("no staging volume in " + APPENDER);
  }

  private static String checksum(RenderedChart chart, String kind, String name) {
    return chart.find(kind, name).path("spec").path("template").path("metadata").path("annotations")
        .path("checksum/config").asText();
  }
}
