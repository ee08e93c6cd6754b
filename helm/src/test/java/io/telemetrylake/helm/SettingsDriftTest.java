package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison on its own: a rename on either side must be reported, naming both names. */
final class SettingsDriftTest {
  private static final List<String> SERVICE = List.of("KAFKA_TOPIC", "INGESTER_PORT", "INGESTER_HOST");

  @Test
  void reportsNoDriftWhenTheNamesAreTheSame() {
    SettingsDrift drift = SettingsDrift.between(List.of("INGESTER_HOST", "KAFKA_TOPIC", "INGESTER_PORT"), SERVICE);

    assertThat(drift.isNone()).isTrue();
    assertThat(drift.describe("ingester")).isEqualTo("the chart and ingester agree");
  }

  @Test
  void reportsASettingRenamedInTheServiceOnly() {
    List<String> renamedInService = List.of("KAFKA_TOPIC", "INGESTER_HTTP_PORT", "INGESTER_HOST");

    SettingsDrift drift = SettingsDrift.between(SERVICE, renamedInService);

    assertThat(drift.isNone()).isFalse();
    assertThat(drift.unknownToService()).containsExactly("INGESTER_PORT");
    assertThat(drift.notSetByChart()).containsExactly("INGESTER_HTTP_PORT");
    assertThat(drift.describe("ingester"))
        .contains("the chart sets [INGESTER_PORT], which ingester does not read")
        .contains("ingester reads [INGESTER_HTTP_PORT], which the chart does not set");
  }

  @Test
  void reportsASettingRenamedInTheChartOnly() {
    List<String> renamedInChart = List.of("KAFKA_TOPIC_NAME", "INGESTER_PORT", "INGESTER_HOST");

    SettingsDrift drift = SettingsDrift.between(renamedInChart, SERVICE);

    assertThat(drift.unknownToService()).containsExactly("KAFKA_TOPIC_NAME");
    assertThat(drift.notSetByChart()).containsExactly("KAFKA_TOPIC");
  }

  @Test
  void reportsASettingTheChartDoesNotSetAtAll() {
    SettingsDrift drift = SettingsDrift.between(List.of("KAFKA_TOPIC", "INGESTER_PORT"), SERVICE);

    assertThat(drift.unknownToService()).isEmpty();
    assertThat(drift.notSetByChart()).containsExactly("INGESTER_HOST");
    assertThat(drift.isNone()).isFalse();
  }
}
