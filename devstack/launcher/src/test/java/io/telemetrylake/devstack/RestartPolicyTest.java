package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.devstack.RestartPolicy.Decision;
import io.telemetrylake.devstack.RestartPolicy.Restart;
import io.telemetrylake.devstack.RestartPolicy.Restarts;
import io.telemetrylake.devstack.RestartPolicy.Role;
import io.telemetrylake.devstack.RestartPolicy.StopStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

  private static final Duration QUICK = Duration.ofSeconds(3);
  private static final Duration STABLE = Duration.ofSeconds(60);

  private final RestartPolicy policy =
      new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), STABLE, 6);

  @Test
  void aServiceThatEndsIsRestartedAfterTheInitialBackoff() {
    Decision decision = policy.restarts(Role.SERVICE).exited("appender", Duration.ofMinutes(5));

    assertThat(decision).isEqualTo(new Restart(Duration.ofSeconds(1), 1, 1));
  }

  @Test
  void backoffDoublesWhileTheServiceKeepsEndingSoonAfterItsStartUpToTheCap() {
    Restarts restarts = policy.restarts(Role.SERVICE);

    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      delays.add(((Restart) restarts.exited("appender", QUICK)).delay());
    }

    assertThat(delays)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10));
    assertThat(restarts.total()).isEqualTo(6);
  }

  @Test
  void aRunOfAtLeastStableAfterStartsTheStreakOverButKeepsTheTotal() {
    Restarts restarts = policy.restarts(Role.SERVICE);
    restarts.exited("ingester", QUICK);
    restarts.exited("ingester", QUICK);
    restarts.exited("ingester", QUICK);

    Decision afterStableRun = restarts.exited("ingester", STABLE);
    Decision nextQuick = restarts.exited("ingester", QUICK);

    assertThat(afterStableRun).isEqualTo(new Restart(Duration.ofSeconds(1), 4, 1));
    assertThat(nextQuick).isEqualTo(new Restart(Duration.ofSeconds(2), 5, 2));
  }

  @Test
  void givesUpAfterMaxRestartsInARowAndSaysWhy() {
    Restarts restarts = policy.restarts(Role.SERVICE);
    for (int i = 0; i < 6; i++) {
      assertThat(restarts.exited("appender", Duration.ZERO)).isInstanceOf(Restart.class);
    }

    Decision seventh = restarts.exited("appender", Duration.ZERO);

    assertThat(seventh)
        .isEqualTo(
            new StopStack("appender ended 7 times in a row within 60 s of its start: giving up on it"));
    assertThat(restarts.total()).isEqualTo(6);
  }

  @Test
  void aServiceThatKeepsRunningLongEnoughBetweenExitsIsNeverGivenUpOn() {
    Restarts restarts = policy.restarts(Role.SERVICE);

    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      decisions.add(restarts.exited("appender", QUICK));
      decisions.add(restarts.exited("appender", STABLE.plusSeconds(1)));
    }

    assertThat(decisions).allMatch(d -> d instanceof Restart);
    assertThat(restarts.total()).isEqualTo(40);
  }

  @Test
  void aServerThatEndsStopsTheStackAtOnce() {
    Restarts restarts = policy.restarts(Role.SERVER);

    assertThat(restarts.exited("s3", Duration.ofHours(1)))
        .isEqualTo(new StopStack("the stack cannot run without s3"));
    assertThat(restarts.total()).isZero();
  }

  @Test
  void standardPolicyWaitsAtMostThirtySecondsAndGivesUpOnTheNinthQuickExit() {
    Restarts restarts = RestartPolicy.STANDARD.restarts(Role.SERVICE);

    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      decisions.add(restarts.exited("appender", Duration.ofSeconds(59)));
    }

    assertThat(decisions.subList(0, 8))
        .extracting(d -> ((Restart) d).delay().toSeconds())
        .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    assertThat(decisions.get(8)).isInstanceOf(StopStack.class);
  }

  @Test
  void describesItselfForTheUsage() {
    assertThat(RestartPolicy.STANDARD.describe())
        .isEqualTo(
            "backoff 1 s doubling up to 30 s; given up on after 8 restarts in a row that each ended"
                + " within 60 s of the start");
  }

  @Test
  void rejectsSettingsThatCannotWork() {
    assertThatThrownBy(() -> new RestartPolicy(Duration.ZERO, Duration.ofSeconds(1), STABLE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialBackoff must be positive, got PT0S");
    assertThatThrownBy(
            () -> new RestartPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), STABLE, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBackoff (PT1S) must be at least initialBackoff (PT2S)");
    assertThatThrownBy(
            () -> new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), STABLE, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRestartsInARow must be at least 1, got 0");
  }
}
