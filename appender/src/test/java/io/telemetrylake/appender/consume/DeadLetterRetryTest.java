package io.telemetrylake.appender.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetterRetryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final DeadLetterRetry retry = new DeadLetterRetry(Duration.ofSeconds(1), Duration.ofSeconds(60));

  @Test
  void backoffDoublesFromTheMinimumUpToTheMaximum() {
    assertThat(List.of(retry.backoff(1), retry.backoff(2), retry.backoff(3), retry.backoff(7), retry.backoff(100)))
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(60),
            Duration.ofSeconds(60));
  }

  @Test
  void aFailedSendHoldsThePartitionUntilItsNextTry() {
    assertThat(retry.failed(3, 17, "timeout", T0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(retry.waiting(3, T0.plusMillis(999))).isTrue();
    assertThat(retry.waiting(3, T0.plusSeconds(1))).isFalse();
    assertThat(retry.waiting(4, T0)).as("other partitions flow on").isFalse();

    assertThat(retry.failed(3, 17, "timeout", T0.plusSeconds(1))).isEqualTo(Duration.ofSeconds(2));
    assertThat(retry.held(3)).hasValueSatisfying(h -> assertThat(h.failures()).isEqualTo(2));
  }

  @Test
  void readinessNamesTheHeldRecordUntilItsSendSucceeds() {
    assertThat(retry.reason("logs-dlq")).isEmpty();
    retry.failed(0, 5, "NotEnoughReplicasException", T0);
    retry.failed(0, 5, "NotEnoughReplicasException", T0);

    assertThat(retry.reason("logs-dlq")).hasValueSatisfying(r -> assertThat(r)
        .contains("dead-letter sends to logs-dlq are failing")
        .contains("partition 0 at offset 5 after 2 attempt(s): NotEnoughReplicasException"));

    retry.succeeded(0);
    assertThat(retry.reason("logs-dlq")).isEmpty();
    assertThat(retry.waiting(0, T0)).isFalse();
  }

  @Test
  void anotherRecordOfThePartitionStartsCountingAgain() {
    retry.failed(1, 5, "x", T0);
    retry.failed(1, 5, "x", T0);
    assertThat(retry.failed(1, 9, "y", T0)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void revokedPartitionsAreForgotten() {
    retry.failed(1, 5, "x", T0);
    retry.forget(List.of(1));
    assertThat(retry.reason("d")).isEmpty();
  }
}
