package io.telemetrylake.appender.flush;

import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.stage.StagingBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two staged batches and the flush thread: records are staged into the active batch while the
 * other (held) one is flushed in the background, one flush at a time, batches in the order they
 * were consumed (a batch whose flush failed stays held and goes first). It runs flushes and hands
 * back their outcome; the poll thread, which owns this object, decides what follows.
 */
public final class FlushCycle {
  private static final Logger LOG = LoggerFactory.getLogger(FlushCycle.class);

  /** A finished flush of one staged batch, for the poll thread to act on. */
  public record Finished(Slot slot, FlushTrigger trigger, long startNanos, FlushOutcome outcome) {}

  private record Background(FlushTrigger trigger, long startNanos, Future<FlushOutcome> outcome) {}

  private final Flusher flusher;
  private final ExecutorService flushThread;
  /** Where records are staged now. */
  private Slot active;
  /** The other batch: empty, or being flushed in the background, or left by a failed flush. */
  private Slot held;
  /** The flush of {@code held} running on the flush thread, if any. */
  private Background background;

  public FlushCycle(Flusher flusher, StagingBuffer first, StagingBuffer second) {
    this.flusher = flusher;
    this.active = new Slot(first);
    this.held = new Slot(second);
    this.flushThread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "appender-flush");
              t.setDaemon(true);
              return t;
            });
  }

  public Slot active() {
    return active;
  }

  public Slot held() {
    return held;
  }

  /** A background flush is running (or done and not yet collected). */
  public boolean flushing() {
    return background != null;
  }

  /** The batch to flush next: the one a failed flush left (its offsets come first), else the active one. */
  public Slot next() {
    return held.isEmpty() ? active : held;
  }

  /**
   * Flushes {@link #next()} on the flush thread; staging goes on into the (empty) other batch.
   *
   * @param expected what the table should record for the batch's partitions (the fence input)
   */
  public void startBackground(FlushTrigger trigger, Map<Integer, Long> expected) {
    if (background != null) {
      throw new IllegalStateException("a background flush is already running");
    }
    if (held.isEmpty()) {
      Slot full = active;
      active = held;
      held = full;
    }
    Slot slot = held;
    slot.buffer().seal();
    background =
        new Background(
            trigger, System.nanoTime(), flushThread.submit(() -> attempt(slot, trigger, expected)));
  }

  /** The background flush once it is done (with {@code wait}: waits for it); empty otherwise. */
  public Optional<Finished> finishedBackground(boolean wait) {
    if (background == null || !(wait || background.outcome().isDone())) {
      return Optional.empty();
    }
    Background b = background;
    background = null;
    return Optional.of(new Finished(held, b.trigger(), b.startNanos(), await(b.outcome())));
  }

  /** Flushes {@code slot} on the calling thread (explicit, rebalance and shutdown flushes). */
  public Finished flushHere(Slot slot, FlushTrigger trigger, Map<Integer, Long> expected) {
    long start = System.nanoTime();
    if (slot.isEmpty()) {
      return new Finished(slot, trigger, start, new FlushOutcome.Empty());
    }
    slot.buffer().seal();
    return new Finished(slot, trigger, start, attempt(slot, trigger, expected));
  }

  private FlushOutcome attempt(Slot slot, FlushTrigger trigger, Map<Integer, Long> expected) {
    try {
      return flusher.flush(trigger, slot, expected);
    } catch (RuntimeException e) {
      return new FlushOutcome.Failed(e);
    }
  }

  private static FlushOutcome await(Future<FlushOutcome> outcome) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return outcome.get();
        } catch (InterruptedException e) {
          // the flush is not abandoned half-way: its outcome decides what the poll thread does next
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException("flush task failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Forgets these partitions' rows in both batches (lost, revoked or fenced). */
  public void drop(Collection<Integer> partitions) {
    held.drop(partitions);
    active.drop(partitions);
  }

  public boolean nothingStaged() {
    return held.isEmpty() && active.isEmpty();
  }

  /** Kafka value bytes in both batches. */
  public long stagedBytes() {
    return held.batch().bytes() + active.batch().bytes();
  }

  public long stagedRows() {
    return held.batch().rows() + active.batch().rows();
  }

  /** Stops the flush thread; false when a running flush did not end within {@code wait}. */
  public boolean stopFlushThread(Duration wait) {
    flushThread.shutdown();
    try {
      if (flushThread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      LOG.warn("the flush thread did not stop in {}; leaving it", wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
