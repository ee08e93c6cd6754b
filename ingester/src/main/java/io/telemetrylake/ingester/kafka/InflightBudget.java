package io.telemetrylake.ingester.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the memory held by requests: bodies being read and inflated, their decoded and split
 * copies, and the bytes handed to Kafka and not yet acknowledged. One number for all of it, because
 * they share one heap.
 *
 * <p>A request opens a {@link Reservation} before it reads anything and grows it before each
 * allocation; a growth that does not fit is refused at once (the caller answers 429). Nothing
 * waits, so request threads never block and memory stays bounded.
 *
 * <p>Fairness: once a request holds more than a sixteenth of the budget it is large, and large
 * requests may not take the last quarter unless they are alone. So a burst of huge bodies (or gzip
 * bombs) fills at most three quarters, and the small requests of real clients keep flowing beside
 * it. The budget is never exceeded: a request that could never fit is the caller's to refuse (413).
 */
public final class InflightBudget {
  private final long maxBytes;
  private final long largeRequestBytes;
  private final long largeRequestsMaxBytes;
  private final AtomicLong inflight = new AtomicLong();

  public InflightBudget(long maxBytes) {
    this.maxBytes = maxBytes;
    this.largeRequestBytes = maxBytes / 16;
    this.largeRequestsMaxBytes = maxBytes - maxBytes / 4;
  }

  /** An empty reservation; grow it before allocating, close it when the memory is free. */
  public Reservation open() {
    return new Reservation();
  }

  public long inflightBytes() {
    return inflight.get();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The admission rule, without state: may a request holding {@code own} bytes of a total of
   * {@code total} grow to {@code wanted}?
   */
  boolean allows(long total, long own, long wanted) {
    long others = total - own;
    long after = others + wanted;
    if (after > maxBytes) {
      return false;
    }
    // A large request alone may use the whole budget: otherwise it could never be admitted.
    return others == 0 || wanted <= largeRequestBytes || after <= largeRequestsMaxBytes;
  }

  /** One request's share of the budget. Not thread-safe: one request thread (or callback) at a time. */
  public final class Reservation implements AutoCloseable {
    private long bytes;

    private Reservation() {}

    /** Grows (or shrinks) to {@code wanted} bytes; false, with nothing changed, if it does not fit. */
    public boolean tryResize(long wanted) {
      if (wanted <= bytes) {
        inflight.addAndGet(wanted - bytes);
        bytes = wanted;
        return true;
      }
      while (true) {
        long total = inflight.get();
        if (!allows(total, bytes, wanted)) {
          return false;
        }
        if (inflight.compareAndSet(total, total - bytes + wanted)) {
          bytes = wanted;
          return true;
        }
      }
    }

    public long bytes() {
      return bytes;
    }

    /** Gives everything back; closing twice is harmless. */
    @Override
    public void close() {
      inflight.addAndGet(-bytes);
      bytes = 0;
    }
  }
}
