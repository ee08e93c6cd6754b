package io.telemetrylake.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Whether a topic, as the brokers describe it, survives the loss of one broker without losing an
 * acknowledged record: at least {@value #MIN_DURABLE} replicas of every partition and {@code
 * min.insync.replicas} of at least {@value #MIN_DURABLE} (with acks=all, a write is then on two
 * brokers before it is acknowledged). A decision without I/O; the services describe the topic.
 *
 * @param replicationFactor the smallest replica count over the topic's partitions
 * @param minInsyncReplicas the topic's effective {@code min.insync.replicas}; empty when unknown
 *     (the broker did not say, e.g. no DescribeConfigs permission)
 */
public record TopicDurability(int replicationFactor, OptionalInt minInsyncReplicas) {
  public static final int MIN_DURABLE = 2;

  /** Empty when durable; otherwise one phrase per shortfall. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (replicationFactor < MIN_DURABLE) {
      problems.add("replication factor " + replicationFactor + " < " + MIN_DURABLE);
    }
    if (minInsyncReplicas.isEmpty()) {
      problems.add("min.insync.replicas unknown (the broker did not describe it)");
    } else if (minInsyncReplicas.getAsInt() < MIN_DURABLE) {
      problems.add("min.insync.replicas " + minInsyncReplicas.getAsInt() + " < " + MIN_DURABLE);
    }
    return problems;
  }

  public boolean isDurable() {
    return problems().isEmpty();
  }

  /** One line for the log: what is wrong and what it means. */
  public String describe(String topic) {
    return "topic " + topic + " is not durable (" + String.join(", ", problems())
        + "): losing one broker can lose acknowledged records or stop writes";
  }
}
