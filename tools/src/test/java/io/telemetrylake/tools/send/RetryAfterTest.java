package io.telemetrylake.tools.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, ZoneOffset.UTC);

  @Test
  void readsDelaySeconds() {
    assertThat(RetryAfter.parse("3", NOW)).contains(Duration.ofSeconds(3));
  }

  @Test
  void readsAnHttpDate() {
    assertThat(RetryAfter.parse("Sun, 22 Nov 2026 10:00:07 GMT", NOW)).contains(Duration.ofSeconds(7));
  }

  @Test
  void ignoresGarbageAndAbsence() {
    assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    assertThat(RetryAfter.parse("-1", NOW)).isEmpty();
  }
}
