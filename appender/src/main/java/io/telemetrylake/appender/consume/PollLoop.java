package io.telemetrylake.appender.consume;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.appender.AppenderConfig.CrashPoint;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.flush.Flusher;
import io.telemetrylake.appender.iceberg.Fence;
import io.telemetrylake.appender.iceberg.OffsetCommitter;
import io.telemetrylake.appender.stage.Batch;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.appender.status.StatsSnapshot;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the Kafka consumer and the staging buffer: polls, decodes, stages,
 * flushes when the {@link FlushPolicy} says so (or on request), and keeps per partition what it
 * believes the table records, which is what the exactly-once {@link Fence} compares with.
 *
 * <p>Positions: on assignment the table's offsets (fallback: the group's committed offsets, then
 * earliest). On revocation the staged rows are flushed first (dropped if that fails: the new owner
 * reads them again from the table's offsets). Lost partitions are dropped without committing.
 */
public final class PollLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final DeadLetterQueue dlq;
  private final RecordDecoder decoder;
  private final StagingBuffer staging;
  private final Flusher flusher;
  private final OffsetCommitter committer;
  private final FlushPolicy policy;
  private final FlushRequests requests;
  private final AppenderMetrics metrics;
  private final AppenderStatus status;
  private final Clock clock;
  private final Duration shutdownTimeout;
  private final Optional<CrashPoint> crashAt;

  private final Batch batch = new Batch();
  private final Positions positions;
  private boolean pausedAtCap;
  private volatile boolean running = true;
  private boolean closing;
  private Instant lastFlushAt;
  private FlushReport lastFlush;

  public PollLoop(
      String topic,
      Consumer<byte[], byte[]> consumer,
      DeadLetterQueue dlq,
      RecordDecoder decoder,
      StagingBuffer staging,
      Flusher flusher,
      OffsetCommitter committer,
      FlushPolicy policy,
      FlushRequests requests,
      AppenderMetrics metrics,
      AppenderStatus status,
      Clock clock,
      Duration shutdownTimeout,
      Optional<CrashPoint> crashAt) {
    this.topic = topic;
    this.consumer = consumer;
    this.dlq = dlq;
    this.decoder = decoder;
    this.staging = staging;
    this.flusher = flusher;
    this.committer = committer;
    this.policy = policy;
    this.requests = requests;
    this.metrics = metrics;
    this.status = status;
    this.clock = clock;
    this.shutdownTimeout = shutdownTimeout;
    this.crashAt = crashAt;
    this.lastFlushAt = clock.instant();
    this.positions = new Positions(topic, consumer, committer, status, clock);
  }

  /** Asks the loop to stop: it flushes what is staged, commits, and closes the clients. */
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public void run() {
    status.loopRunning(true);
    boolean fatal = false;
    try {
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running) {
        try {
          iteration();
        } catch (WakeupException e) {
          // stop() or a stale wakeup: the while condition decides
        } catch (RuntimeException e) {
          if (LoopErrors.isFatal(e)) {
            throw e;
          }
          LOG.warn("poll loop error (continuing): {}", describe(e));
        }
      }
    } catch (RuntimeException | Error e) {
      fatal = true;
      LOG.error("fatal error, the appender stops: {}", describe(e), e);
      throw e;
    } finally {
      shutdown(fatal);
    }
  }

  private void iteration() {
    positions.retryUnpositioned();
    applyPause();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
    if (!records.isEmpty()) {
      stage(records);
    }
    Optional<FlushTrigger> due =
        policy.due(batch.bytes(), batch.startedAt(), requests.next(), clock.instant());
    if (due.isPresent()) {
      FlushReport report = flush(due.get());
      // publish first: whoever asked sees /stats already reflecting this flush
      publishStats();
      if (due.get().isExplicit()) {
        requests.completeAll(report);
      }
      return;
    }
    publishStats();
  }

  private void stage(ConsumerRecords<byte[], byte[]> records) {
    long t0 = System.nanoTime();
    Set<Integer> rewound = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      int partition = record.partition();
      if (rewound.contains(partition) || !positions.accepts(partition)) {
        // not ours, or not positioned yet: the seek that positions it re-reads these records
        continue;
      }
      Instant now = clock.instant();
      long valueBytes = record.value() == null ? 0 : record.value().length;
      List<LogRow> rows;
      try {
        rows = decode(record);
      } catch (OtlpDecodeException | RuntimeException e) {
        try {
          dlq.send(record, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (DeadLetterQueue.DeadLetterException dlqFailure) {
          // not safe in the DLQ: read it again later instead of skipping it
          LOG.warn(
              "partition {} offset {}: undecodable and the DLQ failed ({}); retrying",
              partition, record.offset(), dlqFailure.getMessage());
          consumer.seek(new TopicPartition(topic, partition), record.offset());
          rewound.add(partition);
          continue;
        }
        metrics.deadLettered();
        metrics.recordConsumed(0);
        batch.add(partition, record.offset(), valueBytes, 0, now);
        LOG.warn(
            "partition {} offset {}: undecodable record sent to {}: {}",
            partition, record.offset(), dlq.topic(), e.getMessage());
        continue;
      }
      staging.beginRecord(partition);
      for (LogRow row : rows) {
        staging.append(row);
      }
      batch.add(partition, record.offset(), valueBytes, rows.size(), now);
      metrics.recordConsumed(rows.size());
    }
    batch.addStageNanos(System.nanoTime() - t0);
  }

  /** Decodes and maps the whole record before anything is staged: a failure stages nothing. */
  private List<LogRow> decode(ConsumerRecord<byte[], byte[]> record) throws OtlpDecodeException {
    if (record.value() == null) {
      throw new OtlpDecodeException(OtlpDecodeException.Reason.MALFORMED, "record has no value");
    }
    ExportLogsServiceRequest request = decoder.decode(record.value());
    long fallbackMicros =
        (record.timestamp() >= 0 ? record.timestamp() : clock.millis()) * 1000L;
    return LogRowMapper.toRows(request, fallbackMicros);
  }

  /**
   * Runs one flush and acts on its outcome; never throws for S3/catalog failures (the rows stay
   * staged and the policy backs off).
   */
  private FlushReport flush(FlushTrigger trigger) {
    long start = System.nanoTime();
    List<Integer> fenced = new ArrayList<>();
    FlushReport report;
    try {
      report = flushOnce(trigger, fenced, start);
      if (report.outcome() == FlushReport.Outcome.FENCED && !batch.isEmpty()) {
        // the other partitions' rows are still ours to commit
        report = flushOnce(trigger, fenced, start);
      }
      policy.onSuccess();
      status.flushFailure(null);
    } catch (RuntimeException e) {
      if (LoopErrors.isFatalForFlush(e)) {
        throw e;
      }
      Instant retryAt = policy.onFailure(clock.instant());
      String reason = describe(e);
      status.flushFailure(reason);
      report =
          FlushReport.failed(trigger, reason, (System.nanoTime() - start) / 1_000_000, clock.millis());
      LOG.warn(
          "flush ({}) failed, {} rows stay staged, retry after {}: {}",
          trigger.label(), batch.rows(), retryAt, reason);
      LOG.debug("flush failure", e);
    }
    metrics.flushed(report);
    if (report.outcome() != FlushReport.Outcome.EMPTY) {
      lastFlush = report;
    }
    return report;
  }

  private FlushReport flushOnce(FlushTrigger trigger, List<Integer> fenced, long start) {
    Map<Integer, Long> expected = positions.expected(batch.partitions().keySet());
    long rows = batch.rows();
    long records = batch.records();
    Flusher.Result result = flusher.flush(trigger, batch, expected);
    if (result instanceof Flusher.Empty) {
      return FlushReport.empty(trigger, clock.millis());
    }
    if (result instanceof Flusher.Fenced f) {
      onFenced(f);
      f.moved().forEach(m -> fenced.add(m.partition()));
      return new FlushReport(
          trigger, FlushReport.Outcome.FENCED, 0, 0, 0, 0,
          (System.nanoTime() - start) / 1_000_000, null, null, fenced, null,
          "rows of partitions " + fenced + " were committed by another appender; dropped",
          clock.millis());
    }
    Flusher.Committed c = (Flusher.Committed) result;
    if (crashAt.isPresent() && crashAt.get() == CrashPoint.AFTER_COMMIT) {
      Flusher.halt(CrashPoint.AFTER_COMMIT);
    }
    Map<Integer, Long> ours = batch.nextOffsets();
    // staging first: if clearing fails, the belief still has the old offsets, so a retry of these
    // rows is fenced instead of committed twice
    staging.clear();
    positions.committed(ours);
    batch.clear();
    lastFlushAt = clock.instant();
    commitToKafka(ours);
    for (int i = 0; i < c.conflictRetries(); i++) {
      metrics.commitRetried();
    }
    long durationMs = (System.nanoTime() - start) / 1_000_000;
    FlushReport report =
        new FlushReport(
            trigger, FlushReport.Outcome.COMMITTED, rows, records, c.files(), c.bytes(), durationMs,
            c.snapshotId(), ours, fenced, c.phasesMs(), null, clock.millis());
    LOG.info(
        "flush ({}) committed {} rows of {} records in {} file(s), {} bytes, snapshot {}, {} ms {}"
            + " offsets {}",
        trigger.label(), rows, records, c.files(), c.bytes(), c.snapshotId(), durationMs,
        c.phasesMs(), ours);
    return report;
  }

  /** Drops the rows another appender committed and resumes those partitions from the table. */
  private void onFenced(Flusher.Fenced f) {
    List<Integer> parts = f.moved().stream().map(Fence.Moved::partition).toList();
    staging.dropPartitions(parts);
    batch.remove(parts);
    positions.fenced(f.moved());
    LOG.warn(
        "fenced: partitions {} were committed by another appender meanwhile; dropped their staged"
            + " rows and resume from the table ({})",
        parts, f.moved());
  }

  /** The operators' view of lag; the table stays the source of truth. Failures only logged. */
  private void commitToKafka(Map<Integer, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    offsets.forEach((p, o) -> {
      if (positions.assigned().contains(p)) {
        commit.put(new TopicPartition(topic, p), new OffsetAndMetadata(o));
      }
    });
    if (commit.isEmpty()) {
      return;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        consumer.commitSync(commit, Duration.ofSeconds(10));
        return;
      } catch (WakeupException e) {
        // a pending wakeup (stop) hit this call instead of poll: it is consumed now, try again
      } catch (RuntimeException e) {
        LOG.warn("could not commit offsets to the Kafka group (table has them): {}", describe(e));
        return;
      }
    }
  }

  private void applyPause() {
    boolean cap = policy.atHardCap(batch.bytes());
    if (cap != pausedAtCap) {
      pausedAtCap = cap;
      status.pausedAtCap(cap);
      LOG.warn(
          cap ? "staging reached the cap ({} bytes): consumption paused until a flush succeeds"
              : "staging below the cap ({} bytes): consumption resumed",
          batch.bytes());
    }
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (Integer p : positions.assigned()) {
      (cap || !positions.isPositioned(p) ? pause : resume).add(new TopicPartition(topic, p));
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  private void dropPartitions(Collection<Integer> partitions) {
    List<Integer> staged =
        partitions.stream().filter(batch.partitions()::containsKey).toList();
    if (!staged.isEmpty()) {
      staging.dropPartitions(staged);
      batch.remove(staged);
    }
    positions.forget(partitions);
  }

  /** Rebalance callbacks run inside poll(), on this thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      positions.assign(partitions.stream().map(TopicPartition::partition).sorted().toList());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      List<Integer> ps = partitions.stream().map(TopicPartition::partition).sorted().toList();
      boolean staged = ps.stream().anyMatch(batch.partitions()::containsKey);
      if (staged && !closing) {
        FlushReport report = flush(FlushTrigger.REBALANCE);
        LOG.info("partitions {} revoked: flush {}", ps, report.outcome());
      }
      // whatever is still staged for them (flush failed) is the new owner's to read again
      dropPartitions(ps);
      LOG.info("partitions {} revoked", ps);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      List<Integer> ps = partitions.stream().map(TopicPartition::partition).sorted().toList();
      LOG.warn("partitions {} lost: dropping their staged rows without committing", ps);
      dropPartitions(ps);
    }
  }

  private void publishStats() {
    Map<Integer, StatsSnapshot.PartitionStats> parts = new TreeMap<>();
    Map<Integer, Long> lags = new TreeMap<>();
    for (Integer p : positions.assigned()) {
      TopicPartition tp = new TopicPartition(topic, p);
      Long position = null;
      Long lag = null;
      try {
        OptionalLong l = consumer.currentLag(tp);
        if (l.isPresent()) {
          lag = l.getAsLong();
          lags.put(p, lag);
        }
        position = positions.isPositioned(p) ? consumer.position(tp, Duration.ZERO) : null;
      } catch (RuntimeException e) {
        // position unknown right now (e.g. just assigned): show null
      }
      Batch.PartitionRange range = batch.partitions().get(p);
      parts.put(
          p,
          new StatsSnapshot.PartitionStats(
              position,
              positions.tableOffset(p),
              range == null ? null : range.firstOffset(),
              range == null ? 0 : range.records(),
              lag));
    }
    metrics.lag(lags);
    metrics.buffer(batch.records(), batch.bytes());
    double sinceFlush = Duration.between(lastFlushAt, clock.instant()).toMillis() / 1000.0;
    status.publish(
        new StatsSnapshot(
            batch.records(),
            batch.rows(),
            batch.bytes(),
            sinceFlush,
            lastFlush,
            metrics.totals(),
            parts,
            pausedAtCap,
            policy.consecutiveFailures()));
    metrics.ready(status.notReadyReasons().isEmpty());
  }

  /** Stop intake, flush what is staged (retrying until the shutdown timeout), commit, close. */
  private void shutdown(boolean fatal) {
    status.stopping();
    FlushReport last = FlushReport.empty(FlushTrigger.SHUTDOWN, clock.millis());
    try {
      if (!fatal && !batch.isEmpty()) {
        Instant deadline = clock.instant().plus(shutdownTimeout);
        consumer.pause(consumer.assignment());
        while (true) {
          last = flush(FlushTrigger.SHUTDOWN);
          if (last.outcome() != FlushReport.Outcome.FAILED || batch.isEmpty()) {
            break;
          }
          if (!clock.instant().plus(Duration.ofSeconds(1)).isBefore(deadline)) {
            LOG.warn("giving up the shutdown flush: {} staged rows are read again on restart", batch.rows());
            break;
          }
          sleepQuietly(Duration.ofSeconds(1));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("shutdown flush failed: {}", describe(e));
    } finally {
      closing = true;
      requests.close(last);
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.warn("closing the consumer: {}", describe(e));
      }
      try {
        dlq.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the DLQ producer: {}", describe(e));
      }
      staging.close();
      status.loopRunning(false);
      positions.clear();
      publishStats();
      LOG.info("poll loop stopped");
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One line: the exception and its causes' messages (no stack trace, no secrets of ours). */
  static String describe(Throwable t) {
    StringBuilder out = new StringBuilder();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = t; c != null && seen.add(c) && seen.size() <= 4; c = c.getCause()) {
      if (out.length() > 0) {
        out.append(" <- ");
      }
      out.append(c.getClass().getSimpleName());
      if (c.getMessage() != null) {
        out.append(": ").append(c.getMessage());
      }
    }
    return out.toString();
  }
}
