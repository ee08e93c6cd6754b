package io.telemetrylake.appender.flush;

import java.util.Locale;

/** Why a flush ran; a label of the flush metrics and the {@code trigger} of /stats. */
public enum FlushTrigger {
  /** Staged value bytes reached BUFFER_SIZE_MB. */
  SIZE,
  /** The oldest staged record is BUFFER_TIME_SECONDS old. */
  TIME,
  /** SIGUSR1. */
  SIGNAL,
  /** POST /flush. */
  HTTP,
  /** SIGTERM: last flush before exit. */
  SHUTDOWN,
  /** Partitions are being revoked in a rebalance. */
  REBALANCE;

  @com.fasterxml.jackson.annotation.JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Asked for by someone (signal, HTTP): runs even while failed flushes are backing off. */
  public boolean isExplicit() {
    return this == SIGNAL || this == HTTP || this == SHUTDOWN || this == REBALANCE;
  }
}
