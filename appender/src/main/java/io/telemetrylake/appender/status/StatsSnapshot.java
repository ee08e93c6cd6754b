package io.telemetrylake.appender.status;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.telemetrylake.appender.flush.FlushReport;
import java.util.Map;

/**
 * What GET /stats shows, published by the poll-loop thread after each poll and flush (immutable,
 * so the HTTP thread reads a consistent picture).
 *
 * @param partitions per assigned partition: position, staged range, recorded table offset, lag
 */
public record StatsSnapshot(
    @JsonProperty("buffer_records") long bufferRecords,
    @JsonProperty("buffer_rows") long bufferRows,
    @JsonProperty("buffer_size_bytes") long bufferSizeBytes,
    @JsonProperty("time_since_last_flush_seconds") double timeSinceLastFlushSeconds,
    @JsonProperty("last_flush") FlushReport lastFlush,
    @JsonProperty("totals") Totals totals,
    @JsonProperty("partitions") Map<Integer, PartitionStats> partitions,
    @JsonProperty("paused") boolean paused,
    @JsonProperty("consecutive_flush_failures") int consecutiveFlushFailures) {

  public StatsSnapshot {
    partitions = Map.copyOf(partitions);
  }

  /** Counts since start-up. */
  public record Totals(
      @JsonProperty("records_consumed") long recordsConsumed,
      @JsonProperty("rows_committed") long rowsCommitted,
      @JsonProperty("flushes") long flushes,
      @JsonProperty("failed_flushes") long failedFlushes,
      @JsonProperty("files_written") long filesWritten,
      @JsonProperty("bytes_written") long bytesWritten,
      @JsonProperty("dlq_records") long dlqRecords) {}

  /**
   * One assigned partition.
   *
   * @param position the consumer's next offset to fetch
   * @param committedOffset the next offset the table records (null when none yet)
   * @param stagedFrom first staged offset (null when nothing is staged)
   * @param lag records behind the end of the partition (null when not known yet)
   */
  public record PartitionStats(
      @JsonProperty("position") Long position,
      @JsonProperty("committed_offset") Long committedOffset,
      @JsonProperty("staged_from") Long stagedFrom,
      @JsonProperty("staged_records") long stagedRecords,
      @JsonProperty("lag") Long lag) {}

  public static StatsSnapshot initial() {
    return new StatsSnapshot(
        0, 0, 0, 0, null, new Totals(0, 0, 0, 0, 0, 0, 0), Map.of(), false, 0);
  }
}
