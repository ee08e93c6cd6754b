package io.telemetrylake.ingester.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes handed to Kafka and not yet acknowledged.
 *
 * <p>A request either gets its whole size admitted at once or is refused at once (the caller
 * answers 429): nothing waits, so request threads never block and memory stays bounded.
 */
public final class InflightBudget {
  private final long maxBytes;
  private final AtomicLong inflight = new AtomicLong();

  public InflightBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Admits {@code bytes} if they fit under the bound. */
  public boolean tryAcquire(long bytes) {
    while (true) {
      long current = inflight.get();
      // A single request larger than the whole budget is still admitted when nothing else is in
      // flight: refusing it would make it fail forever.
      if (current > 0 && current + bytes > maxBytes) {
        return false;
      }
      if (inflight.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    inflight.addAndGet(-bytes);
  }

  public long inflightBytes() {
    return inflight.get();
  }

  public long maxBytes() {
    return maxBytes;
  }
}
