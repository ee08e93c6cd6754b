package io.telemetrylake.devstack;

import java.time.Duration;
import java.util.Locale;

/**
 * What {@code ./lake up} does when one of its children ends without being asked to. No clock and
 * no I/O: the caller says how long the child ran.
 *
 * <ul>
 *   <li>A <b>server</b> (a Kafka broker, S3, the catalog) is never restarted: everything depends
 *       on it and on its data, so the stack stops and {@code lake up} exits non-zero.
 *   <li>A <b>service</b> (ingester, appender, maintenance) is restarted after a backoff that starts
 *       at {@code initialBackoff} and doubles, up to {@code maxBackoff}, for every exit in a row
 *       that came within {@code stableAfter} of its start (a start that never became ready counts
 *       as such). A run of at least {@code stableAfter} starts the streak over. After {@code
 *       maxRestartsInARow} restarts in a row the service is given up on: it evidently cannot run,
 *       and a stack that quietly lacks it would mislead, so the stack stops as for a server.
 * </ul>
 *
 * <p>One {@link Restarts} per supervised service keeps the streak.
 */
record RestartPolicy(
    Duration initialBackoff, Duration maxBackoff, Duration stableAfter, int maxRestartsInARow) {

  /** 1 s, 2 s, 4 s ... at most 30 s; 60 s up resets; the 9th quick exit in a row gives up. */
  static final RestartPolicy STANDARD =
      new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60), 8);

  RestartPolicy {
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must be at least initialBackoff (" + initialBackoff + ")");
    }
    if (stableAfter.isNegative()) {
      throw new IllegalArgumentException("stableAfter must not be negative, got " + stableAfter);
    }
    if (maxRestartsInARow < 1) {
      throw new IllegalArgumentException(
          "maxRestartsInARow must be at least 1, got " + maxRestartsInARow);
    }
  }

  /** For people: {@code backoff 1 s doubling up to 30 s; ...}. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "backoff %s doubling up to %s; given up on after %d restarts in a row that each ended within"
            + " %d s of the start",
        ConsoleText.duration(initialBackoff),
        ConsoleText.duration(maxBackoff),
        maxRestartsInARow,
        stableAfter.toSeconds());
  }

  /** Whether the stack can live without the child for a while. */
  enum Role {
    /** Kafka, S3, the catalog: the stack stops when one ends. */
    SERVER,
    /** The ingester, an appender, the maintenance runner: restarted. */
    SERVICE
  }

  /** The outcome of one exit. */
  sealed interface Decision {}

  /**
   * Start the service again after {@code delay}.
   *
   * @param restart how many restarts of this service there have been, this one included
   * @param inARow of those, how many followed an exit soon after a start (1 after a stable run)
   */
  record Restart(Duration delay, int restart, int inARow) implements Decision {}

  /** Stop the whole stack; {@code reason} says why, for the console. */
  record StopStack(String reason) implements Decision {}

  /** A fresh streak for one service. */
  Restarts restarts(Role role) {
    return new Restarts(this, role);
  }

  /** The exits of one child so far. Not thread-safe: one supervisor thread feeds it. */
  static final class Restarts {
    private final RestartPolicy policy;
    private final Role role;
    private int inARow;
    private int total;

    private Restarts(RestartPolicy policy, Role role) {
      this.policy = policy;
      this.role = role;
    }

    /**
     * The child ended on its own (or failed to start) after running for {@code uptime} ({@link
     * Duration#ZERO} for a start that never became ready).
     */
    Decision exited(String name, Duration uptime) {
      if (role == Role.SERVER) {
        return new StopStack("the stack cannot run without " + name);
      }
      inARow = uptime.compareTo(policy.stableAfter) >= 0 ? 1 : inARow + 1;
      if (inARow > policy.maxRestartsInARow) {
        return new StopStack(
            String.format(
                Locale.ROOT,
                "%s ended %d times in a row within %d s of its start: giving up on it",
                name,
                inARow,
                policy.stableAfter.toSeconds()));
      }
      total++;
      return new Restart(backoff(inARow), total, inARow);
    }

    /** Restarts so far, across streaks. */
    int total() {
      return total;
    }

    private Duration backoff(int attempt) {
      Duration delay = policy.initialBackoff;
      for (int i = 1; i < attempt && delay.compareTo(policy.maxBackoff) < 0; i++) {
        delay = delay.multipliedBy(2);
      }
      return delay.compareTo(policy.maxBackoff) > 0 ? policy.maxBackoff : delay;
    }
  }
}
