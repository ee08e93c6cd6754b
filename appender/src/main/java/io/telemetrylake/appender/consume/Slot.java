package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.stage.Batch;
import io.telemetrylake.appender.stage.StagingBuffer;
import java.util.Collection;
import java.util.List;

/**
 * One staging database and the Kafka ranges of the rows in it. The poll loop has two: it stages
 * into one while the other is flushed in the background.
 */
final class Slot {
  final StagingBuffer buffer;
  final Batch batch = new Batch();

  Slot(StagingBuffer buffer) {
    this.buffer = buffer;
  }

  boolean isEmpty() {
    return batch.isEmpty();
  }

  boolean holds(int partition) {
    return batch.partitions().containsKey(partition);
  }

  /** Forgets these partitions' rows (lost, revoked or fenced). */
  void drop(Collection<Integer> partitions) {
    List<Integer> staged = partitions.stream().filter(this::holds).toList();
    if (!staged.isEmpty()) {
      buffer.dropPartitions(staged);
      batch.remove(staged);
    }
  }
}
