package io.telemetrylake.devstack;

import io.telemetrylake.devstack.RestartPolicy.Decision;
import io.telemetrylake.devstack.RestartPolicy.Restart;
import io.telemetrylake.devstack.RestartPolicy.Restarts;
import io.telemetrylake.devstack.RestartPolicy.Role;
import io.telemetrylake.devstack.RestartPolicy.StopStack;
import io.telemetrylake.devstack.ServiceStatus.Readiness;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code ./lake up}'s watch over its children: when one ends without being asked to, it prints
 * which, its exit code and the last lines of its log, then follows the {@link RestartPolicy}:
 * restarts a service after its backoff, or hands the reason to {@code stopStack} (a server ended,
 * or a service was given up on). Also answers {@code lake status} ({@link #status()}).
 *
 * <p>Exits are reported by {@link ManagedServer#onUnexpectedExit}; restarts run one at a time on
 * a thread of their own, so a slow start never delays the news of a dead server.
 */
final class Supervisor implements AutoCloseable {

  static final int LOG_LINES = 20;
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_NOTE = 160;

  private final RestartPolicy policy;
  private final PrintStream out;
  private final Consumer<String> stopStack;
  private final Clock clock;
  private final List<Watched> watched = new ArrayList<>();
  private final ScheduledExecutorService restarter =
      Executors.newSingleThreadScheduledExecutor(daemon("lake-up-restarts"));
  private final ExecutorService probes = Executors.newCachedThreadPool(daemon("lake-status-probe"));
  private boolean closed;

  /**
   * @param out where the news goes (the console of {@code lake up})
   * @param stopStack called once, with the reason, when the stack must stop; it must not block
   *     for long (it runs while exits are being handled)
   */
  Supervisor(RestartPolicy policy, PrintStream out, Consumer<String> stopStack, Clock clock) {
    this.policy = policy;
    this.out = out;
    this.stopStack = stopStack;
    this.clock = clock;
  }

  /** How {@code lake status} finds out whether a child is ready; throws with the reason if not. */
  @FunctionalInterface
  interface ReadyCheck {
    void check() throws Exception;
  }

  /** Watches a running child, checked for readiness as at its start. */
  void watch(ManagedServer server, Role role) {
    watch(server, role, server::checkReady);
  }

  /** Watches a running child; {@code lake status} checks it with {@code readyCheck}. */
  void watch(ManagedServer server, Role role, ReadyCheck readyCheck) {
    Watched w = new Watched(server, policy.restarts(role), readyCheck);
    synchronized (this) {
      watched.add(w);
    }
    server.onUnexpectedExit((s, pid, code, uptime) -> exited(w, pid, code, uptime));
  }

  private void exited(Watched w, long pid, int exitCode, Duration uptime) {
    synchronized (this) {
      // an exit during a restart attempt is that attempt's failure, reported by its exception
      if (closed || w.state != State.RUNNING) {
        return;
      }
      report(w, pid, exitCode, uptime);
      decide(w, uptime);
    }
  }

  private void report(Watched w, long pid, int exitCode, Duration uptime) {
    w.lastExitCode = exitCode;
    w.lastExitAt = clock.instant();
    out.println(
        ConsoleText.exitReport(
            w.name(), pid, exitCode, uptime, w.server.logFile(), w.server.lastLogLines(LOG_LINES)));
    out.flush();
  }

  /** Under the lock. */
  private void decide(Watched w, Duration uptime) {
    Decision decision = w.restarts.exited(w.name(), uptime);
    if (decision instanceof Restart restart) {
      w.state = State.WAITING;
      w.restartAt = clock.instant().plus(restart.delay());
      out.printf(
          Locale.ROOT,
          "lake up: restarting %s in %s (restart %d%s)%n",
          w.name(),
          ConsoleText.duration(restart.delay()),
          restart.restart(),
          restart.inARow() > 1
              ? String.format(
                  Locale.ROOT,
                  "; %d in a row within %d s of the start, at most %d",
                  restart.inARow(),
                  policy.stableAfter().toSeconds(),
                  policy.maxRestartsInARow())
              : "");
      out.flush();
      restarter.schedule(() -> restart(w), restart.delay().toMillis(), TimeUnit.MILLISECONDS);
    } else if (decision instanceof StopStack stop) {
      w.state = State.STOPPED;
      closed = true;
      out.println("lake up: " + stop.reason() + "; stopping everything");
      out.flush();
      stopStack.accept(stop.reason());
    }
  }

  private void restart(Watched w) {
    synchronized (this) {
      if (closed) {
        return;
      }
      w.state = State.STARTING;
    }
    RuntimeException failure = null;
    try {
      w.server.start();
    } catch (RuntimeException e) {
      failure = e;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      if (failure != null) {
        out.println("lake up: " + w.name() + " did not start again: " + failure.getMessage());
        w.lastExitCode = w.server.exitCode().orElse(w.lastExitCode);
        w.lastExitAt = clock.instant();
        decide(w, Duration.ZERO);
        return;
      }
      if (!w.server.isRunning()) {
        // ended between its start and now, while its exit counted as the start's
        report(w, w.server.lastPid().orElse(-1), w.server.exitCode().orElse(-1), Duration.ZERO);
        decide(w, Duration.ZERO);
        return;
      }
      w.state = State.RUNNING;
      out.printf(
          Locale.ROOT,
          "lake up: %s is running again (pid %d, ready in %s)%n",
          w.name(),
          w.server.lastPid().orElse(-1),
          w.server.startupTime().map(ConsoleText::duration).orElse("?"));
      out.flush();
    }
  }

  /** Every watched child in the order watched, its readiness checked now (in parallel). */
  List<ServiceStatus> status() {
    List<CompletableFuture<ServiceStatus>> rows = new ArrayList<>();
    synchronized (this) {
      for (Watched w : watched) {
        rows.add(row(w));
      }
    }
    return rows.stream().map(CompletableFuture::join).toList();
  }

  /** Under the lock: the state now, the readiness check (if running) to come. */
  private CompletableFuture<ServiceStatus> row(Watched w) {
    Instant now = clock.instant();
    String lastExit =
        w.lastExitAt == null
            ? ""
            : "last exit "
                + ConsoleText.exitCode(w.lastExitCode)
                + ", "
                + ConsoleText.duration(Duration.between(w.lastExitAt, now))
                + " ago";
    int restarts = w.restarts.total();
    String endpoint = w.server.endpoint();
    String name = w.name();
    switch (w.state) {
      case WAITING -> {
        Duration in = Duration.between(now, w.restartAt);
        String note = "restart in " + ConsoleText.duration(in.isNegative() ? Duration.ZERO : in);
        return CompletableFuture.completedFuture(
            new ServiceStatus(name, OptionalLong.empty(), Optional.empty(), Readiness.RESTARTING,
                restarts, endpoint, join(note, lastExit)));
      }
      case STARTING -> {
        return CompletableFuture.completedFuture(
            new ServiceStatus(name, w.server.pid(), w.server.uptime(), Readiness.STARTING,
                restarts, endpoint, lastExit));
      }
      case STOPPED -> {
        return CompletableFuture.completedFuture(
            new ServiceStatus(name, OptionalLong.empty(), Optional.empty(), Readiness.STOPPED,
                restarts, endpoint, lastExit));
      }
      default -> {
        OptionalLong pid = w.server.pid();
        Optional<Duration> uptime = w.server.uptime();
        ReadyCheck check = w.readyCheck;
        if (closed) {
          return CompletableFuture.completedFuture(
              new ServiceStatus(name, pid, uptime, Readiness.NO, restarts, endpoint, "lake up is stopping"));
        }
        return CompletableFuture.supplyAsync(
                () -> {
                  try {
                    check.check();
                    return new ServiceStatus(name, pid, uptime, Readiness.YES, restarts, endpoint, lastExit);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new ServiceStatus(name, pid, uptime, Readiness.NO, restarts, endpoint, "interrupted");
                  } catch (Exception e) {
                    return new ServiceStatus(
                        name, pid, uptime, Readiness.NO, restarts, endpoint, join(reason(e), lastExit));
                  }
                },
                probes)
            .completeOnTimeout(
                new ServiceStatus(name, pid, uptime, Readiness.NO, restarts, endpoint,
                    join("no answer within " + PROBE_TIMEOUT.toSeconds() + " s", lastExit)),
                PROBE_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
      }
    }
  }

  private static String reason(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    message = message.replaceAll("\\s+", " ").strip();
    return message.length() > MAX_NOTE ? message.substring(0, MAX_NOTE - 3) + "..." : message;
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
  }

  /**
   * No more restarts; an attempt in progress is interrupted (its half-started process is
   * stopped). Exits from here on are the stack's own stop.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    restarter.shutdownNow();
    probes.shutdownNow();
    try {
      restarter.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private enum State {
    RUNNING,
    WAITING,
    STARTING,
    STOPPED
  }

  /** One child and what the supervisor knows of it; fields guarded by the supervisor's lock. */
  private static final class Watched {
    final ManagedServer server;
    final Restarts restarts;
    final ReadyCheck readyCheck;
    State state = State.RUNNING;
    Instant restartAt;
    Instant lastExitAt;
    int lastExitCode;

    Watched(ManagedServer server, Restarts restarts, ReadyCheck readyCheck) {
      this.server = server;
      this.restarts = restarts;
      this.readyCheck = readyCheck;
    }

    String name() {
      return server.name();
    }
  }
}
