package io.telemetrylake.appender;

import io.javalin.Javalin;
import io.telemetrylake.appender.consume.DeadLetterQueue;
import io.telemetrylake.appender.consume.DeadLetterTopic;
import io.telemetrylake.appender.flush.FlushRequests;
import io.telemetrylake.appender.consume.KafkaClients;
import io.telemetrylake.appender.consume.PollLoop;
import io.telemetrylake.appender.consume.RecordDecoder;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.flush.Flusher;
import io.telemetrylake.appender.flush.UploadJournal;
import io.telemetrylake.appender.http.AdminServer;
import io.telemetrylake.appender.iceberg.CatalogFactory;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.iceberg.TableSetup;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.util.ThreadPools;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running appender: table set up, staging opened, admin server listening, poll loop running.
 * {@link AppenderMain} adds the process concerns (signals, exit codes); tests start it in-process.
 */
public final class Appender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Appender.class);
  private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  private static final Duration DLQ_TIMEOUT = Duration.ofSeconds(30);
  /** How long a dead loop's clean-up may take (closing clients; no flush is attempted). */
  public static final Duration DEAD_LOOP_CLEANUP = PollLoop.DEAD_FLUSH_WAIT.plusSeconds(10);

  private final AppenderConfig config;
  private final Catalog catalog;
  private final FlushRequests requests;
  private final AppenderStatus status;
  private final PollLoop loop;
  private final Thread loopThread;
  private final CompletableFuture<Void> loopEnded = new CompletableFuture<>();
  private final Javalin http;
  private volatile boolean closed;

  private Appender(
      AppenderConfig config,
      Catalog catalog,
      FlushRequests requests,
      AppenderStatus status,
      PollLoop loop,
      Javalin http) {
    this.config = config;
    this.catalog = catalog;
    this.requests = requests;
    this.status = status;
    this.loop = loop;
    this.http = http;
    this.loopThread =
        new Thread(
            () -> {
              try {
                loop.run();
              } finally {
                loopEnded.complete(null);
              }
            },
            "appender-poll-loop");
  }

  /** Starts with real Kafka clients. */
  public static Appender start(AppenderConfig config) {
    return start(config, KafkaClients.from(config), Clock.systemUTC(), FlushHooks.NONE);
  }

  public static Appender start(AppenderConfig config, FlushHooks hooks) {
    return start(config, KafkaClients.from(config), Clock.systemUTC(), hooks);
  }

  /**
   * Starts the appender: fails (with the cause) when the catalog cannot be reached or the table
   * cannot take the appender's files.
   */
  public static Appender start(AppenderConfig config, KafkaClients kafka, Clock clock) {
    return start(config, kafka, clock, FlushHooks.NONE);
  }

  /** @param hooks test-only points in each flush ({@link FlushHooks#NONE} in production) */
  public static Appender start(
      AppenderConfig config, KafkaClients kafka, Clock clock, FlushHooks hooks) {
    LOG.info("starting appender: {}", config.describe());
    // Iceberg's worker pool registers a JVM shutdown hook when first used; make that happen now,
    // not in a flush that runs while the JVM is already shutting down
    ThreadPools.getWorkerPool();
    // before anything is opened: a DLQ topic that may not be created stops start-up here
    boolean dlqTopicReady = ensureDeadLetterTopic(config, kafka, true);
    Catalog catalog = CatalogFactory.create(config);
    TableIdentifier id =
        TableIdentifier.of(Namespace.of(config.namespaceLevels()), config.table());
    Table table = TableSetup.ensureTable(catalog, id);
    AppenderMetrics metrics = new AppenderMetrics();
    AppenderStatus status = new AppenderStatus();
    FlushRequests requests = new FlushRequests();
    UploadJournal journal = UploadJournal.open(config.stagingDir());
    // two buffers: one stages while the other is flushed; they share the DuckDB memory budget
    StagingBuffer first =
        StagingBuffer.open(config.stagingDir().resolve("buffer-1"), config.duckdbMemoryMb() / 2);
    StagingBuffer second =
        StagingBuffer.open(config.stagingDir().resolve("buffer-2"), config.duckdbMemoryMb() / 2);
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
      LOG.warn("could not settle earlier uploads yet (retried before each flush): {}", e.getMessage());
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
            RecordDecoder.kafkaRecordFormat(),
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
    Javalin http =
        AdminServer.create(
            status,
            metrics,
            requests::request,
            config.authToken(),
            config.metricsAuth(),
            Duration.ofMinutes(5));
    Appender appender = new Appender(config, catalog, requests, status, loop, http);
    http.start(config.bindAddress(), config.port());
    appender.loopThread.start();
    LOG.info("appender running: table {}, admin port {}", id, http.port());
    return appender;
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

  /** Asks the poll loop for a flush (SIGUSR1, tests); completes after the commit. */
  public CompletableFuture<FlushReport> requestFlush(FlushTrigger trigger) {
    return requests.request(trigger);
  }

  public int port() {
    return http.port();
  }

  public AppenderStatus status() {
    return status;
  }

  /**
   * Blocks until the poll loop has ended or died (a fatal error: it consumes nothing more, while
   * its clean-up may still run).
   */
  public void awaitLoop() throws InterruptedException {
    try {
      CompletableFuture.anyOf(loopEnded, status.death()).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Waits up to {@code timeout} for the poll loop's thread to end; true when it has. */
  public boolean awaitLoopEnd(Duration timeout) throws InterruptedException {
    loopThread.join(Math.max(1, timeout.toMillis()));
    return !loopThread.isAlive();
  }

  /** Stops intake, flushes and commits what is staged, closes everything. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping appender");
    status.stopping();
    loop.stop();
    // a dead loop flushes nothing: only its clean-up is waited for
    Duration wait =
        status.isLoopDead() ? DEAD_LOOP_CLEANUP : config.shutdownTimeout().plusSeconds(15);
    try {
      loopThread.join(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (loopThread.isAlive()) {
      LOG.warn("poll loop did not stop within {}", wait);
    }
    http.stop();
    if (catalog instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.warn("closing the catalog: {}", e.getMessage());
      }
    }
    LOG.info("appender stopped");
  }
}
