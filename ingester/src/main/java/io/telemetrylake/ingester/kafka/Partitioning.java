package io.telemetrylake.ingester.kafka;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.PartitionInfo;

/**
 * Which partition a request's Kafka records go to ({@code INGESTER_PARTITIONING}); one instance
 * per ingester, shared by the signals' topics. A plain object: the producer's partition metadata
 * comes in, a partition number goes out.
 *
 * <ul>
 *   <li>{@link Mode#RESOURCE}: none is chosen here; Kafka hashes the record key (the stable hash of
 *       the resource), so every record of one resource lands in one partition, in order, and is
 *       read by one appender.
 *   <li>{@link Mode#SPREAD}: all records of one request go to one partition (one produce batch,
 *       one leader to wait for), and successive requests to a topic take its partitions in turn,
 *       skipping those without a leader while any has one. The key is still the resource hash.
 * </ul>
 */
public final class Partitioning {
  /** The setting's values. */
  public enum Mode {
    RESOURCE,
    SPREAD;

    /** {@code resource}, {@code spread}: as the setting spells them. */
    public String settingValue() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Mode of(String settingValue) {
      return valueOf(settingValue.toUpperCase(Locale.ROOT));
    }
  }

  private final Mode mode;
  private final int start;
  private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

  /**
   * @param start where each topic's turn begins; ingesters started with different values do not
   *     all begin with partition 0
   */
  public Partitioning(Mode mode, int start) {
    this.mode = mode;
    this.start = start;
  }

  public Mode mode() {
    return mode;
  }

  /**
   * The partition for the next request's records to {@code topic}, or null to let Kafka choose from
   * the key. Thread-safe: requests of many threads each get their own turn.
   *
   * @param metadata the topic's partitions as the producer knows them (leader or not); asked
   *     only in spread mode
   */
  public Integer partitionFor(String topic, Supplier<List<PartitionInfo>> metadata) {
    if (mode == Mode.RESOURCE) {
      return null;
    }
    List<PartitionInfo> partitions = metadata.get();
    if (partitions.isEmpty()) {
      return null;
    }
    int turn = next.computeIfAbsent(topic, t -> new AtomicInteger(start)).getAndIncrement();
    int available = 0;
    for (PartitionInfo p : partitions) {
      if (p.leader() != null) {
        available++;
      }
    }
    if (available == 0) {
      // none has a leader now: any partition will do, Kafka waits for one up to the produce timeout
      return partitions.get(Math.floorMod(turn, partitions.size())).partition();
    }
    int wanted = Math.floorMod(turn, available);
    for (PartitionInfo p : partitions) {
      if (p.leader() != null && wanted-- == 0) {
        return p.partition();
      }
    }
    throw new AssertionError("unreachable: " + available + " partitions with a leader");
  }
}
