package io.telemetrylake.ingester.http;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs a recurring problem at most once per interval, with how often it happened meanwhile. */
final class ThrottledLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  ThrottledLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  void warn(String format, Object arg) {
    long now = System.nanoTime();
    long due = nextAt.get();
    if ((due == Long.MIN_VALUE || now - due >= 0) && nextAt.compareAndSet(due, now + intervalNanos)) {
      long skipped = suppressed.getAndSet(0);
      if (skipped > 0) {
        log.warn(format + " (and {} more like it)", arg, skipped);
      } else {
        log.warn(format, arg);
      }
    } else {
      suppressed.incrementAndGet();
    }
  }
}
