package io.telemetrylake.tools.send;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** What a send run did; thread-safe, summarised at the end. */
final class SendStats {
  final AtomicLong requests = new AtomicLong();
  final AtomicLong attempts = new AtomicLong();
  final AtomicLong retries = new AtomicLong();
  final AtomicLong recordsAccepted = new AtomicLong();
  final AtomicLong recordsRejected = new AtomicLong();
  final AtomicLong recordsFailed = new AtomicLong();
  final AtomicLong rawBytes = new AtomicLong();
  final AtomicLong wireBytes = new AtomicLong();
  private final Map<String, Long> statuses = new TreeMap<>();
  private long[] latenciesNanos = new long[1024];
  private int latencyCount;

  synchronized void attempt(String status, long nanos) {
    statuses.merge(status, 1L, Long::sum);
    if (latencyCount == latenciesNanos.length) {
      latenciesNanos = Arrays.copyOf(latenciesNanos, latencyCount * 2);
    }
    latenciesNanos[latencyCount++] = nanos;
  }

  synchronized Map<String, Long> statuses() {
    return new TreeMap<>(statuses);
  }

  /** Latency percentile in milliseconds over all attempts (0 when none). */
  synchronized double percentileMillis(double p) {
    if (latencyCount == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(latenciesNanos, latencyCount);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * latencyCount) - 1;
    return sorted[Math.max(0, Math.min(index, latencyCount - 1))] / 1e6;
  }
}
