package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlushReportTest {
  private static FlushReport committed(long rows, Map<Integer, Long> offsets, long snapshot) {
    return new FlushReport(FlushTrigger.HTTP, FlushReport.Outcome.COMMITTED, rows, rows / 10, 1,
        rows * 50, 100, snapshot, offsets, List.of(), Map.of("copy", 10L, "commit", 5L), null, 1_000);
  }

  @Test
  void twoCommitsReadAsOneWithTheLaterOffsetsAndSnapshot() {
    FlushReport both = committed(100, Map.of(0, 10L, 1, 4L), 1).then(committed(30, Map.of(0, 13L), 2));

    assertThat(both.outcome()).isEqualTo(FlushReport.Outcome.COMMITTED);
    assertThat(both.rows()).isEqualTo(130);
    assertThat(both.files()).isEqualTo(2);
    assertThat(both.snapshotId()).isEqualTo(2L);
    assertThat(both.offsets()).isEqualTo(Map.of(0, 13L, 1, 4L));
    assertThat(both.phasesMs()).isEqualTo(Map.of("copy", 20L, "commit", 10L));
  }

  @Test
  void aFailureAfterACommitIsAFailureThatStillShowsWhatWasCommitted() {
    FlushReport failed = FlushReport.failed(FlushTrigger.HTTP, "S3 down", 7, 2_000);

    FlushReport both = committed(100, Map.of(0, 10L), 1).then(failed);

    assertThat(both.outcome()).isEqualTo(FlushReport.Outcome.FAILED);
    assertThat(both.error()).isEqualTo("S3 down");
    assertThat(both.rows()).isEqualTo(100);
    assertThat(both.offsets()).isEqualTo(Map.of(0, 10L));
  }

  @Test
  void anEmptySideLeavesTheOtherAsItIs() {
    FlushReport one = committed(100, Map.of(0, 10L), 1);
    FlushReport empty = FlushReport.empty(FlushTrigger.HTTP, 3_000);

    assertThat(empty.then(one)).isSameAs(one);
    assertThat(one.then(empty)).isSameAs(one);
  }
}
