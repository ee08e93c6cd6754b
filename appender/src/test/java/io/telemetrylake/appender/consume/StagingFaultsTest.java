package io.telemetrylake.appender.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.stage.StagingException;
import java.io.UncheckedIOException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class StagingFaultsTest {
  private final StagingFaults faults = new StagingFaults();
  private final RuntimeException staging =
      new IllegalStateException("flush", new StagingException("COPY failed", new RuntimeException("no space")));
  private final RuntimeException s3 = new UncheckedIOException(new IOException("S3 down"));

  @Test
  void stagingIsBrokenAfterThreeFlushesInARowFailedOnIt() {
    assertThat(faults.brokenAfter(staging)).isFalse();
    assertThat(faults.brokenAfter(staging)).isFalse();
    assertThat(faults.brokenAfter(staging)).isTrue();
  }

  @Test
  void aCommittedFlushOrAnotherKindOfFailureStartsTheCountAgain() {
    faults.brokenAfter(staging);
    faults.brokenAfter(staging);
    faults.succeeded();
    assertThat(faults.brokenAfter(staging)).isFalse();
    assertThat(faults.brokenAfter(staging)).isFalse();
    assertThat(faults.brokenAfter(s3)).isFalse();
    assertThat(faults.brokenAfter(staging)).isFalse();
  }

  @Test
  void failuresOutsideStagingNeverBreakIt() {
    for (int i = 0; i < 10; i++) {
      assertThat(faults.brokenAfter(s3)).isFalse();
    }
  }
}
