package io.telemetrylake.appender;

import io.telemetrylake.appender.consume.DeadLetterQueue;
import io.telemetrylake.appender.consume.DeadLetterTopic;
import io.telemetrylake.appender.consume.KafkaClients;
import io.telemetrylake.appender.consume.PollLoop;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushRequests;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.flush.Flusher;
import io.telemetrylake.appender.flush.UploadJournal;
import io.telemetrylake.appender.http.AdminServer;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.iceberg.TableSetup;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.stage.StagingDatabase;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signal's pipeline in an appender process: its consumer (own group), staging buffers, DLQ,
 * table, offsets and poll-loop thread. Signals share nothing else but the catalog, the admin
 * server and the DuckDB instance their buffers live in (one memory limit), so one signal's
 * trouble (a poison record, a slow table) never holds the other back.
 */
final class SignalPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(SignalPipeline.class);
  private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  private static final Duration DLQ_TIMEOUT = Duration.ofSeconds(30);

  private final Signal<?> signal;
  private final TableIdentifier table;
  private final FlushRequests requests;
  private final AppenderStatus status;
  private final AppenderMetrics metrics;
  private final PollLoop loop;
  private final Thread thread;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private SignalPipeline(
      Signal<?> signal,
      TableIdentifier table,
      FlushRequests requests,
      AppenderStatus status,
      AppenderMetrics metrics,
      PollLoop loop) {
    this.signal = signal;
    this.table = table;
    this.requests = requests;
    this.status = status;
    this.metrics = metrics;
    this.loop = loop;
    this.thread =
        new Thread(
            () -> {
              try {
                loop.run();
              } finally {
                ended.complete(null);
              }
            },
            signal == Signals.LOGS ? "appender-poll-loop" : "appender-poll-loop-" + signal.name());
  }

  /**
   * Sets up the signal's table, staging and clients (not started).
   *
   * @param config this signal's settings ({@link AppenderConfig#forSignal})
   * @param staging the process's DuckDB instance, shared by the signals (one memory limit)
   */
  static SignalPipeline create(
      AppenderConfig config, Catalog catalog, StagingDatabase staging, Clock clock, FlushHooks hooks) {
    Signal<?> signal = config.signal();
    KafkaClients kafka = KafkaClients.from(config);
    // before anything is opened: a DLQ topic that may not be created stops start-up here
    boolean dlqTopicReady = ensureDeadLetterTopic(config, kafka, true);
    TableIdentifier id = TableIdentifier.of(Namespace.of(config.namespaceLevels()), config.table());
    Table table = TableSetup.ensureTable(catalog, id, signal.table());
    AppenderMetrics metrics =
        new AppenderMetrics(signal == Signals.LOGS ? "appender_" : "appender_" + signal.name() + "_");
    AppenderStatus status = new AppenderStatus();
    FlushRequests requests = new FlushRequests();
    UploadJournal journal = UploadJournal.open(config.stagingDir());
    // two buffers: one stages while the other is flushed, in the instance all signals share
    StagingBuffer first = staging.buffer(signal, config.stagingDir().resolve("buffer-1"));
    StagingBuffer second = staging.buffer(signal, config.stagingDir().resolve("buffer-2"));
    BatchCommitter committer =
        new BatchCommitter(
            table,
            OffsetsSummary.key(config.groupId(), config.topic()),
            20,
            Duration.ofMillis(100),
            metrics::commitRetried);
    Flusher flusher =
        new Flusher(
            committer,
            journal,
            config.targetFileBytes(),
            hooks,
            clock,
            // names the committer in each snapshot's summary: unique per appender, unlike the host
            config.instanceId());
    try {
      flusher.settlePendingUploads();
    } catch (RuntimeException e) {
      LOG.warn("{}: could not settle earlier uploads yet (retried before each flush): {}", signal.name(), e.getMessage());
    }
    FlushPolicy policy =
        new FlushPolicy(
            config.bufferSizeBytes(),
            config.bufferTime(),
            config.maxStagedBytes(),
            MIN_BACKOFF,
            MAX_BACKOFF);
    DeadLetterQueue dlq =
        new DeadLetterQueue(
            kafka.producer(),
            config.dlqTopic(),
            DLQ_TIMEOUT,
            // on the poll-loop thread, before a DLQ send, until it worked
            () -> ensureDeadLetterTopic(config, kafka, false));
    if (dlqTopicReady) {
      dlq.topicExists();
    }
    PollLoop loop =
        new PollLoop(
            config.topic(),
            kafka.consumer(),
            dlq,
            first,
            second,
            flusher,
            committer,
            policy,
            requests,
            metrics,
            status,
            clock,
            config.shutdownTimeout(),
            hooks);
    return new SignalPipeline(signal, id, requests, status, metrics, loop);
  }

  /**
   * Creates the DLQ topic, so a poison record never meets a missing one (or one the broker
   * auto-created with its defaults). At start-up a topic that may not be created stops the
   * appender; Kafka not answering does not (the consumer waits for it too): the DLQ asks again
   * before its next send. True when the topic exists.
   */
  private static boolean ensureDeadLetterTopic(AppenderConfig config, KafkaClients kafka, boolean startUp) {
    try (Admin admin = kafka.admin()) {
      DeadLetterTopic.ensure(admin, config.dlqTopic(), config.dlqTopicSettings(), 15_000);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.warn("could not check or create the dead-letter topic {}: {}", config.dlqTopic(), cause.toString());
      return false;
    } catch (IllegalStateException e) {
      if (startUp) {
        throw e;
      }
      LOG.warn("{}", e.getMessage());
      return false;
    }
  }

  void start() {
    thread.start();
  }

  Signal<?> signal() {
    return signal;
  }

  TableIdentifier table() {
    return table;
  }

  AppenderStatus status() {
    return status;
  }

  CompletableFuture<Void> ended() {
    return ended;
  }

  CompletableFuture<FlushReport> requestFlush(FlushTrigger trigger) {
    return requests.request(trigger);
  }

  AdminServer.Target adminTarget() {
    return new AdminServer.Target(signal.name(), status, metrics, requests::request);
  }

  /** Asks the loop to stop (it flushes what is staged unless it is dead). */
  void stop() {
    status.stopping();
    loop.stop();
  }

  /** Waits up to {@code timeout} for the loop's thread to end; true when it has. */
  boolean join(Duration timeout) throws InterruptedException {
    thread.join(Math.max(1, timeout.toMillis()));
    return !thread.isAlive();
  }
}
