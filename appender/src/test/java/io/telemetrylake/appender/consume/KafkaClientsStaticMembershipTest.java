package io.telemetrylake.appender.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.AppenderConfig;
import io.telemetrylake.config.Settings;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaClientsStaticMembershipTest {

  private static Map<String, Object> consumer(Map<String, String> env) {
    return KafkaClients.consumerProperties(AppenderConfig.from(new Settings(env)));
  }

  @Test
  void theConsumerIsAStaticMemberNamedByTheInstanceId() {
    Map<String, Object> p = consumer(Map.of("APPENDER_INSTANCE_ID", "appender-0",
        // the instance id has one source only: a pass-through cannot replace it
        "KAFKA_CLIENT_GROUP_INSTANCE_ID", "other"));

    assertThat(p).containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "appender-0")
        .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "telemetry-lake-appender-appender-0");
  }

  @Test
  void sessionTimeoutHasTheDocumentedDefaultAndCanBeOverridden() {
    assertThat(consumer(Map.of()))
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000)
        .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    assertThat(consumer(Map.of("KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000",
        "KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000")))
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000")
        .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
  }

  @Test
  void aPollHandsOverAtMost32KafkaRecordsUnlessOverridden() {
    assertThat(consumer(Map.of())).containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 32);
    assertThat(consumer(Map.of("KAFKA_CLIENT_MAX_POLL_RECORDS", "500")))
        .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
  }
}
