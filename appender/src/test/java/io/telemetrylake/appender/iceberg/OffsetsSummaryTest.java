package io.telemetrylake.appender.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetsSummaryTest {

  @Test
  void namesTheKeyAfterGroupAndTopic() {
    assertThat(OffsetsSummary.key("telemetry-lake-appender", "otel-logs"))
        .isEqualTo("telemetry-lake.offsets.telemetry-lake-appender.otel-logs");
  }

  @Test
  void formatsSortedByPartitionAndParsesBack() {
    String json = OffsetsSummary.format(Map.of(10, 5L, 2, 7L, 0, 123_456_789_012L));

    assertThat(json).isEqualTo("{\"0\":123456789012,\"2\":7,\"10\":5}");
    assertThat(OffsetsSummary.parse(json)).containsExactly(
        Map.entry(0, 123_456_789_012L), Map.entry(2, 7L), Map.entry(10, 5L));
  }

  @Test
  void mergeKeepsOtherPartitionsAndTakesTheBatchOffsets() {
    Map<Integer, Long> merged =
        OffsetsSummary.merge(Map.of(0, 10L, 1, 20L, 2, 30L), Map.of(1, 25L, 3, 4L));

    assertThat(merged).containsExactly(
        Map.entry(0, 10L), Map.entry(1, 25L), Map.entry(2, 30L), Map.entry(3, 4L));
  }

  @Test
  void parsesAnEmptyObject() {
    assertThat(OffsetsSummary.parse("{}")).isEmpty();
  }

  @Test
  void rejectsValuesItCannotTrust() {
    assertThatThrownBy(() -> OffsetsSummary.parse("not json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("offsets are not valid JSON");
    assertThatThrownBy(() -> OffsetsSummary.parse("[1,2]"))
        .hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> OffsetsSummary.parse("{\"x\":1}"))
        .hasMessageContaining("'x' is not a partition number");
    assertThatThrownBy(() -> OffsetsSummary.parse("{\"0\":-1}"))
        .hasMessageContaining("partition 0 has no valid offset");
    assertThatThrownBy(() -> OffsetsSummary.parse("{\"0\":\"12\"}"))
        .hasMessageContaining("partition 0 has no valid offset");
    assertThatThrownBy(() -> OffsetsSummary.parse("{\"0\":1.5}"))
        .hasMessageContaining("partition 0 has no valid offset");
  }
}
