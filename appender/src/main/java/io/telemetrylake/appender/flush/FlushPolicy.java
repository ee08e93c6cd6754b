package io.telemetrylake.appender.flush;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides when to flush; no I/O, no clock of its own (the caller passes {@code now}).
 *
 * <p>A flush is due when an explicit request is pending (signal, HTTP), when the staged Kafka
 * value bytes reach the size limit, or when the oldest staged record reaches the age limit. After
 * a failed flush (S3 or the catalog down) size and age wait for an exponential backoff, so a
 * broken store is not hammered; explicit requests do not wait. The caller pauses consumption at
 * the hard cap ({@link #atHardCap}) so staging stays bounded while flushes fail.
 */
public final class FlushPolicy {
  private final long sizeBytes;
  private final Duration maxAge;
  private final long hardCapBytes;
  private final Backoff backoff;
  private int consecutiveFailures;
  private Instant retryNotBefore = Instant.MIN;

  public FlushPolicy(
      long sizeBytes, Duration maxAge, long hardCapBytes, Duration minBackoff, Duration maxBackoff) {
    if (sizeBytes <= 0 || hardCapBytes < sizeBytes) {
      throw new IllegalArgumentException("need 0 < size <= hard cap");
    }
    this.sizeBytes = sizeBytes;
    this.maxAge = maxAge;
    this.hardCapBytes = hardCapBytes;
    this.backoff = new Backoff(minBackoff, maxBackoff);
  }

  /**
   * @param stagedBytes Kafka value bytes staged since the last flush
   * @param oldestStaged when the oldest staged record was consumed; empty when nothing is staged
   * @param requested a pending explicit request
   */
  public Optional<FlushTrigger> due(
      long stagedBytes, Optional<Instant> oldestStaged, Optional<FlushTrigger> requested, Instant now) {
    if (requested.isPresent()) {
      return requested;
    }
    if (oldestStaged.isEmpty() || now.isBefore(retryNotBefore)) {
      return Optional.empty();
    }
    if (sizeReached(stagedBytes)) {
      return Optional.of(FlushTrigger.SIZE);
    }
    if (!now.isBefore(oldestStaged.get().plus(maxAge))) {
      return Optional.of(FlushTrigger.TIME);
    }
    return Optional.empty();
  }

  /** The batch is as large as one flush should be. */
  public boolean sizeReached(long stagedBytes) {
    return stagedBytes >= sizeBytes;
  }

  /** Consumption must pause: the staging buffer is full and flushes are not emptying it. */
  public boolean atHardCap(long stagedBytes) {
    return stagedBytes >= hardCapBytes;
  }

  public void onSuccess() {
    consecutiveFailures = 0;
    retryNotBefore = Instant.MIN;
  }

  /** Records a failed flush; returns when size/age may try again. */
  public Instant onFailure(Instant now) {
    consecutiveFailures++;
    retryNotBefore = now.plus(backoff(consecutiveFailures));
    return retryNotBefore;
  }

  /** minBackoff, doubling per consecutive failure, at most maxBackoff. */
  Duration backoff(int failures) {
    return backoff.after(failures);
  }

  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Flushes are failing: readiness reports it. */
  public boolean isDegraded() {
    return consecutiveFailures > 0;
  }
}
