package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportTest {
  @Test
  void percentilesUseTheNearestRank() {
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      v[i] = 100 - i;
    }

    assertThat(Report.percentile(v, 50)).isEqualTo(50);
    assertThat(Report.percentile(v, 99)).isEqualTo(99);
    assertThat(Report.percentile(v, 100)).isEqualTo(100);
    assertThat(Report.percentile(v, 0)).isEqualTo(1);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Report.median(new double[] {0.3, 0.1})).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Report.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(Report.median(new double[0])).isNaN();
  }
}
