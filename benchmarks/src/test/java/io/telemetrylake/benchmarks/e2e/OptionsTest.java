package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void readsSpacedAndEqualsFormsWithDefaults() {
    Options o = Options.parse(new String[] {"ingest", "--duration", "60", "--pool=8", "--records", "3_000_000"}, 1);

    assertThat(o.integer("duration", 30)).isEqualTo(60);
    assertThat(o.integer("pool", 64)).isEqualTo(8);
    assertThat(o.longValue("records", 1)).isEqualTo(3_000_000);
    assertThat(o.integer("rounds", 2)).isEqualTo(2);
    o.checkAllRead();
  }

  @Test
  void refusesAnOptionNoScenarioReads() {
    Options o = Options.parse(new String[] {"--duraton", "60"}, 0);
    o.integer("duration", 30);

    assertThatThrownBy(o::checkAllRead).hasMessage("unknown option --duraton");
  }
}
