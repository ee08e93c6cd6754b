package io.telemetrylake.appender.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MaintenanceHealthTest {
  /** A clock the test moves. */
  private static final class Manual extends Clock {
    final AtomicLong millis = new AtomicLong(1_000_000);

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  @Test
  void turnsUnhealthyAfterThreeFailedRunsInARowAndRecoversWithASuccess() {
    MaintenanceHealth health = new MaintenanceHealth(new Manual(), Duration.ofHours(1));
    for (int i = 0; i < 2; i++) {
      health.started();
      health.finished(false, "failed");
    }
    assertThat(health.healthy()).isTrue();

    health.started();
    health.finished(false, "failed");
    assertThat(health.healthy()).isFalse();
    assertThat(health.describe()).startsWith("unhealthy: 3 failed run(s) in a row");

    health.started();
    health.finished(true, "ok");
    assertThat(health.healthy()).isTrue();
  }

  @Test
  void aRunStuckPastTheLimitIsUnhealthy() {
    Manual clock = new Manual();
    MaintenanceHealth health = new MaintenanceHealth(clock, Duration.ofHours(1));
    health.started();
    clock.millis.addAndGet(Duration.ofMinutes(59).toMillis());
    assertThat(health.healthy()).isTrue();

    clock.millis.addAndGet(Duration.ofMinutes(2).toMillis());
    assertThat(health.healthy()).isFalse();
    assertThat(health.describe()).contains("running for 3660 s");
  }
}
