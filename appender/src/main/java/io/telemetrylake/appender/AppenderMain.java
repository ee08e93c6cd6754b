package io.telemetrylake.appender;

import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.config.ConfigException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Entry point: {@code java -cp target/classes:$(cat target/appender.classpath)
 * io.telemetrylake.appender.AppenderMain}. Exit codes: 0 after SIGTERM/SIGINT (intake stopped,
 * staged rows flushed and committed first, within APPENDER_SHUTDOWN_TIMEOUT_SECONDS), 1 when the
 * appender fails, 2 for a bad setting. SIGUSR1 asks for a flush.
 */
public final class AppenderMain {
  private static final Logger LOG = LoggerFactory.getLogger(AppenderMain.class);
  private static final AtomicBoolean STOP_REQUESTED = new AtomicBoolean();

  private AppenderMain() {}

  public static void main(String[] args) throws InterruptedException {
    AppenderConfig config;
    try {
      config = AppenderConfig.fromEnvironment();
    } catch (ConfigException e) {
      LOG.error("bad setting {}", e.getMessage());
      System.exit(2);
      return;
    }
    Appender appender;
    try {
      appender = Appender.start(config);
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
    if (!STOP_REQUESTED.get()) {
      // the loop ended by itself: a fatal error, already logged (the loop marks the status
      // stopping on its way out too, so that cannot tell a fatal error from a requested stop)
      System.exit(1);
    }
  }

  private static void stopAndExit(Appender appender, String signal) {
    STOP_REQUESTED.set(true);
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
