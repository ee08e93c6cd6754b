package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadSpreadTest {

  @Test
  void anEvenLoadHasMaxOverMeanOne() {
    LoadSpread even = LoadSpread.of(Map.of(0, 10L, 1, 10L, 2, 10L));

    assertThat(even.maxOverMean()).isEqualTo(1.0);
    assertThat(even.used()).isEqualTo(3);
    assertThat(even.maxShare()).isEqualTo(1.0 / 3);
  }

  @Test
  void countsIdleUnitsInTheMean() {
    LoadSpread skewed = LoadSpread.of(Map.of(0, 0L, 1, 90L, 2, 10L, 3, 0L));

    assertThat(skewed.mean()).isEqualTo(25.0);
    assertThat(skewed.maxOverMean()).isEqualTo(3.6);
    assertThat(skewed.used()).isEqualTo(2);
    assertThat(skewed.min()).isZero();
    assertThat(skewed.report()).containsEntry("max_share", 0.9).containsEntry("units", 4);
  }

  @Test
  void nothingAtAllIsZeroNotNaN() {
    assertThat(LoadSpread.of(Map.of()).maxOverMean()).isZero();
    assertThat(LoadSpread.of(Map.of(0, 0L)).maxShare()).isZero();
  }
}
