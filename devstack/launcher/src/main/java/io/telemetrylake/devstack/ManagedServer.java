package io.telemetrylake.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server of the {@link DevStack}, running as a child JVM. Restarts keep its ports and data, so
 * tests can take a server away ({@link #stop()} or {@link #kill()}) and bring it back ({@link
 * #start()}).
 */
public final class ManagedServer {

  private static final Logger LOG = LoggerFactory.getLogger(ManagedServer.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
  private static final int LOG_TAIL_LINES = 40;

  private final ServerDefinition definition;
  private final List<Path> classpath;
  private final Path runDir;
  private final Path logFile;
  private final Duration readyTimeout;
  private final ClassDataSharing classDataSharing;

  private volatile boolean retired;
  private volatile Process process;
  /** The process that stop, kill or a failed start ended on purpose: its end is no surprise. */
  private volatile Process stopRequested;
  private volatile ExitListener exitListener;
  /** The process whose unexpected end has been reported, so it is reported once. */
  private final AtomicReference<Process> reportedExit = new AtomicReference<>();
  private volatile ClassDataSharing.Plan sharingPlan = ClassDataSharing.Plan.NONE;
  private volatile long launchedAtNanos;
  private volatile Duration startupTime;

  ManagedServer(
      ServerDefinition definition,
      List<Path> classpath,
      Path runDir,
      Path logFile,
      Duration readyTimeout,
      ClassDataSharing classDataSharing) {
    this.definition = definition;
    this.classpath = List.copyOf(classpath);
    this.runDir = runDir;
    this.logFile = logFile;
    this.readyTimeout = readyTimeout;
    this.classDataSharing = classDataSharing;
  }

  /** "kafka", "s3" or "catalog". */
  public String name() {
    return definition.name();
  }

  /** Where clients reach it: Kafka's bootstrap address, or an http:// base URI. */
  public String endpoint() {
    return definition.address();
  }

  /** Where the child's stdout and stderr go. */
  public Path logFile() {
    return logFile;
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The child's process id while it runs. */
  public OptionalLong pid() {
    Process p = process;
    return p != null && p.isAlive() ? OptionalLong.of(p.pid()) : OptionalLong.empty();
  }

  /** The process id of the latest start, also after that process ended. */
  OptionalLong lastPid() {
    Process p = process;
    return p == null ? OptionalLong.empty() : OptionalLong.of(p.pid());
  }

  /** How long the current process has been running, while it runs. */
  public Optional<Duration> uptime() {
    Process p = process;
    return p != null && p.isAlive()
        ? Optional.of(Duration.ofNanos(System.nanoTime() - launchedAtNanos))
        : Optional.empty();
  }

  /** Time from launching the JVM to the server answering, for the last start. */
  public Optional<Duration> startupTime() {
    return Optional.ofNullable(startupTime);
  }

  /** Starts the server on its ports with its data and waits until it is ready; no-op if running. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    launch();
    try {
      awaitReady();
    } catch (RuntimeException e) {
      // not half up: a failed start leaves the server stopped; the caller hears of it from the
      // exception, not as an unexpected exit
      stopRequested = process;
      requestStop();
      awaitStopped();
      throw e;
    }
  }

  /** Graceful stop (SIGTERM), waits for the process to end; forcibly after 30 s. */
  public void stop() {
    requestStop();
    awaitStopped();
  }

  /** SIGKILL, like a crash: no shutdown of any kind. Waits for the process to be gone. */
  public void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    stopRequested = p;
    p.destroyForcibly();
    waitQuietly(p, STOP_TIMEOUT);
    classDataSharing.finish(sharingPlan, definition.sharingName(), false);
    LOG.info("{} killed", name());
  }

  /**
   * SIGSTOP: the process freezes (no heartbeats, no I/O) but keeps its state, like a VM paused or
   * a very long GC pause; {@link #resume()} lets it go on where it was.
   */
  public void pause() {
    signal("STOP");
    LOG.info("{} paused (SIGSTOP)", name());
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
    LOG.info("{} resumed (SIGCONT)", name());
  }

  /** The exit code of the last run, once its process has ended. */
  public OptionalInt exitCode() {
    Process p = process;
    return p == null || p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
  }

  private void signal(String signal) {
    long pid = pid().orElseThrow(() -> new IllegalStateException(name() + " is not running"));
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send SIG" + signal + " to " + name(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling " + name(), e);
    }
  }

  synchronized void launch() {
    if (retired) {
      throw new IllegalStateException(name() + " belongs to a closed DevStack");
    }
    if (isRunning()) {
      return;
    }
    for (int port : definition.ports()) {
      Ports.requireFree(port, name());
    }
    // a dump left by a previous run that ended on its own is not trusted
    classDataSharing.finish(sharingPlan, definition.sharingName(), false);
    try {
      ChildSpec spec = definition.prepare();
      sharingPlan = classDataSharing.plan(definition.sharingName(), classpath);
      List<String> jvmOptions = new ArrayList<>(spec.jvmOptions());
      jvmOptions.addAll(sharingPlan.jvmOptions());
      spec = new ChildSpec(spec.name(), jvmOptions, spec.mainClass(), spec.args(), spec.env());
      startupTime = null;
      launchedAtNanos = System.nanoTime();
      Process launched = ChildJvm.launch(spec, classpath, runDir, logFile);
      process = launched;
      long launchedAt = launchedAtNanos;
      launched.onExit().thenAccept(p -> ended(p, launchedAt));
      LOG.info("{} launched (pid {}), log {}", name(), launched.pid(), logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name() + " (log " + logFile + ")", e);
    }
  }

  synchronized void awaitReady() {
    long deadline = launchedAtNanos + readyTimeout.toNanos();
    Exception lastFailure = null;
    try {
      while (true) {
        Process p = process;
        if (p == null || !p.isAlive()) {
          throw new IllegalStateException(
              name()
                  + " exited"
                  + (p == null ? "" : " with code " + p.exitValue())
                  + " before it was ready; see "
                  + logFile
                  + logTail());
        }
        try {
          definition.probe();
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + name(), e);
        } catch (Exception e) {
          lastFailure = e;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              name()
                  + " was not ready within "
                  + readyTimeout.toSeconds()
                  + " s (last check: "
                  + lastFailure
                  + "); see "
                  + logFile
                  + logTail());
        }
        sleep(PROBE_INTERVAL);
      }
    } finally {
      definition.probesDone();
    }
    try {
      definition.afterReady();
    } catch (Exception e) {
      throw new IllegalStateException(name() + " is up but could not be set up; see " + logFile, e);
    }
    startupTime = Duration.ofNanos(System.nanoTime() - launchedAtNanos);
    LOG.info("{} ready in {} ms", name(), startupTime.toMillis());
  }

  /**
   * Tells {@code listener} whenever a process of this server ends without {@link #stop()}, {@link
   * #kill()} or the stack's close asking it to (crashed, killed from outside, exited on its own),
   * also when that happened before this call. One listener; the callback runs on a JDK thread
   * that waits for processes: hand the work over.
   */
  void onUnexpectedExit(ExitListener listener) {
    exitListener = listener;
    Process p = process;
    if (p != null && !p.isAlive()) {
      ended(p, launchedAtNanos);
    }
  }

  /** The end of a process this server launched at {@code launchedAt} (nanoTime). */
  private void ended(Process p, long launchedAt) {
    ExitListener listener = exitListener;
    if (listener == null || p != process || p == stopRequested || reportedExit.getAndSet(p) == p) {
      return;
    }
    Duration uptime = Duration.ofNanos(System.nanoTime() - launchedAt);
    listener.exited(this, p.pid(), p.exitValue(), uptime);
  }

  /** One readiness check now, as at start-up; throws with the reason while not ready. */
  void checkReady() throws Exception {
    definition.probe();
  }

  /** At most {@code lines} lines of the log from the latest start on. */
  List<String> lastLogLines(int lines) {
    try {
      return LogTail.lastLines(logFile, lines);
    } catch (IOException | UncheckedIOException e) {
      return List.of("(cannot read " + logFile + ": " + e.getMessage() + ")");
    }
  }

  /** Receives the unexpected ends of a server's processes. */
  @FunctionalInterface
  interface ExitListener {
    void exited(ManagedServer server, long pid, int exitCode, Duration uptime);
  }

  /** The stack is closing: no more starts (its data directory is about to be unlocked). */
  void retire() {
    retired = true;
  }

  /** Sends SIGTERM without waiting, so several servers can shut down at the same time. */
  void requestStop() {
    Process p = process;
    if (p != null && p.isAlive()) {
      stopRequested = p;
      p.destroy();
    }
  }

  void awaitStopped() {
    Process p = process;
    if (p == null) {
      return;
    }
    boolean graceful = waitQuietly(p, STOP_TIMEOUT);
    if (!graceful) {
      if (Thread.currentThread().isInterrupted()) {
        // e.g. lake up stopping while it restarts this server: no time to wait
        LOG.info("{}: interrupted while waiting for it to stop: killing it", name());
      } else {
        LOG.warn("{} did not stop within {} s: killing it", name(), STOP_TIMEOUT.toSeconds());
      }
      p.destroyForcibly();
      waitQuietly(p, STOP_TIMEOUT);
    }
    classDataSharing.finish(sharingPlan, definition.sharingName(), graceful);
  }

  private static boolean waitQuietly(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a server", e);
    }
  }

  private String logTail() {
    try {
      List<String> tail = LogTail.lastLines(logFile, LOG_TAIL_LINES);
      return "\n--- last lines of " + logFile + " ---\n" + String.join("\n", tail);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return name() + (isRunning() ? " (running)" : " (stopped)");
  }
}
