package io.telemetrylake.appender.status;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.telemetrylake.appender.flush.FlushReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The appender's Prometheus metrics, in a registry of its own (so several appenders can live in
 * one test JVM). Written by the poll-loop thread, read by GET /metrics.
 */
public final class AppenderMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  final Counter recordsConsumed;
  final Counter rowsStaged;
  final Counter rowsCommitted;
  final Counter flushes;
  final Histogram flushDuration;
  final Counter filesWritten;
  final Counter bytesWritten;
  final Counter commitRetries;
  final Counter commitFailures;
  final Counter dlqRecords;
  final Counter dlqFailures;
  final Gauge bufferRecords;
  final Gauge bufferBytes;
  final Gauge lag;
  final Gauge ready;

  /** The logs pipeline's metrics: {@code appender_*}, as before there were other signals. */
  public AppenderMetrics() {
    this("appender_");
  }

  /**
   * @param prefix of every metric name: {@code appender_} for logs, {@code appender_traces_} for
   *     traces, so that one process's pipelines show side by side in one scrape
   */
  public AppenderMetrics(String prefix) {
    recordsConsumed =
        Counter.builder()
            .name(prefix + "records_consumed_total")
            .help("Kafka records consumed (decoded or sent to the DLQ)")
            .register(registry);
    rowsStaged =
        Counter.builder()
            .name(prefix + "rows_staged_total")
            .help("Rows (log records, spans) appended to the staging table")
            .register(registry);
    rowsCommitted =
        Counter.builder()
            .name(prefix + "rows_committed_total")
            .help("Rows committed to the Iceberg table")
            .register(registry);
    flushes =
        Counter.builder()
            .name(prefix + "flushes_total")
            .help("Flushes by trigger and outcome (committed, empty, fenced, failed)")
            .labelNames("trigger", "outcome")
            .register(registry);
    flushDuration =
        Histogram.builder()
            .name(prefix + "flush_duration_seconds")
            .help("Duration of committed flushes by phase (stage, copy, upload, commit) and in total")
            .labelNames("phase")
            .classicOnly()
            .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
            .register(registry);
    filesWritten =
        Counter.builder()
            .name(prefix + "files_written_total")
            .help("Parquet data files committed")
            .register(registry);
    bytesWritten =
        Counter.builder()
            .name(prefix + "bytes_written_total")
            .help("Parquet bytes committed")
            .register(registry);
    commitRetries =
        Counter.builder()
            .name(prefix + "commit_retries_total")
            .help("Iceberg commits retried after a concurrent commit")
            .register(registry);
    commitFailures =
        Counter.builder()
            .name(prefix + "commit_failures_total")
            .help("Flushes that failed (S3, catalog or local errors); the rows stay staged")
            .register(registry);
    dlqRecords =
        Counter.builder()
            .name(prefix + "dlq_records_total")
            .help("Undecodable records sent to the dead-letter topic")
            .register(registry);
    dlqFailures =
        Counter.builder()
            .name(prefix + "dlq_failures_total")
            .help("Sends to the dead-letter topic that failed; the record's partition waits and retries")
            .register(registry);
    bufferRecords =
        Gauge.builder()
            .name(prefix + "buffer_records")
            .help("Kafka records staged since the last flush")
            .register(registry);
    bufferBytes =
        Gauge.builder()
            .name(prefix + "buffer_bytes")
            .help("Kafka value bytes staged since the last flush")
            .register(registry);
    lag =
        Gauge.builder()
            .name(prefix + "consumer_lag")
            .help("Records between the consumer position and the end of each assigned partition")
            .labelNames("partition")
            .register(registry);
    ready =
        Gauge.builder().name(prefix + "ready").help("1 when /readyz answers 200").register(registry);
  }

  // plain totals for /stats (single writer: the poll loop)
  private volatile long totalRecords;
  private volatile long totalRowsCommitted;
  private volatile long totalFlushes;
  private volatile long totalFailedFlushes;
  private volatile long totalFiles;
  private volatile long totalBytes;
  private volatile long totalDlq;

  public void recordConsumed(long rows) {
    recordsConsumed.inc();
    totalRecords++;
    if (rows > 0) {
      rowsStaged.inc(rows);
    }
  }

  public void deadLettered() {
    dlqRecords.inc();
    totalDlq++;
  }

  public void deadLetterFailed() {
    dlqFailures.inc();
  }

  public StatsSnapshot.Totals totals() {
    return new StatsSnapshot.Totals(
        totalRecords, totalRowsCommitted, totalFlushes, totalFailedFlushes, totalFiles, totalBytes,
        totalDlq);
  }

  public void commitRetried() {
    commitRetries.inc();
  }

  public void flushed(FlushReport report) {
    flushes.labelValues(report.trigger().label(), report.outcome().name().toLowerCase(java.util.Locale.ROOT)).inc();
    switch (report.outcome()) {
      case COMMITTED -> {
        totalFlushes++;
        totalRowsCommitted += report.rows();
        totalFiles += report.files();
        totalBytes += report.bytes();
        rowsCommitted.inc(report.rows());
        filesWritten.inc(report.files());
        bytesWritten.inc(report.bytes());
        flushDuration.labelValues("total").observe(report.durationMs() / 1000.0);
        for (Map.Entry<String, Long> e : report.phasesMs().entrySet()) {
          flushDuration.labelValues(e.getKey()).observe(e.getValue() / 1000.0);
        }
      }
      case FAILED -> {
        totalFailedFlushes++;
        commitFailures.inc();
      }
      default -> {}
    }
  }

  public void buffer(long records, long bytes) {
    bufferRecords.set(records);
    bufferBytes.set(bytes);
  }

  public void lag(Map<Integer, Long> lagByPartition) {
    lag.clear();
    lagByPartition.forEach((p, l) -> lag.labelValues(Integer.toString(p)).set(l));
  }

  public void ready(boolean isReady) {
    ready.set(isReady ? 1 : 0);
  }

  /** The Prometheus text format. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
