package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.AppenderConfig.DlqTopicSettings;
import io.telemetrylake.topic.TopicDescriptions;
import io.telemetrylake.topic.TopicDurability;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the dead-letter topic at start-up, like the ingester creates the logs topic, and warns
 * when it is not durable. The appender does it because it is the DLQ's only writer and the only
 * one that knows its name ({@code APPENDER_DLQ_TOPIC}); left to the broker's auto-creation it would
 * get the broker's defaults, or not exist at all when auto-creation is off.
 */
public final class DeadLetterTopic {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopic.class);

  private DeadLetterTopic() {}

  /**
   * @throws IllegalStateException when the topic is missing and may not be created
   * @throws ExecutionException when Kafka refuses or does not answer
   */
  public static void ensure(Admin admin, String topic, DlqTopicSettings settings, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    Optional<TopicDescription> existing = TopicDescriptions.describe(admin, topic, timeoutMs);
    if (existing.isEmpty()) {
      if (!settings.create()) {
        throw new IllegalStateException(
            "dead-letter topic " + topic + " (APPENDER_DLQ_TOPIC) does not exist and KAFKA_TOPIC_CREATE=false");
      }
      NewTopic newTopic =
          new NewTopic(
              topic,
              Optional.of(1),
              settings.replicationFactor() > 0 ? Optional.of(settings.replicationFactor()) : Optional.empty());
      if (settings.minInsyncReplicas() > 0) {
        newTopic.configs(
            Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInsyncReplicas())));
      }
      try {
        admin.createTopics(List.of(newTopic)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        LOG.info("created dead-letter topic {} ({})", topic, settings);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      existing = TopicDescriptions.describe(admin, topic, timeoutMs);
    }
    if (existing.isPresent()) {
      TopicDurability durability = TopicDescriptions.durability(admin, existing.get(), timeoutMs);
      if (!durability.isDurable()) {
        LOG.warn("dead-letter {}", durability.describe(topic));
      }
    }
  }

}
