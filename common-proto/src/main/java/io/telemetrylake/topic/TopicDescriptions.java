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
import org.apache.kafka.common.errors.RetriableException;
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

  /** How long to wait between reads of a topic's configs that a broker could not answer yet. */
  static final long RETRY_BACKOFF_MS = 100;

  /**
   * Replicas of the least replicated partition, and the topic's effective min.insync.replicas.
   * Right after a topic is created, the broker asked for its configs may not know it yet (a
   * retriable error): that is asked again until {@code timeoutMs}, not reported as unknown.
   */
  public static TopicDurability durability(Admin admin, TopicDescription description, long timeoutMs)
      throws InterruptedException, TimeoutException {
    int replicas =
        description.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, description.name());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (true) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      try {
        Config config =
            admin.describeConfigs(List.of(resource)).all().get(left, TimeUnit.MILLISECONDS).get(resource);
        ConfigEntry entry = config == null ? null : config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        OptionalInt minIsr =
            entry != null && entry.value() != null
                ? OptionalInt.of(Integer.parseInt(entry.value()))
                : OptionalInt.empty();
        return new TopicDurability(replicas, minIsr);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException)
            || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_BACKOFF_MS) - deadline > 0) {
          // e.g. no DescribeConfigs permission: reported as unknown (TopicDurability#problems)
          // rather than failing start-up
          return new TopicDurability(replicas, OptionalInt.empty());
        }
        Thread.sleep(RETRY_BACKOFF_MS);
      }
    }
  }
}
