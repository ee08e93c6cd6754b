package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlushPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final FlushPolicy policy =
      new FlushPolicy(1000, Duration.ofSeconds(300), 4000, Duration.ofSeconds(1), Duration.ofSeconds(60));

  @Test
  void flushesNothingWhenNothingIsStaged() {
    assertThat(policy.due(0, Optional.empty(), Optional.empty(), T0.plusSeconds(10_000))).isEmpty();
  }

  @Test
  void flushesWhenStagedBytesReachTheSize() {
    assertThat(policy.due(999, Optional.of(T0), Optional.empty(), T0)).isEmpty();
    assertThat(policy.due(1000, Optional.of(T0), Optional.empty(), T0)).contains(FlushTrigger.SIZE);
  }

  @Test
  void flushesWhenTheOldestStagedRecordReachesTheAge() {
    assertThat(policy.due(1, Optional.of(T0), Optional.empty(), T0.plusSeconds(299))).isEmpty();
    assertThat(policy.due(1, Optional.of(T0), Optional.empty(), T0.plusSeconds(300)))
        .contains(FlushTrigger.TIME);
  }

  @Test
  void explicitRequestsWinEvenWithNothingStaged() {
    assertThat(policy.due(0, Optional.empty(), Optional.of(FlushTrigger.HTTP), T0))
        .contains(FlushTrigger.HTTP);
    assertThat(policy.due(5000, Optional.of(T0), Optional.of(FlushTrigger.SIGNAL), T0))
        .contains(FlushTrigger.SIGNAL);
  }

  @Test
  void backsOffExponentiallyAfterFailuresButNotForExplicitRequests() {
    Instant retryAt = policy.onFailure(T0);
    assertThat(retryAt).isEqualTo(T0.plusSeconds(1));
    assertThat(policy.due(5000, Optional.of(T0), Optional.empty(), T0.plusMillis(999))).isEmpty();
    assertThat(policy.due(5000, Optional.of(T0), Optional.of(FlushTrigger.HTTP), T0.plusMillis(999)))
        .contains(FlushTrigger.HTTP);
    assertThat(policy.due(5000, Optional.of(T0), Optional.empty(), T0.plusSeconds(1)))
        .contains(FlushTrigger.SIZE);

    assertThat(policy.onFailure(T0)).isEqualTo(T0.plusSeconds(2));
    assertThat(policy.onFailure(T0)).isEqualTo(T0.plusSeconds(4));
    assertThat(policy.isDegraded()).isTrue();
    assertThat(policy.consecutiveFailures()).isEqualTo(3);
  }

  @Test
  void capsTheBackoffAndResetsAfterASuccess() {
    for (int i = 0; i < 20; i++) {
      policy.onFailure(T0);
    }
    assertThat(policy.backoff(20)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.due(5000, Optional.of(T0), Optional.empty(), T0.plusSeconds(59))).isEmpty();

    policy.onSuccess();

    assertThat(policy.isDegraded()).isFalse();
    assertThat(policy.due(5000, Optional.of(T0), Optional.empty(), T0)).contains(FlushTrigger.SIZE);
  }

  @Test
  void reachesTheHardCapOnlyAtItsSize() {
    assertThat(policy.atHardCap(3999)).isFalse();
    assertThat(policy.atHardCap(4000)).isTrue();
  }
}
