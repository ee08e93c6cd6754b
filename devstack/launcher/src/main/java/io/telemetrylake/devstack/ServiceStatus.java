package io.telemetrylake.devstack;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One row of {@code lake status}: a child of {@code ./lake up} as its supervisor sees it now.
 *
 * @param uptime how long the current process has run, while it runs
 * @param note why it is not ready, when it restarts, its last unexpected exit; or empty
 */
record ServiceStatus(
    String name,
    OptionalLong pid,
    Optional<Duration> uptime,
    Readiness ready,
    int restarts,
    String endpoint,
    String note) {

  /** What the READY column says. */
  enum Readiness {
    YES("yes"),
    NO("no"),
    STARTING("starting"),
    RESTARTING("restarting"),
    STOPPED("stopped");

    private final String text;

    Readiness(String text) {
      this.text = text;
    }

    String text() {
      return text;
    }
  }
}
