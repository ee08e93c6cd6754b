package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.flush.FlushCycle;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushRequests;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.flush.Flusher;
import io.telemetrylake.appender.iceberg.Fence;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.appender.status.LogRedaction;
import io.telemetrylake.appender.status.StatsPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
  private final FlushCycle cycle;
  private final FlushSettler settler;
  private final FlushPolicy policy;
  private final FlushRequests requests;
  private final AppenderMetrics metrics;
  private final AppenderStatus status;
  private final Clock clock;
  private final Duration shutdownTimeout;

  private final Positions positions;
  /** Partitions held at a record the DLQ has not taken yet. */
  private final DeadLetterRetry dlqRetry;
  private boolean pausedAtCap;
  private volatile boolean running = true;
  private boolean closing;
  /** A fatal error ended the loop: staging is abandoned, not flushed. */
  private boolean dead;

  public PollLoop(
      String topic,
      Consumer<byte[], byte[]> consumer,
      DeadLetterQueue dlq,
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
    this.cycle = new FlushCycle(flusher, first, second);
    this.policy = policy;
    this.requests = requests;
    this.metrics = metrics;
    this.status = status;
    this.clock = clock;
    this.shutdownTimeout = shutdownTimeout;
    this.positions = new Positions(topic, consumer, committer, status, clock);
    this.settler =
        new FlushSettler(topic, consumer, cycle, positions, policy, metrics, status, hooks, clock);
    this.dlqRetry = new DeadLetterRetry(DLQ_MIN_BACKOFF, DLQ_MAX_BACKOFF);
    this.stager =
        new RecordStager(topic, consumer, positions, dlq, dlqRetry, metrics, status, clock);
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
    settler.settleBackground(false);
    positions.retryUnpositioned();
    applyPause();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
    if (!records.isEmpty()) {
      stager.stage(records, cycle.active());
    }
    Optional<FlushTrigger> requested = requests.next();
    if (requested.isPresent()) {
      FlushReport report = settler.flushAll(requested.get());
      // publish first: whoever asked sees /stats already reflecting this flush
      publishStats();
      requests.completeAll(report);
      return;
    }
    if (!cycle.flushing()) {
      // a batch left by a failed flush goes first: its offsets come before the active batch's
      Slot next = cycle.next();
      Optional<FlushTrigger> due =
          policy.due(next.batch().bytes(), next.batch().startedAt(), Optional.empty(), clock.instant());
      due.ifPresent(settler::startBackground);
    }
    publishStats();
  }

  private void applyPause() {
    long staged = cycle.stagedBytes();
    // while a flush runs, the active batch stops at the flush size: files stay the size set
    boolean full = cycle.flushing() && policy.sizeReached(cycle.active().batch().bytes());
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
    settler.settleBackground(true);
    cycle.drop(partitions);
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
      settler.settleBackground(true);
      boolean staged = ps.stream().anyMatch(p -> cycle.held().holds(p) || cycle.active().holds(p));
      if (staged && !closing) {
        FlushReport report = settler.flushAll(FlushTrigger.REBALANCE);
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
        views, cycle.held(), cycle.active(), settler.lastFlushAt(), settler.lastFlush(), pausedAtCap,
        policy.consecutiveFailures());
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
        settler.settleBackground(true);
      }
      if (!fatal && !cycle.nothingStaged()) {
        Instant deadline = clock.instant().plus(shutdownTimeout);
        consumer.pause(consumer.assignment());
        while (true) {
          last = settler.flushAll(FlushTrigger.SHUTDOWN);
          if (last.outcome() != FlushReport.Outcome.FAILED || cycle.nothingStaged()) {
            break;
          }
          if (!clock.instant().plus(Duration.ofSeconds(1)).isBefore(deadline)) {
            LOG.warn(
                "giving up the shutdown flush: {} staged rows are read again on restart",
                cycle.stagedRows());
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
      boolean flushEnded = !fatal || cycle.stopFlushThread(DEAD_FLUSH_WAIT);
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
        flushEnded = cycle.stopFlushThread(shutdownTimeout);
      }
      if (flushEnded) {
        // never under a flush still using it; a broken database may fail to close
        closeQuietly(cycle.held().buffer());
        closeQuietly(cycle.active().buffer());
      }
      status.loopRunning(false);
      positions.clear();
      publishStats();
      LOG.info(fatal ? "poll loop dead" : "poll loop stopped");
    }
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
