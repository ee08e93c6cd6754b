package io.telemetrylake.appender.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Health and readiness as the HTTP thread sees them. The poll loop publishes a {@link
 * StatsSnapshot} and its conditions here; readiness fails, with reasons, when the loop is not
 * running, flushes are failing, consumption is paused at the staging cap, partitions wait for
 * their positions because the catalog cannot be read, or partitions are held at a record the
 * dead-letter topic does not take.
 *
 * <p>A loop that died of a fatal error is a state of its own, not a graceful stop: the process is
 * to exit, and until it has, it is neither alive nor ready.
 */
public final class AppenderStatus {
  private final AtomicReference<StatsSnapshot> stats = new AtomicReference<>(StatsSnapshot.initial());
  private volatile boolean loopRunning;
  private volatile boolean stopping;
  private volatile String flushFailure;
  private volatile boolean pausedAtCap;
  private volatile int partitionsWithoutPosition;
  private final CompletableFuture<String> death = new CompletableFuture<>();
  private volatile String deadLetterFailure;

  public void publish(StatsSnapshot snapshot) {
    stats.set(snapshot);
  }

  public StatsSnapshot stats() {
    return stats.get();
  }

  public void loopRunning(boolean running) {
    this.loopRunning = running;
  }

  public void stopping() {
    this.stopping = true;
  }

  public boolean isStopping() {
    return stopping;
  }

  public boolean isLoopRunning() {
    return loopRunning;
  }

  /** The poll loop hit a fatal error: it consumes no more, whatever its clean-up still does. */
  public void loopDied(String cause) {
    this.loopRunning = false;
    death.complete(cause);
  }

  public boolean isLoopDead() {
    return death.isDone();
  }

  /** Why the loop died; empty while it has not. */
  public Optional<String> deathCause() {
    return Optional.ofNullable(death.getNow(null));
  }

  /** Completes with the cause once the loop has died. */
  public CompletableFuture<String> death() {
    return death.copy();
  }

  /** Alive unless the loop died, or ended without a stop being asked for. */
  public boolean isAlive() {
    return !isLoopDead() && (loopRunning || stopping);
  }

  /** Null when the last flush worked. */
  public void flushFailure(String reason) {
    this.flushFailure = reason;
  }

  public void pausedAtCap(boolean paused) {
    this.pausedAtCap = paused;
  }

  public void partitionsWithoutPosition(int count) {
    this.partitionsWithoutPosition = count;
  }

  /** Null when no partition waits for the DLQ to take a record. */
  public void deadLetterFailure(String reason) {
    this.deadLetterFailure = reason;
  }

  /** Empty when ready; otherwise why not. */
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    Optional<String> cause = deathCause();
    if (cause.isPresent()) {
      reasons.add("the consumer loop died: " + cause.get());
    }
    if (stopping) {
      reasons.add("shutting down");
    }
    if (!loopRunning && cause.isEmpty()) {
      reasons.add("the consumer loop is not running");
    }
    String failure = flushFailure;
    if (failure != null) {
      reasons.add("flushes are failing: " + failure);
    }
    if (pausedAtCap) {
      reasons.add("consumption paused: staging is at APPENDER_MAX_STAGED_MB");
    }
    int waiting = partitionsWithoutPosition;
    if (waiting > 0) {
      reasons.add(waiting + " partition(s) wait for their offsets from the table");
    }
    String dlq = deadLetterFailure;
    if (dlq != null) {
      reasons.add(dlq);
    }
    return reasons;
  }
}
