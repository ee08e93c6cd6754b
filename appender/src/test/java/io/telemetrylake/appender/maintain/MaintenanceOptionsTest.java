package io.telemetrylake.appender.maintain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.config.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaintenanceOptionsTest {
  private static MaintenanceOptions parse(Map<String, String> env, String... args) {
    return MaintenanceOptions.parse(List.of(args), new Settings(env));
  }

  @Test
  void readsDurationsAsOperatorsWriteThem() {
    assertThat(DurationText.parse("0s")).isEqualTo(Duration.ZERO);
    assertThat(DurationText.parse("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DurationText.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(DurationText.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(DurationText.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(DurationText.format(Duration.ofDays(3))).isEqualTo("3d");
    assertThatThrownBy(() -> DurationText.parse("7 days")).hasMessageContaining("90m");
  }

  @Test
  void leavesSizesAndAgesToTheTableWhenUnset() {
    MaintenanceOptions o = parse(Map.of());

    assertThat(o.targetFileBytes()).isEmpty();
    assertThat(o.expireOlderThan()).isEmpty();
    assertThat(o.retainLast()).isEmpty();
    assertThat(o.orphansOlderThan()).isEqualTo(Duration.ofDays(3));
    assertThat(o.minInputFiles()).isEqualTo(5);
    assertThat(o.every()).isEmpty();
  }

  @Test
  void aFlagWinsOverItsEnvironmentVariable() {
    MaintenanceOptions o = parse(Map.of("MAINTENANCE_RETAIN_LAST", "9", "MAINTENANCE_TARGET_FILE_SIZE_MB", "64"),
        "--retain-last", "2", "--every=10m");

    assertThat(o.retainLast()).hasValue(2);
    assertThat(o.targetFileBytes()).hasValue(64L << 20);
    assertThat(o.every()).contains(Duration.ofMinutes(10));
  }

  @Test
  void refusesAnOrphanAgeBelowAnHourUnlessForced() {
    assertThatThrownBy(() -> parse(Map.of(), "--orphans-older-than", "10m"))
        .hasMessageContaining("--orphans-older-than 10m").hasMessageContaining("--force");
    assertThat(parse(Map.of(), "--orphans-older-than", "0s", "--force").orphansOlderThan()).isZero();
  }

  @Test
  void namesTheFlagOrSettingThatIsWrong() {
    assertThatThrownBy(() -> parse(Map.of(), "--retain-last", "many")).hasMessageContaining("--retain-last");
    assertThatThrownBy(() -> parse(Map.of("MAINTENANCE_EXPIRE_OLDER_THAN", "soon")))
        .hasMessageContaining("MAINTENANCE_EXPIRE_OLDER_THAN");
    assertThatThrownBy(() -> parse(Map.of(), "--compact-harder")).hasMessageContaining("--compact-harder");
    assertThatThrownBy(() -> parse(Map.of(), "--every", "0s")).hasMessageContaining("--every");
  }
}
