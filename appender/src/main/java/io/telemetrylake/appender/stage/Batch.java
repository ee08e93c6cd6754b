package io.telemetrylake.appender.stage;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the staging buffer holds, in Kafka terms: per partition the first offset and the next
 * offset of the staged records, and how many records, rows and value bytes they are. The flush
 * commits {@link #nextOffsets()} with the rows. Owned by the poll-loop thread; not thread-safe.
 */
public final class Batch {
  private final Map<Integer, PartitionRange> partitions = new TreeMap<>();
  private long records;
  private long rows;
  private long bytes;
  private Instant startedAt;
  private long stageNanos;

  /** One partition's part of the batch. */
  public record PartitionRange(long firstOffset, long nextOffset, long records, long rows, long bytes) {}

  /** Counts one consumed record (decoded or sent to the DLQ) with the rows it staged. */
  public void add(int partition, long offset, long valueBytes, long rowCount, Instant now) {
    PartitionRange current = partitions.get(partition);
    partitions.put(
        partition,
        current == null
            ? new PartitionRange(offset, offset + 1, 1, rowCount, valueBytes)
            : new PartitionRange(
                current.firstOffset(),
                offset + 1,
                current.records() + 1,
                current.rows() + rowCount,
                current.bytes() + valueBytes));
    if (startedAt == null) {
      startedAt = now;
    }
    records++;
    rows += rowCount;
    bytes += valueBytes;
  }

  /** Forgets partitions (lost, revoked or fenced); their rows must leave the staging table too. */
  public void remove(Collection<Integer> gone) {
    for (Integer p : gone) {
      PartitionRange range = partitions.remove(p);
      if (range != null) {
        records -= range.records();
        rows -= range.rows();
        bytes -= range.bytes();
      }
    }
    if (partitions.isEmpty()) {
      startedAt = null;
    }
  }

  /** Time spent decoding and appending this batch's rows (the "stage" phase of a flush). */
  public void addStageNanos(long nanos) {
    stageNanos += nanos;
  }

  public long stageNanos() {
    return stageNanos;
  }

  public void clear() {
    stageNanos = 0;
    partitions.clear();
    records = 0;
    rows = 0;
    bytes = 0;
    startedAt = null;
  }

  public boolean isEmpty() {
    return partitions.isEmpty();
  }

  public Map<Integer, PartitionRange> partitions() {
    return Collections.unmodifiableMap(partitions);
  }

  /** Per partition, the offset after the last staged record: what the table records on commit. */
  public Map<Integer, Long> nextOffsets() {
    Map<Integer, Long> out = new TreeMap<>();
    partitions.forEach((p, r) -> out.put(p, r.nextOffset()));
    return out;
  }

  public long records() {
    return records;
  }

  public long rows() {
    return rows;
  }

  public long bytes() {
    return bytes;
  }

  /** When the oldest staged record was consumed; empty when nothing is staged. */
  public Optional<Instant> startedAt() {
    return Optional.ofNullable(startedAt);
  }
}
