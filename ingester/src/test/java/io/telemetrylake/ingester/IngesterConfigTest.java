package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import io.telemetrylake.ingester.kafka.Partitioning;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngesterConfigTest {

  @Test
  void hasDocumentedDefaults() {
    IngesterConfig config = IngesterConfig.from(new Settings(Map.of()));

    assertThat(config.port()).isEqualTo(4318);
    assertThat(config.topic()).isEqualTo("otel-logs");
    assertThat(config.topicPartitions()).isEqualTo(12);
    assertThat(config.maxBodyBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(config.compression()).isEqualTo("lz4");
    assertThat(config.produceTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(config.authTokens()).isEmpty();
    assertThat(config.maxThreads()).isEqualTo(64);
    assertThat(config.bodyDeadline()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.topicReplicationFactor()).isEqualTo((short) -1);
    assertThat(config.topicMinInsyncReplicas()).isEqualTo(-1);
    assertThat(config.requireDurableTopic()).isFalse();
    assertThat(config.partitioning()).isEqualTo(Partitioning.Mode.SPREAD);
  }

  @Test
  void partitioningIsResourceOrSpreadForBothTopics() {
    assertThat(IngesterConfig.from(new Settings(Map.of("INGESTER_PARTITIONING", "spread"))).partitioning())
        .isEqualTo(Partitioning.Mode.SPREAD);
    assertThat(IngesterConfig.from(new Settings(Map.of("INGESTER_PARTITIONING", "Resource"))).partitioning())
        .isEqualTo(Partitioning.Mode.RESOURCE);
    assertThat(IngesterConfig.from(new Settings(Map.of("INGESTER_PARTITIONING", "spread"))).toString())
        .contains("partitioning=spread");
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_PARTITIONING", "round-robin"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("INGESTER_PARTITIONING: must be one of resource, spread, got 'round-robin'");
  }

  @Test
  void minInsyncReplicasAboveTheReplicationFactorIsRefused() {
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(
            Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "2", "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "3"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("KAFKA_TOPIC_MIN_INSYNC_REPLICAS: must not exceed KAFKA_TOPIC_REPLICATION_FACTOR (2), got 3");
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "0"))))
        .hasMessageStartingWith("KAFKA_TOPIC_MIN_INSYNC_REPLICAS: must be -1");
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_REQUIRE_DURABLE_TOPIC", "yes please"))))
        .hasMessageStartingWith("INGESTER_REQUIRE_DURABLE_TOPIC:");
  }

  @Test
  void badSettingsNameTheVariable() {
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_PORT", "http"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("INGESTER_PORT:");
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_KAFKA_COMPRESSION", "brotli"))))
        .hasMessageStartingWith("INGESTER_KAFKA_COMPRESSION: must be one of");
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("KAFKA_TOPIC_PARTITIONS", "0"))))
        .hasMessageStartingWith("KAFKA_TOPIC_PARTITIONS:");
    // Jetty needs threads of its own besides the request threads.
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_MAX_THREADS", "4"))))
        .hasMessageStartingWith("INGESTER_MAX_THREADS:");
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_BODY_DEADLINE_SECONDS", "0"))))
        .hasMessageStartingWith("INGESTER_BODY_DEADLINE_SECONDS:");
  }

  @Test
  void metricsAuthIsOffByDefaultAndNeedsTheIngestTokens() {
    assertThat(IngesterConfig.from(new Settings(Map.of())).metricsAuth()).isFalse();
    assertThat(IngesterConfig.from(new Settings(Map.of("INGESTER_AUTH_TOKENS", "a-token", "INGESTER_METRICS_AUTH", "true")))
        .metricsAuth()).isTrue();
    assertThatThrownBy(() -> IngesterConfig.from(new Settings(Map.of("INGESTER_METRICS_AUTH", "true"))))
        .hasMessageStartingWith("INGESTER_METRICS_AUTH: is true but INGESTER_AUTH_TOKENS is not set");
  }

  @Test
  void neverShowsTokensOrPassThroughValues() {
    IngesterConfig config =
        IngesterConfig.from(
            new Settings(Map.of("INGESTER_AUTH_TOKENS", "s3cr3t-token", "KAFKA_CLIENT_SASL_JAAS_CONFIG", "password=hunter2")));

    assertThat(config.toString()).doesNotContain("s3cr3t-token").doesNotContain("hunter2").contains("sasl.jaas.config");
    assertThat(config.kafkaClientProperties()).containsEntry("sasl.jaas.config", "password=hunter2");
  }
}
