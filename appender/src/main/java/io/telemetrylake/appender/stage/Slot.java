package io.telemetrylake.appender.stage;

import java.util.Collection;
import java.util.List;

/**
 * One staged batch: a staging database and the Kafka ranges of the rows in it. The flush cycle
 * has two: records are staged into one while the other is flushed in the background.
 */
public final class Slot {
  private final StagingBuffer buffer;
  private final Batch batch = new Batch();

  public Slot(StagingBuffer buffer) {
    this.buffer = buffer;
  }

  public StagingBuffer buffer() {
    return buffer;
  }

  public Batch batch() {
    return batch;
  }

  public boolean isEmpty() {
    return batch.isEmpty();
  }

  public boolean holds(int partition) {
    return batch.partitions().containsKey(partition);
  }

  /** Forgets these partitions' rows (lost, revoked or fenced). */
  public void drop(Collection<Integer> partitions) {
    List<Integer> staged = partitions.stream().filter(this::holds).toList();
    if (!staged.isEmpty()) {
      buffer.dropPartitions(staged);
      batch.remove(staged);
    }
  }
}
