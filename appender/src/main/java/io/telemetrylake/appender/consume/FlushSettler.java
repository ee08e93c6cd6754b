package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.flush.FlushCycle;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushOutcome;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.iceberg.Fence;
import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.stage.StagingException;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.appender.status.FailureReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the poll thread does once a flush has finished: on a commit, clear the batch, move the
 * positions and commit the offsets to the group; on a fence, drop the moved partitions' rows and
 * flush the rest; on a failure, keep the rows staged and back off (three staging failures in a row
 * are fatal). Also runs the flushes that happen on the poll thread itself. Poll-loop thread only.
 */
final class FlushSettler {
  private static final Logger LOG = LoggerFactory.getLogger(FlushSettler.class);

  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final FlushCycle cycle;
  private final Positions positions;
  private final FlushPolicy policy;
  private final AppenderMetrics metrics;
  private final AppenderStatus status;
  private final FlushHooks hooks;
  private final Clock clock;
  private final StagingFaults stagingFaults = new StagingFaults();
  private Instant lastFlushAt;
  private FlushReport lastFlush;

  FlushSettler(
      String topic,
      Consumer<byte[], byte[]> consumer,
      FlushCycle cycle,
      Positions positions,
      FlushPolicy policy,
      AppenderMetrics metrics,
      AppenderStatus status,
      FlushHooks hooks,
      Clock clock) {
    this.topic = topic;
    this.consumer = consumer;
    this.cycle = cycle;
    this.positions = positions;
    this.policy = policy;
    this.metrics = metrics;
    this.status = status;
    this.hooks = hooks;
    this.clock = clock;
    this.lastFlushAt = clock.instant();
  }

  Instant lastFlushAt() {
    return lastFlushAt;
  }

  /** The last flush that was not empty, for /stats. */
  FlushReport lastFlush() {
    return lastFlush;
  }

  /** Starts a flush of the next batch on the flush thread. */
  void startBackground(FlushTrigger trigger) {
    Slot next = cycle.next();
    cycle.startBackground(trigger, positions.expected(next.batch().partitions().keySet()));
  }

  /** Acts on the background flush once it is done; with {@code wait}, waits for it first. */
  void settleBackground(boolean wait) {
    cycle.finishedBackground(wait).ifPresent(this::settle);
  }

  /**
   * Flushes everything staged on this thread, in consumption order: the batch a background flush
   * left (it ran to its end first), then the active one, which waits when the first did not
   * commit. Explicit, rebalance and shutdown flushes.
   */
  FlushReport flushAll(FlushTrigger trigger) {
    settleBackground(true);
    FlushReport report = FlushReport.empty(trigger, clock.millis());
    if (!cycle.held().isEmpty()) {
      report = flushHere(cycle.held(), trigger);
      if (!cycle.held().isEmpty()) {
        return report;
      }
    }
    return report.then(flushHere(cycle.active(), trigger));
  }

  private FlushReport flushHere(Slot slot, FlushTrigger trigger) {
    if (slot.isEmpty()) {
      return FlushReport.empty(trigger, clock.millis());
    }
    return settle(cycle.flushHere(slot, trigger, expected(slot)));
  }

  private Map<Integer, Long> expected(Slot slot) {
    return positions.expected(slot.batch().partitions().keySet());
  }

  /**
   * Acts on a flush's outcome; never throws for S3/catalog failures (the rows stay staged and the
   * policy backs off).
   */
  private FlushReport settle(FlushCycle.Finished finished) {
    Slot slot = finished.slot();
    FlushTrigger trigger = finished.trigger();
    long start = finished.startNanos();
    List<Integer> fenced = new ArrayList<>();
    FlushReport report;
    try {
      report = act(slot, trigger, fenced, start, finished.outcome());
      if (report.outcome() == FlushReport.Outcome.FENCED && !slot.isEmpty()) {
        // the other partitions' rows are still ours to commit
        FlushOutcome rest = cycle.flushHere(slot, trigger, expected(slot)).outcome();
        report = act(slot, trigger, fenced, start, rest);
      }
      policy.onSuccess();
      stagingFaults.succeeded();
      status.flushFailure(null);
    } catch (RuntimeException e) {
      if (LoopErrors.isFatalForFlush(e)) {
        throw e;
      }
      if (stagingFaults.brokenAfter(e)) {
        throw new StagingException(
            StagingFaults.LIMIT + " flushes in a row failed on the staging database (disk full or"
                + " out of memory?)",
            e);
      }
      Instant retryAt = policy.onFailure(clock.instant());
      // what HTTP shows is built without messages; the log keeps them, redacted
      String reason = FailureReason.of(e);
      status.flushFailure(reason);
      report =
          FlushReport.failed(trigger, reason, (System.nanoTime() - start) / 1_000_000, clock.millis());
      LOG.warn(
          "flush ({}) failed, {} rows stay staged, retry after {}: {}",
          trigger.label(), slot.batch().rows(), retryAt, PollLoop.describe(e));
      LOG.debug("flush failure", e);
    }
    metrics.flushed(report);
    if (report.outcome() != FlushReport.Outcome.EMPTY) {
      lastFlush = report;
    }
    return report;
  }

  private FlushReport act(
      Slot slot, FlushTrigger trigger, List<Integer> fenced, long start, FlushOutcome outcome) {
    long rows = slot.batch().rows();
    long records = slot.batch().records();
    if (outcome instanceof FlushOutcome.Failed f) {
      throw f.cause();
    }
    if (outcome instanceof FlushOutcome.Empty) {
      return FlushReport.empty(trigger, clock.millis());
    }
    if (outcome instanceof FlushOutcome.Fenced f) {
      onFenced(f);
      f.moved().forEach(m -> fenced.add(m.partition()));
      return FlushReport.fenced(trigger, fenced, (System.nanoTime() - start) / 1_000_000, clock.millis());
    }
    FlushOutcome.Committed c = (FlushOutcome.Committed) outcome;
    hooks.afterCommit();
    Map<Integer, Long> ours = slot.batch().nextOffsets();
    // staging first: if clearing fails, the belief still has the old offsets, so a retry of these
    // rows is fenced instead of committed twice
    slot.buffer().clear();
    positions.committed(ours);
    slot.batch().clear();
    lastFlushAt = clock.instant();
    commitToKafka(ours);
    for (int i = 0; i < c.conflictRetries(); i++) {
      metrics.commitRetried();
    }
    long durationMs = (System.nanoTime() - start) / 1_000_000;
    LOG.info(
        "flush ({}) committed {} rows of {} records in {} file(s), {} bytes, snapshot {}, {} ms {}"
            + " offsets {}",
        trigger.label(), rows, records, c.files(), c.bytes(), c.snapshotId(), durationMs,
        c.phasesMs(), ours);
    return FlushReport.committed(trigger, c, rows, records, ours, fenced, durationMs, clock.millis());
  }

  /** Drops the rows another appender committed and resumes those partitions from the table. */
  private void onFenced(FlushOutcome.Fenced f) {
    List<Integer> parts = f.moved().stream().map(Fence.Moved::partition).toList();
    // the active batch's rows of them follow the dropped ones: they go too, and are read again
    cycle.drop(parts);
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
        LOG.warn("could not commit offsets to the Kafka group (table has them): {}", PollLoop.describe(e));
        return;
      }
    }
  }
}
