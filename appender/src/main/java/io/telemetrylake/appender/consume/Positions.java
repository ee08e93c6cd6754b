package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.iceberg.Fence;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.iceberg.RecordedOffsets;
import io.telemetrylake.appender.status.AppenderStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assigned partitions, where the consumer reads them from, and what this appender believes the
 * table records for each (the value the exactly-once {@link Fence} compares with). Seeks on
 * assignment (table offsets; fallback: the group's committed offsets, then earliest) and after a
 * fence. Poll-loop thread only.
 */
final class Positions {
  private static final Logger LOG = LoggerFactory.getLogger(Positions.class);
  private static final Duration RETRY = Duration.ofSeconds(2);

  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final BatchCommitter committer;
  private final AppenderStatus status;
  private final Clock clock;

  private final Set<Integer> assigned = new TreeSet<>();
  /** Per assigned partition, the next offset the table records; absent: nothing recorded. */
  private final Map<Integer, Long> tableOffsets = new HashMap<>();
  /** Assigned, but the table could not be read yet: paused until positioned. */
  private final Set<Integer> unpositioned = new TreeSet<>();
  private Instant nextAttempt = Instant.MIN;

  Positions(
      String topic,
      Consumer<byte[], byte[]> consumer,
      BatchCommitter committer,
      AppenderStatus status,
      Clock clock) {
    this.topic = topic;
    this.consumer = consumer;
    this.committer = committer;
    this.status = status;
    this.clock = clock;
  }

  Set<Integer> assigned() {
    return Collections.unmodifiableSet(assigned);
  }

  /** Records of this partition may be staged: it is ours and positioned. */
  boolean accepts(int partition) {
    return assigned.contains(partition) && !unpositioned.contains(partition);
  }

  boolean isPositioned(int partition) {
    return !unpositioned.contains(partition);
  }

  Long tableOffset(int partition) {
    return tableOffsets.get(partition);
  }

  /** What the table should record for these partitions (absent: nothing yet). */
  Map<Integer, Long> expected(Collection<Integer> partitions) {
    Map<Integer, Long> out = new HashMap<>();
    for (Integer p : partitions) {
      if (tableOffsets.containsKey(p)) {
        out.put(p, tableOffsets.get(p));
      }
    }
    return out;
  }

  /** This appender's commit made the table record these offsets. */
  void committed(Map<Integer, Long> offsets) {
    tableOffsets.putAll(offsets);
  }

  void assign(Collection<Integer> partitions) {
    assigned.addAll(partitions);
    position(partitions);
  }

  /** Revoked or lost: forget everything about them. */
  void forget(Collection<Integer> partitions) {
    for (Integer p : partitions) {
      tableOffsets.remove(p);
      assigned.remove(p);
      unpositioned.remove(p);
    }
    status.partitionsWithoutPosition(unpositioned.size());
  }

  void clear() {
    forget(new ArrayList<>(assigned));
  }

  void retryUnpositioned() {
    if (!unpositioned.isEmpty() && !clock.instant().isBefore(nextAttempt)) {
      position(new ArrayList<>(unpositioned));
    }
  }

  /** Another appender committed these partitions: resume them from what the table records. */
  void fenced(List<Fence.Moved> moved) {
    List<Integer> noRecord = new ArrayList<>();
    for (Fence.Moved m : moved) {
      if (!assigned.contains(m.partition())) {
        tableOffsets.remove(m.partition());
      } else if (m.recorded() != null) {
        tableOffsets.put(m.partition(), m.recorded());
        consumer.seek(new TopicPartition(topic, m.partition()), m.recorded());
      } else {
        tableOffsets.remove(m.partition());
        noRecord.add(m.partition());
      }
    }
    if (!noRecord.isEmpty()) {
      fromGroup(noRecord, new TreeMap<>());
    }
  }

  /** Seeks partitions to the table's offsets (fallback: group offsets, then earliest). */
  private void position(Collection<Integer> partitions) {
    RecordedOffsets recorded;
    try {
      recorded = committer.recordedOffsets();
    } catch (RuntimeException e) {
      if (LoopErrors.isFatal(e)) {
        throw e;
      }
      unpositioned.addAll(partitions);
      // pause at once (we may be inside poll(), which would fetch them from the group's offsets)
      consumer.pause(partitions.stream().map(p -> new TopicPartition(topic, p)).toList());
      status.partitionsWithoutPosition(unpositioned.size());
      nextAttempt = clock.instant().plus(RETRY);
      LOG.warn(
          "cannot read offsets from the table for partitions {} (paused until it works): {}",
          partitions, PollLoop.describe(e));
      return;
    }
    Map<Integer, Long> fromTable = new TreeMap<>();
    List<Integer> missing = new ArrayList<>();
    for (Integer p : partitions) {
      Long offset = recorded.offsets().get(p);
      if (offset != null) {
        consumer.seek(new TopicPartition(topic, p), offset);
        tableOffsets.put(p, offset);
        fromTable.put(p, offset);
      } else {
        tableOffsets.remove(p);
        missing.add(p);
      }
    }
    Map<Integer, Long> fromGroup = new TreeMap<>();
    if (!missing.isEmpty()) {
      fromGroup(missing, fromGroup);
    }
    unpositioned.removeAll(partitions);
    status.partitionsWithoutPosition(unpositioned.size());
    LOG.info(
        "positioned partitions {}: from the table ({}) {}, from the group {}, earliest {}",
        partitions, recorded.source(), fromTable, fromGroup,
        missing.stream().filter(p -> !fromGroup.containsKey(p)).toList());
  }

  private void fromGroup(List<Integer> partitions, Map<Integer, Long> found) {
    Set<TopicPartition> tps =
        partitions.stream().map(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(tps);
    List<TopicPartition> earliest = new ArrayList<>();
    for (TopicPartition tp : tps) {
      OffsetAndMetadata om = committed.get(tp);
      if (om != null) {
        consumer.seek(tp, om.offset());
        found.put(tp.partition(), om.offset());
      } else {
        earliest.add(tp);
      }
    }
    if (!earliest.isEmpty()) {
      consumer.seekToBeginning(earliest);
    }
  }
}
