package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both services create topics (the ingester the logs topic, the appender its DLQ topic) with the
 * same replication: durable by default against an external Kafka, 1 and 1 on bundled mode's single
 * broker, which could not place a second replica.
 */
final class TopicReplicationChartTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender"})
  void externalKafkaGetsThreeReplicasAndMinIsrTwoByDefault(String component) throws Exception {
    RenderedChart chart = RenderedChart.render();

    assertThat(env(chart, component))
        .containsEntry("KAFKA_TOPIC_REPLICATION_FACTOR", "3")
        .containsEntry("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender"})
  void bundledModesSingleBrokerKeepsOneAndOne(String component) throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "mode=bundled");

    assertThat(env(chart, component))
        .containsEntry("KAFKA_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "1");
  }

  @Test
  void durabilityIsRequiredOnlyWhenAskedFor() throws Exception {
    assertThat(env(RenderedChart.render(), "ingester")).containsEntry("INGESTER_REQUIRE_DURABLE_TOPIC", "false");
    assertThat(env(RenderedChart.render("--set", "ingester.settings.requireDurableTopic=true"), "ingester"))
        .containsEntry("INGESTER_REQUIRE_DURABLE_TOPIC", "true");
  }

  private static Map<String, String> env(RenderedChart chart, String component) {
    return chart.containerEnv(chart.workloadName(component), component);
  }
}
