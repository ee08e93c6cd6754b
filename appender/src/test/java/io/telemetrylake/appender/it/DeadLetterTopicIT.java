package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.appender.Appender;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The appender creates its dead-letter topic at start-up, before any poison record needs it. */
@ExtendWith(DevStackExtension.class)
class DeadLetterTopicIT {

  @Test
  void theDeadLetterTopicExistsOnceTheAppenderHasStarted(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "dlq-created", 2);
        Admin admin = admin(stack);
        Appender appender = Appender.start(lake.config("a", "KAFKA_TOPIC_REPLICATION_FACTOR", "1",
            "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "1"))) {
      String dlq = lake.topic() + "-dlq";

      TopicDescription d = admin.describeTopics(List.of(dlq)).allTopicNames().get(30, TimeUnit.SECONDS).get(dlq);
      assertThat(d.partitions()).hasSize(1);
      assertThat(d.partitions().get(0).replicas()).hasSize(1);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, dlq);
      ConfigEntry minIsr = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
          .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
      assertThat(minIsr.value()).isEqualTo("1");
    }
  }

  @Test
  void aMissingDeadLetterTopicThatMayNotBeCreatedStopsStartUpNamingTheSettings(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "dlq-missing", 1)) {
      assertThatThrownBy(() -> Appender.start(lake.config("a", "KAFKA_TOPIC_CREATE", "false")).close())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("dead-letter topic " + lake.topic() + "-dlq (APPENDER_DLQ_TOPIC) does not exist and"
              + " KAFKA_TOPIC_CREATE=false");
    }
  }

  private static Admin admin(DevStack stack) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()));
  }
}
