package io.telemetrylake.appender;

import io.telemetrylake.appender.flush.CrashHooks;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.config.ConfigException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point: {@code java -cp target/classes:$(cat target/appender.classpath)
 * io.telemetrylake.appender.AppenderMain}. Exit codes: 0 after SIGTERM/SIGINT (intake stopped,
 * staged rows flushed and committed first, within APPENDER_SHUTDOWN_TIMEOUT_SECONDS), 1 when the
 * appender fails (at start-up, or when the poll loop dies of a fatal error: then within {@link
 * Appender#DEAD_LOOP_CLEANUP}, halted if the clean-up hangs), 2 for a bad setting. SIGUSR1 asks
 * for a flush.
 */
public final class AppenderMain {
  private static final Logger LOG = LoggerFactory.getLogger(AppenderMain.class);
  /** Beyond the dead loop's clean-up, for the shutdown hook (admin server, catalog). */
  private static final Duration HALT_GRACE = Duration.ofSeconds(5);

  private AppenderMain() {}

  public static void main(String[] args) throws InterruptedException {
    AppenderConfig config;
    FlushHooks hooks;
    try {
      config = AppenderConfig.fromEnvironment();
      hooks = CrashHooks.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      LOG.error("bad setting {}", e.getMessage());
      System.exit(2);
      return;
    }
    Appender appender;
    try {
      appender = Appender.start(config, hooks);
    } catch (RuntimeException e) {
      LOG.error("appender failed to start: {}", e.toString(), e);
      System.exit(1);
      return;
    }
    // SIGTERM/SIGINT are handled here rather than by the JVM's shutdown: the last flush must run
    // while the JVM still works normally (libraries such as S3FileIO start thread pools lazily and
    // register shutdown hooks for them, which fails once the JVM is shutting down).
    handle("TERM", () -> stopAndExit(appender, "SIGTERM"));
    handle("INT", () -> stopAndExit(appender, "SIGINT"));
    handle("USR1", () -> {
      LOG.info("SIGUSR1: flush requested");
      appender.requestFlush(FlushTrigger.SIGNAL);
    });
    // other exits (System.exit elsewhere): still try to flush
    Runtime.getRuntime().addShutdownHook(new Thread(appender::close, "appender-shutdown"));
    appender.awaitLoop();
    if (appender.deadPipeline().isPresent() || !appender.isStopping()) {
      exitDead(appender);
    }
  }

  /**
   * The loop died (the error is logged): a dead appender must not stay up looking alive, so the
   * process exits 1 for the orchestrator to restart it, after a bounded clean-up. If the clean-up
   * or the shutdown hook hangs (e.g. on a broken staging database), the JVM is halted.
   */
  private static void exitDead(Appender appender) throws InterruptedException {
    Duration cleanup = Appender.DEAD_LOOP_CLEANUP;
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(cleanup.plus(HALT_GRACE).toMillis());
      } catch (InterruptedException e) {
        return;
      }
      LOG.error("clean-up of the dead appender hangs: halting with exit code 1");
      Runtime.getRuntime().halt(1);
    }, "appender-halt");
    halt.setDaemon(true);
    halt.start();
    LOG.error(
        "the consumer loop is dead ({}): exiting with code 1 after at most {} s of clean-up",
        appender.deadPipeline().flatMap(AppenderStatus::deathCause).orElse("ended by itself"), cleanup.toSeconds());
    if (!appender.awaitLoopEnd(cleanup)) {
      LOG.warn("the dead loop's clean-up did not end within {} s; exiting anyway", cleanup.toSeconds());
    }
    System.exit(1);
  }

  private static void stopAndExit(Appender appender, String signal) {
    Thread stopper = new Thread(() -> {
      LOG.info("{}: stopping intake, flushing and committing what is staged", signal);
      appender.close();
      System.exit(0);
    }, "appender-stop");
    stopper.start();
  }

  private static void handle(String signal, Runnable action) {
    try {
      Signal.handle(new Signal(signal), s -> action.run());
    } catch (IllegalArgumentException e) {
      LOG.warn("SIG{} is not available on this platform: {}", signal, e.getMessage());
    }
  }
}
