package io.telemetrylake.topic;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Reads a topic and its {@link TopicDurability} from the brokers (the ingester's and the appender's topics). */
public final class TopicDescriptions {
  private TopicDescriptions() {}

  /** The topic's description, or empty when it does not exist. */
  public static Optional<TopicDescription> describe(Admin admin, String topic, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return Optional.of(
          admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS).get(topic));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Replicas of the least replicated partition, and the topic's effective min.insync.replicas. */
  public static TopicDurability durability(Admin admin, TopicDescription description, long timeoutMs)
      throws InterruptedException, TimeoutException {
    int replicas =
        description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
    OptionalInt minIsr = OptionalInt.empty();
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, description.name());
    try {
      Config config =
          admin.describeConfigs(List.of(resource)).all().get(timeoutMs, TimeUnit.MILLISECONDS).get(resource);
      ConfigEntry entry = config == null ? null : config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      if (entry != null && entry.value() != null) {
        minIsr = OptionalInt.of(Integer.parseInt(entry.value()));
      }
    } catch (ExecutionException e) {
      // e.g. no DescribeConfigs permission: reported as unknown (TopicDurability#problems) rather
      // than failing start-up
    }
    return new TopicDurability(replicas, minIsr);
  }
}
