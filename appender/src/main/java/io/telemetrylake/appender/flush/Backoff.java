package io.telemetrylake.appender.flush;

import java.time.Duration;

/** How long to wait after consecutive failures: {@code min}, doubling per failure, at most {@code max}. */
public record Backoff(Duration min, Duration max) {

  /** {@code min * 2^(failures-1)}, at most {@code max}. */
  public Duration after(int failures) {
    Duration d = min;
    for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
