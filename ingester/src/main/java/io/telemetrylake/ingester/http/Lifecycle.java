package io.telemetrylake.ingester.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests in progress and refuses new ones once draining starts, so shutdown can wait
 * until every admitted request has been acknowledged or refused honestly.
 */
public final class Lifecycle {
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean draining;

  /** Registers a request; false when draining (the caller answers 503). */
  boolean enter() {
    active.incrementAndGet();
    if (draining) {
      active.decrementAndGet();
      return false;
    }
    return true;
  }

  void exit() {
    synchronized (this) {
      active.decrementAndGet();
      notifyAll();
    }
  }

  public boolean draining() {
    return draining;
  }

  public int activeRequests() {
    return active.get();
  }

  /** Stops admitting requests and waits for those in progress; true when all finished in time. */
  public boolean drain(Duration timeout) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (active.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }
}
