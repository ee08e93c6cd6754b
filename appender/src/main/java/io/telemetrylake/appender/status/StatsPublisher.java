package io.telemetrylake.appender.status;

import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.stage.Batch;
import io.telemetrylake.appender.stage.Slot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds what /stats and the buffer and lag metrics show from the poll loop's state, after each
 * poll and flush. Poll-loop thread only; the snapshot it publishes is immutable.
 */
public final class StatsPublisher {
  private final AppenderMetrics metrics;
  private final AppenderStatus status;
  private final Clock clock;

  /** What the consumer and the table say of one assigned partition (null: not known yet). */
  public record PartitionView(int partition, Long position, Long tableOffset, Long lag) {}

  public StatsPublisher(AppenderMetrics metrics, AppenderStatus status, Clock clock) {
    this.metrics = metrics;
    this.status = status;
    this.clock = clock;
  }

  /**
   * @param older the batch staged first (flushing, or left by a failed flush)
   * @param newer the batch being staged
   */
  public void publish(
      List<PartitionView> partitions,
      Slot older,
      Slot newer,
      Instant lastFlushAt,
      FlushReport lastFlush,
      boolean paused,
      int consecutiveFlushFailures) {
    Map<Integer, StatsSnapshot.PartitionStats> parts = new TreeMap<>();
    Map<Integer, Long> lags = new TreeMap<>();
    for (PartitionView p : partitions) {
      if (p.lag() != null) {
        lags.put(p.partition(), p.lag());
      }
      Batch.PartitionRange first = older.batch().partitions().get(p.partition());
      Batch.PartitionRange second = newer.batch().partitions().get(p.partition());
      Batch.PartitionRange from = first != null ? first : second;
      parts.put(
          p.partition(),
          new StatsSnapshot.PartitionStats(
              p.position(),
              p.tableOffset(),
              from == null ? null : from.firstOffset(),
              (first == null ? 0 : first.records()) + (second == null ? 0 : second.records()),
              p.lag()));
    }
    long records = older.batch().records() + newer.batch().records();
    long bytes = older.batch().bytes() + newer.batch().bytes();
    metrics.lag(lags);
    metrics.buffer(records, bytes);
    double sinceFlush = Duration.between(lastFlushAt, clock.instant()).toMillis() / 1000.0;
    status.publish(
        new StatsSnapshot(
            records,
            older.batch().rows() + newer.batch().rows(),
            bytes,
            sinceFlush,
            lastFlush,
            metrics.totals(),
            parts,
            paused,
            consecutiveFlushFailures));
    metrics.ready(status.notReadyReasons().isEmpty());
  }
}
