package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {
  @Test
  void takesThePeakHeapFromTheUsedSizeBeforeEachPause() {
    GcLog gc = GcLog.parse(List.of(
        "[0.012s][info][gc] Using Parallel",
        "[1.234s][info][gc] GC(0) Pause Young (Allocation Failure) 130M->12M(491M) 3.500ms",
        "[2.345s][info][gc] GC(1) Pause Young (Allocation Failure) 140M->30M(491M) 4.500ms",
        "[3.456s][info][gc] GC(2) Pause Full (Ergonomics) 200M->20M(512M) 12.000ms",
        "[4.000s][info][gc] GC(3) Pause Young (Allocation Failure) 900K->100K(1G) 1.000ms"));

    assertThat(gc.pauses()).isEqualTo(4);
    assertThat(gc.peakUsedBytes()).isEqualTo(200L * 1024 * 1024);
    assertThat(gc.peakLiveBytes()).isEqualTo(30L * 1024 * 1024);
    assertThat(gc.peakCommittedBytes()).isEqualTo(1024L * 1024 * 1024);
    assertThat(gc.pauseMillis()).isEqualTo(21.0);
  }

  @Test
  void reportsNothingForALogWithoutPauses() {
    GcLog gc = GcLog.parse(List.of("[0.012s][info][gc] Using Parallel"));

    assertThat(gc.pauses()).isZero();
    assertThat(gc.peakUsedBytes()).isZero();
  }
}
