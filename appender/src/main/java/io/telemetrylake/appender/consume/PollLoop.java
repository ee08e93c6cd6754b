package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushRequests;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.flush.Flusher;
import io.telemetrylake.appender.iceberg.Fence;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.stage.StagingException;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.appender.status.FailureReason;
import io.telemetrylake.appender.status.LogRedaction;
import io.telemetrylake.appender.status.StatsPublisher;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the Kafka consumer and the staging buffers: polls, decodes, stages,
 * flushes when the {@link FlushPolicy} says so (or on request), and keeps per partition what it
 * believes the table records, which is what the exactly-once {@link Fence} compares with.
 *
 * <p>Two staging buffers: when a size or age flush is due, the full one goes to a flush thread and
 * staging goes on in the other, so consuming and flushing overlap. Only one flush runs at a time,
 * batches commit in the order they were consumed (a batch whose flush failed is retried before the
 * next one), and everything that decides (positions, fencing, clearing) happens on this thread
 * once a flush is done. Explicit, rebalance and shutdown flushes wait for the running one and then
 * flush the rest on this thread.
 *
 * <p>Positions: on assignment the table's offsets (fallback: the group's committed offsets, then
 * earliest). On revocation the staged rows are flushed first (dropped if that fails: the new owner
 * reads them again from the table's offsets). Lost partitions are dropped without committing.
 */
public final class PollLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  /**
   * After a fatal error, how long a flush already running may take to end (its commit is worth
   * keeping, nothing depends on it): the process is to exit within seconds.
   */
  public static final Duration DEAD_FLUSH_WAIT = Duration.ofSeconds(5);
  private static final Duration DLQ_MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration DLQ_MAX_BACKOFF = Duration.ofSeconds(60);

  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final DeadLetterQueue dlq;
  private final RecordStager stager;
  private final StatsPublisher stats;
  private final ExecutorService flushThread;
  private final Flusher flusher;
  private final BatchCommitter committer;
  private final FlushPolicy policy;
  private final FlushRequests requests;
  private final AppenderMetrics metrics;
  private final AppenderStatus status;
  private final Clock clock;
  private final Duration shutdownTimeout;
  private final FlushHooks hooks;

  /** Where records are staged now. */
  private Slot active;
  /** The other buffer: empty, or a batch being flushed in the background or waiting to retry. */
  private Slot held;
  /** The flush of {@code held} running on the flush thread, if any. */
  private Background background;
  private final Positions positions;
  private final StagingFaults stagingFaults = new StagingFaults();
  /** Partitions held at a record the DLQ has not taken yet. */
  private final DeadLetterRetry dlqRetry;
  private boolean pausedAtCap;
  private volatile boolean running = true;
  private boolean closing;
  /** A fatal error ended the loop: staging is abandoned, not flushed. */
  private boolean dead;
  private Instant lastFlushAt;
  private FlushReport lastFlush;

  public PollLoop(
      String topic,
      Consumer<byte[], byte[]> consumer,
      DeadLetterQueue dlq,
      RecordDecoder decoder,
      StagingBuffer first,
      StagingBuffer second,
      Flusher flusher,
      BatchCommitter committer,
      FlushPolicy policy,
      FlushRequests requests,
      AppenderMetrics metrics,
      AppenderStatus status,
      Clock clock,
      Duration shutdownTimeout,
      FlushHooks hooks) {
    this.topic = topic;
    this.consumer = consumer;
    this.dlq = dlq;
    this.active = new Slot(first);
    this.held = new Slot(second);
    this.flushThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "appender-flush");
              t.setDaemon(true);
              return t;
            });
    this.flusher = flusher;
    this.committer = committer;
    this.policy = policy;
    this.requests = requests;
    this.metrics = metrics;
    this.status = status;
    this.clock = clock;
    this.shutdownTimeout = shutdownTimeout;
    this.hooks = hooks;
    this.lastFlushAt = clock.instant();
    this.positions = new Positions(topic, consumer, committer, status, clock);
    this.dlqRetry = new DeadLetterRetry(DLQ_MIN_BACKOFF, DLQ_MAX_BACKOFF);
    this.stager =
        new RecordStager(topic, consumer, positions, dlq, dlqRetry, decoder, metrics, status, clock);
    this.stats = new StatsPublisher(metrics, status, clock);
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
      dead = true;
      // dead from this moment (/healthz 503), not stopping: the clean-up below is best effort
      status.loopDied(describe(e));
      StaticMembership.explainFencing(e, StaticMembership.instanceId(consumer)).ifPresent(LOG::error);
      LOG.error("fatal error, the consumer loop is dead and the appender exits: {}", describe(e), e);
      throw e;
    } finally {
      shutdown(fatal);
    }
  }

  private void iteration() {
    settleBackground(false);
    positions.retryUnpositioned();
    applyPause();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
    if (!records.isEmpty()) {
      stager.stage(records, active);
    }
    Optional<FlushTrigger> requested = requests.next();
    if (requested.isPresent()) {
      FlushReport report = flushAll(requested.get());
      // publish first: whoever asked sees /stats already reflecting this flush
      publishStats();
      requests.completeAll(report);
      return;
    }
    if (background == null) {
      // a batch left by a failed flush goes first: its offsets come before the active batch's
      Slot next = held.isEmpty() ? active : held;
      Optional<FlushTrigger> due =
          policy.due(next.batch().bytes(), next.batch().startedAt(), Optional.empty(), clock.instant());
      if (due.isPresent()) {
        if (next == active) {
          swap();
        }
        startBackground(due.get());
      }
    }
    publishStats();
  }

  /** The full active buffer becomes the held one; staging goes on in the (empty) other. */
  private void swap() {
    Slot full = active;
    active = held;
    held = full;
  }

  /** A flush running on the flush thread. */
  private record Background(FlushTrigger trigger, long startNanos, Future<Attempt> attempt) {}

  /** What {@link Flusher#flush} returned or threw; made on any thread, acted on by this one. */
  private record Attempt(Flusher.Result result, RuntimeException failure) {}

  /** Hands the held batch to the flush thread; this thread goes on staging into the other. */
  private void startBackground(FlushTrigger trigger) {
    Slot slot = held;
    slot.buffer().seal();
    Map<Integer, Long> expected = positions.expected(slot.batch().partitions().keySet());
    background =
        new Background(
            trigger, System.nanoTime(), flushThread.submit(() -> attempt(slot, trigger, expected)));
  }

  /** Acts on the background flush once it is done; with {@code wait}, waits for it first. */
  private void settleBackground(boolean wait) {
    if (background == null || !(wait || background.attempt().isDone())) {
      return;
    }
    Background b = background;
    background = null;
    settle(held, b.trigger(), b.startNanos(), await(b.attempt()));
  }

  private static Attempt await(Future<Attempt> attempt) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return attempt.get();
        } catch (InterruptedException e) {
          // the flush is not abandoned half-way: its outcome decides what this thread does next
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException("flush task failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Attempt attempt(Slot slot, FlushTrigger trigger, Map<Integer, Long> expected) {
    try {
      return new Attempt(flusher.flush(trigger, slot, expected), null);
    } catch (RuntimeException e) {
      return new Attempt(null, e);
    }
  }

  /**
   * Flushes everything staged on this thread, in consumption order: the batch a background flush
   * left (it ran to its end first), then the active one, which waits when the first did not
   * commit. Explicit, rebalance and shutdown flushes.
   */
  private FlushReport flushAll(FlushTrigger trigger) {
    settleBackground(true);
    FlushReport report = FlushReport.empty(trigger, clock.millis());
    if (!held.isEmpty()) {
      report = flushNow(held, trigger);
      if (!held.isEmpty()) {
        return report;
      }
    }
    return report.then(flushNow(active, trigger));
  }

  private FlushReport flushNow(Slot slot, FlushTrigger trigger) {
    long start = System.nanoTime();
    if (slot.isEmpty()) {
      return FlushReport.empty(trigger, clock.millis());
    }
    slot.buffer().seal();
    Map<Integer, Long> expected = positions.expected(slot.batch().partitions().keySet());
    return settle(slot, trigger, start, attempt(slot, trigger, expected));
  }

  /**
   * Acts on a flush's outcome; never throws for S3/catalog failures (the rows stay staged and the
   * policy backs off).
   */
  private FlushReport settle(Slot slot, FlushTrigger trigger, long start, Attempt attempt) {
    List<Integer> fenced = new ArrayList<>();
    FlushReport report;
    try {
      report = outcome(slot, trigger, fenced, start, attempt);
      if (report.outcome() == FlushReport.Outcome.FENCED && !slot.isEmpty()) {
        // the other partitions' rows are still ours to commit
        Map<Integer, Long> expected = positions.expected(slot.batch().partitions().keySet());
        report = outcome(slot, trigger, fenced, start, attempt(slot, trigger, expected));
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
          trigger.label(), slot.batch().rows(), retryAt, describe(e));
      LOG.debug("flush failure", e);
    }
    metrics.flushed(report);
    if (report.outcome() != FlushReport.Outcome.EMPTY) {
      lastFlush = report;
    }
    return report;
  }

  private FlushReport outcome(
      Slot slot, FlushTrigger trigger, List<Integer> fenced, long start, Attempt attempt) {
    if (attempt.failure() != null) {
      throw attempt.failure();
    }
    long rows = slot.batch().rows();
    long records = slot.batch().records();
    Flusher.Result result = attempt.result();
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
    // the active batch's rows of them follow the dropped ones: they go too, and are read again
    held.drop(parts);
    active.drop(parts);
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
    long staged = stagedBytes();
    // while a flush runs, the active batch stops at the flush size: files stay the size set
    boolean full = background != null && policy.sizeReached(active.batch().bytes());
    boolean cap = policy.atHardCap(staged);
    if (cap != pausedAtCap) {
      pausedAtCap = cap;
      status.pausedAtCap(cap);
      LOG.warn(
          cap ? "staging reached the cap ({} bytes): consumption paused until a flush succeeds"
              : "staging below the cap ({} bytes): consumption resumed",
          staged);
    }
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    Instant now = clock.instant();
    for (Integer p : positions.assigned()) {
      boolean hold = cap || full || !positions.isPositioned(p) || dlqRetry.waiting(p, now);
      (hold ? pause : resume).add(new TopicPartition(topic, p));
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  private void dropPartitions(Collection<Integer> partitions) {
    settleBackground(true);
    held.drop(partitions);
    active.drop(partitions);
    positions.forget(partitions);
    dlqRetry.forget(partitions);
    status.deadLetterFailure(dlqRetry.reason(dlq.topic()).orElse(null));
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
      if (dead) {
        // closing the consumer of a dead loop: staging is abandoned, the new owner reads again
        return;
      }
      List<Integer> ps = partitions.stream().map(TopicPartition::partition).sorted().toList();
      settleBackground(true);
      boolean staged = ps.stream().anyMatch(p -> held.holds(p) || active.holds(p));
      if (staged && !closing) {
        FlushReport report = flushAll(FlushTrigger.REBALANCE);
        LOG.info("partitions {} revoked: flush {}", ps, report.outcome());
      }
      // whatever is still staged for them (flush failed) is the new owner's to read again
      dropPartitions(ps);
      LOG.info("partitions {} revoked", ps);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (dead) {
        return;
      }
      List<Integer> ps = partitions.stream().map(TopicPartition::partition).sorted().toList();
      LOG.warn("partitions {} lost: dropping their staged rows without committing", ps);
      dropPartitions(ps);
    }
  }

  private void publishStats() {
    List<StatsPublisher.PartitionView> views = new ArrayList<>();
    for (Integer p : positions.assigned()) {
      TopicPartition tp = new TopicPartition(topic, p);
      Long position = null;
      Long lag = null;
      try {
        OptionalLong l = consumer.currentLag(tp);
        lag = l.isPresent() ? l.getAsLong() : null;
        position = positions.isPositioned(p) ? consumer.position(tp, Duration.ZERO) : null;
      } catch (RuntimeException e) {
        // position unknown right now (e.g. just assigned): show null
      }
      views.add(new StatsPublisher.PartitionView(p, position, positions.tableOffset(p), lag));
    }
    stats.publish(
        views, held, active, lastFlushAt, lastFlush, pausedAtCap, policy.consecutiveFailures());
  }

  /**
   * Stop intake, flush what is staged (retrying until the shutdown timeout), commit, close. After
   * a fatal error nothing is flushed (staging may be what broke; the rows are read again from the
   * table's offsets after the restart) and the clean-up takes seconds, not the shutdown timeout.
   */
  private void shutdown(boolean fatal) {
    if (!fatal) {
      status.stopping();
    }
    // a flush asked for and not done: a dead loop must not answer it as "nothing staged"
    FlushReport last =
        fatal
            ? FlushReport.failed(FlushTrigger.SHUTDOWN, "the consumer loop died", 0, clock.millis())
            : FlushReport.empty(FlushTrigger.SHUTDOWN, clock.millis());
    try {
      if (!fatal) {
        settleBackground(true);
      }
      if (!fatal && !nothingStaged()) {
        Instant deadline = clock.instant().plus(shutdownTimeout);
        consumer.pause(consumer.assignment());
        while (true) {
          last = flushAll(FlushTrigger.SHUTDOWN);
          if (last.outcome() != FlushReport.Outcome.FAILED || nothingStaged()) {
            break;
          }
          if (!clock.instant().plus(Duration.ofSeconds(1)).isBefore(deadline)) {
            LOG.warn(
                "giving up the shutdown flush: {} staged rows are read again on restart",
                stagedRows());
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
      // a dead loop lets a running flush end first (briefly): then the group is left at once
      boolean flushEnded = !fatal || stopFlushThread(DEAD_FLUSH_WAIT);
      try {
        // a graceful stop leaves the group (partitions move now); a dead loop stays in it, so its
        // restart under the same instance id resumes the same partitions without a rebalance
        consumer.close(StaticMembership.closeOptions(fatal).withTimeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.warn("closing the consumer: {}", describe(e));
      }
      try {
        dlq.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the DLQ producer: {}", describe(e));
      }
      if (!fatal) {
        flushEnded = stopFlushThread(shutdownTimeout);
      }
      if (flushEnded) {
        // never under a flush still using it; a broken database may fail to close
        closeQuietly(held.buffer());
        closeQuietly(active.buffer());
      }
      status.loopRunning(false);
      positions.clear();
      publishStats();
      LOG.info(fatal ? "poll loop dead" : "poll loop stopped");
    }
  }

  private boolean nothingStaged() {
    return held.isEmpty() && active.isEmpty();
  }

  /** Kafka value bytes in both buffers. */
  private long stagedBytes() {
    return held.batch().bytes() + active.batch().bytes();
  }

  private long stagedRows() {
    return held.batch().rows() + active.batch().rows();
  }

  /** After a fatal error a flush may still run: let it end before its buffer is closed. */
  private boolean stopFlushThread(Duration wait) {
    flushThread.shutdown();
    try {
      if (flushThread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      LOG.warn("the flush thread did not stop in {}; leaving it", wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private static void closeQuietly(StagingBuffer buffer) {
    try {
      buffer.close();
    } catch (RuntimeException e) {
      LOG.warn("closing the staging database in {}: {}", buffer.dir(), describe(e));
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One line for the log: the exception and its causes' messages, secrets masked, no stack trace. */
  static String describe(Throwable t) {
    StringBuilder out = new StringBuilder();
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = t; c != null && seen.add(c) && seen.size() <= 4; c = c.getCause()) {
      if (out.length() > 0) {
        out.append(" <- ");
      }
      out.append(c.getClass().getSimpleName());
      if (c.getMessage() != null) {
        out.append(": ").append(LogRedaction.redact(c.getMessage()));
      }
    }
    return out.toString();
  }
}
