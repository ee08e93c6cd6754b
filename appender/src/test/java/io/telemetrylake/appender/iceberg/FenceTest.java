package io.telemetrylake.appender.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FenceTest {

  @Test
  void passesWhenTheTableStillRecordsWhatThisAppenderExpects() {
    assertThat(Fence.check(List.of(0, 1), Map.of(0, 100L, 1, 50L), Map.of(0, 100L, 1, 50L, 2, 9L)))
        .isEmpty();
  }

  @Test
  void passesAFirstCommitWhenNothingIsRecordedForThePartition() {
    assertThat(Fence.check(List.of(3), Map.of(), Map.of(0, 100L))).isEmpty();
  }

  @Test
  void fencesAPartitionAnotherAppenderCommittedMeanwhile() {
    assertThat(Fence.check(List.of(0, 1), Map.of(0, 100L, 1, 50L), Map.of(0, 100L, 1, 80L)))
        .containsExactly(new Fence.Moved(1, 50L, 80L));
  }

  @Test
  void fencesWhenAnotherAppenderMadeTheFirstCommitOfAPartition() {
    assertThat(Fence.check(List.of(2), Map.of(), Map.of(2, 10L)))
        .containsExactly(new Fence.Moved(2, null, 10L));
  }

  @Test
  void fencesWhenTheTableNoLongerRecordsThePartition() {
    assertThat(Fence.check(List.of(2), Map.of(2, 10L), Map.of()))
        .containsExactly(new Fence.Moved(2, 10L, null));
  }

  @Test
  void ignoresPartitionsOutsideTheBatch() {
    assertThat(Fence.check(List.of(0), Map.of(0, 1L, 5, 1L), Map.of(0, 1L, 5, 99L))).isEmpty();
  }
}
