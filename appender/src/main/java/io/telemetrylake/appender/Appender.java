package io.telemetrylake.appender;

import io.javalin.Javalin;
import io.telemetrylake.appender.consume.PollLoop;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.http.AdminServer;
import io.telemetrylake.appender.iceberg.CatalogFactory;
import io.telemetrylake.appender.stage.StagingDatabase;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.signal.Signal;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.util.ThreadPools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running appender process: a {@link SignalPipeline} per signal of {@code SIGNALS} (tables
 * set up, staging opened, poll loops running) and the admin server over all of them. {@link
 * AppenderMain} adds the process concerns (signals, exit codes); tests start it in-process.
 */
public final class Appender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Appender.class);
  /** How long a dead loop's clean-up may take (closing clients; no flush is attempted). */
  public static final Duration DEAD_LOOP_CLEANUP = PollLoop.DEAD_FLUSH_WAIT.plusSeconds(10);

  private final AppenderConfig config;
  private final Catalog catalog;
  private final List<SignalPipeline> pipelines;
  private final Javalin http;
  private volatile boolean closed;

  private Appender(AppenderConfig config, Catalog catalog, List<SignalPipeline> pipelines, Javalin http) {
    this.config = config;
    this.catalog = catalog;
    this.pipelines = List.copyOf(pipelines);
    this.http = http;
  }

  public static Appender start(AppenderConfig config) {
    return start(config, FlushHooks.NONE);
  }

  /**
   * Starts the appender: fails (with the cause) when the catalog cannot be reached or a table
   * cannot take the appender's files.
   *
   * @param hooks test-only points in each flush ({@link FlushHooks#NONE} in production)
   */
  public static Appender start(AppenderConfig config, FlushHooks hooks) {
    LOG.info("starting appender: {}", config.describe());
    // Iceberg's worker pool registers a JVM shutdown hook when first used; make that happen now,
    // not in a flush that runs while the JVM is already shutting down
    ThreadPools.getWorkerPool();
    Catalog catalog = CatalogFactory.create(config);
    // One DuckDB instance stages every signal: a signal may use the memory the other does not
    // need, and DuckDB keeps freed blocks for reuse only within headroom under that one limit
    // (a fixed half per signal cost the logs ~7 % more CPU per record, docs/BENCHMARKS.md).
    StagingDatabase staging = StagingDatabase.open(config.stagingDir(), config.duckdbMemoryMb());
    List<SignalPipeline> pipelines = new ArrayList<>();
    for (Signal<?> signal : config.signals()) {
      pipelines.add(
          SignalPipeline.create(config.forSignal(signal), catalog, staging, Clock.systemUTC(), hooks));
    }
    Javalin http =
        AdminServer.create(
            pipelines.stream().map(SignalPipeline::adminTarget).toList(),
            config.authToken(),
            config.metricsAuth(),
            Duration.ofMinutes(5));
    Appender appender = new Appender(config, catalog, pipelines, http);
    http.start(config.bindAddress(), config.port());
    for (SignalPipeline p : pipelines) {
      p.start();
      LOG.info("appender running: {} from {} into table {}", p.signal().name(),
          config.forSignal(p.signal()).topic(), p.table());
    }
    LOG.info("admin port {}", http.port());
    return appender;
  }

  /** Asks every pipeline for a flush (SIGUSR1, tests); completes after all have committed. */
  public CompletableFuture<FlushReport> requestFlush(FlushTrigger trigger) {
    List<CompletableFuture<FlushReport>> all =
        pipelines.stream().map(p -> p.requestFlush(trigger)).toList();
    // the first signal's report, once every signal's flush has ended
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(v -> all.get(0));
  }

  /** One signal's flush. */
  public CompletableFuture<FlushReport> requestFlush(Signal<?> signal, FlushTrigger trigger) {
    return pipeline(signal).requestFlush(trigger);
  }

  public int port() {
    return http.port();
  }

  /** The first signal's status (logs unless SIGNALS says otherwise). */
  public AppenderStatus status() {
    return pipelines.get(0).status();
  }

  public AppenderStatus status(Signal<?> signal) {
    return pipeline(signal).status();
  }

  private SignalPipeline pipeline(Signal<?> signal) {
    return pipelines.stream().filter(p -> p.signal() == signal).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("this appender runs no " + signal.name() + " pipeline"));
  }

  /** A pipeline whose loop died, if any: the process can no longer do its job. */
  public Optional<AppenderStatus> deadPipeline() {
    return pipelines.stream().map(SignalPipeline::status).filter(AppenderStatus::isLoopDead).findFirst();
  }

  /** True once every pipeline was asked to stop. */
  public boolean isStopping() {
    return pipelines.stream().allMatch(p -> p.status().isStopping());
  }

  /**
   * Blocks until a pipeline's poll loop has ended or died (a fatal error: it consumes nothing
   * more, while its clean-up may still run).
   */
  public void awaitLoop() throws InterruptedException {
    List<CompletableFuture<?>> events = new ArrayList<>();
    for (SignalPipeline p : pipelines) {
      events.add(p.ended());
      events.add(p.status().death());
    }
    try {
      CompletableFuture.anyOf(events.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Waits up to {@code timeout} for every poll loop's thread to end; true when all have. */
  public boolean awaitLoopEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean all = true;
    for (SignalPipeline p : pipelines) {
      all &= p.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
    return all;
  }

  /** Stops intake, flushes and commits what is staged, closes everything. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping appender");
    // all at once: the pipelines flush in parallel, each within the shutdown timeout
    pipelines.forEach(SignalPipeline::stop);
    for (SignalPipeline p : pipelines) {
      // a dead loop flushes nothing: only its clean-up is waited for
      Duration wait = p.status().isLoopDead() ? DEAD_LOOP_CLEANUP : config.shutdownTimeout().plusSeconds(15);
      try {
        if (!p.join(wait)) {
          LOG.warn("{} poll loop did not stop within {}", p.signal().name(), wait);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
