package io.telemetrylake.topic;

import java.util.List;
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

/** Reads a topic's {@link TopicDurability} from the brokers (the ingester's and the appender's topics). */
public final class TopicDescriptions {
  private TopicDescriptions() {}

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
