package io.telemetrylake.appender.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AppenderStatusTest {
  private final AppenderStatus status = new AppenderStatus();

  @Test
  void aRunningLoopIsAliveAndAStoppingAppenderStaysAliveWhileItsLoopEnds() {
    status.loopRunning(true);
    assertThat(status.isAlive()).isTrue();

    status.stopping();
    status.loopRunning(false);

    assertThat(status.isAlive()).isTrue();
    assertThat(status.isLoopDead()).isFalse();
    assertThat(status.notReadyReasons()).contains("shutting down");
  }

  @Test
  void aDeadLoopIsNotAliveEvenOnceTheAppenderIsStoppingAndSaysWhyItIsNotReady() {
    status.loopRunning(true);

    status.loopDied("StagingException: disk full");
    status.stopping();

    assertThat(status.isAlive()).isFalse();
    assertThat(status.isLoopDead()).isTrue();
    assertThat(status.death()).isCompletedWithValue("StagingException: disk full");
    assertThat(status.notReadyReasons())
        .contains("the consumer loop died: StagingException: disk full")
        .doesNotContain("the consumer loop is not running");
  }

  @Test
  void aLoopThatEndedWithoutAStopIsNotAlive() {
    status.loopRunning(true);

    status.loopRunning(false);

    assertThat(status.isAlive()).isFalse();
    assertThat(status.deathCause()).isEmpty();
  }
}
