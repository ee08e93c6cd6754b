package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.flush.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Partitions held at a record that could not be put in the dead-letter topic: the record is not
 * skipped (it would be lost), its partition waits and the send is retried with bounded exponential
 * backoff, for as long as it takes. Decides only; the poll loop seeks, pauses and sends. Poll-loop
 * thread only.
 */
final class DeadLetterRetry {
  private final Backoff backoff;
  private final Map<Integer, Held> held = new TreeMap<>();

  /** A partition waiting at {@code offset} after {@code failures} failed sends. */
  record Held(long offset, int failures, Instant retryAt, String error) {}

  DeadLetterRetry(Duration minBackoff, Duration maxBackoff) {
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("backoff must be 0 < min <= max, got " + minBackoff + ", " + maxBackoff);
    }
    this.backoff = new Backoff(minBackoff, maxBackoff);
  }

  /** A send failed: the partition waits at this record; returns how long until the next try. */
  Duration failed(int partition, long offset, String error, Instant now) {
    Held before = held.get(partition);
    int failures = before != null && before.offset() == offset ? before.failures() + 1 : 1;
    Duration backoff = backoff(failures);
    held.put(partition, new Held(offset, failures, now.plus(backoff), error));
    return backoff;
  }

  /** {@code min * 2^(failures-1)}, at most {@code max}. */
  Duration backoff(int failures) {
    return backoff.after(failures);
  }

  /** The record of this partition is in the DLQ now. */
  void succeeded(int partition) {
    held.remove(partition);
  }

  /** The partition must not be read yet: its held record's next try is still ahead. */
  boolean waiting(int partition, Instant now) {
    Held h = held.get(partition);
    return h != null && now.isBefore(h.retryAt());
  }

  /** Partitions that went to another appender: it retries their records itself. */
  void forget(Collection<Integer> partitions) {
    partitions.forEach(held::remove);
  }

  Optional<Held> held(int partition) {
    return Optional.ofNullable(held.get(partition));
  }

  /** Why readiness fails, or empty when no partition is held. */
  Optional<String> reason(String dlqTopic) {
    if (held.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "dead-letter sends to " + dlqTopic + " are failing; held (the record is retried, never skipped): "
            + held.entrySet().stream()
                .map(e -> "partition " + e.getKey() + " at offset " + e.getValue().offset() + " after "
                    + e.getValue().failures() + " attempt(s): " + e.getValue().error())
                .collect(Collectors.joining("; ")));
  }
}
