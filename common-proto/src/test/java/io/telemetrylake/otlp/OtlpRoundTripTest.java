package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpJsonEncoder.Style;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpRoundTripTest {
  private static final ExportLogsServiceRequest RICH = SampleRequests.rich();

  @Test
  void richRequestRoundTripsThroughProtobuf() throws Exception {
    ExportLogsServiceRequest decoded =
        OtlpLogsDecoder.decode(RICH.toByteArray(), OtlpEncoding.PROTOBUF);

    assertThat(decoded).isEqualTo(RICH);
  }

  @Test
  void richRequestUsesEveryFeatureTheRoundTripClaimsToCover() {
    // Guards the fixture: if someone trims it, the round trips above stop proving much.
    var first = RICH.getResourceLogs(0);
    var full = first.getScopeLogs(0).getLogRecords(0);
    assertThat(RICH.getResourceLogsCount()).isEqualTo(3);
    assertThat(first.getScopeLogsCount()).isEqualTo(3);
    assertThat(full.getTraceId().size()).isEqualTo(16);
    assertThat(full.getSpanId().size()).isEqualTo(8);
    assertThat(full.getEventName()).isNotEmpty();
    assertThat(full.getFlags()).isNotZero();
    assertThat(full.getDroppedAttributesCount()).isNotZero();
    assertThat(full.getObservedTimeUnixNano()).isNegative(); // unsigned value above 2^63
    assertThat(first.getSchemaUrl()).isNotEmpty();
    assertThat(first.getScopeLogs(0).getSchemaUrl()).isNotEmpty();
    assertThat(first.getResource().getEntityRefsCount()).isEqualTo(1);
    assertThat(full.getAttributesList())
        .extracting(kv -> kv.getValue().getValueCase().name())
        .contains(
            "STRING_VALUE", "BOOL_VALUE", "INT_VALUE", "DOUBLE_VALUE", "ARRAY_VALUE",
            "KVLIST_VALUE", "BYTES_VALUE", "STRING_VALUE_STRINDEX", "VALUE_NOT_SET");
  }

  static Stream<Style> jsonStyles() {
    return Stream.of(
        Style.OTLP,
        new Style(true, false, false, false, false),
        new Style(false, true, false, false, false),
        new Style(false, false, true, false, false),
        new Style(false, false, false, true, false),
        new Style(false, false, false, false, true),
        new Style(true, true, true, true, true));
  }

  @ParameterizedTest
  @MethodSource("jsonStyles")
  void richRequestRoundTripsThroughJson(Style style) throws Exception {
    byte[] json = OtlpJsonEncoder.encode(RICH, style);

    ExportLogsServiceRequest decoded = OtlpLogsDecoder.decode(json, OtlpEncoding.JSON);

    assertThat(decoded).isEqualTo(RICH);
  }

  @Test
  void jsonAndProtobufOfTheSameRequestDecodeToTheSameBytes() throws Exception {
    byte[] json = OtlpJsonEncoder.encode(RICH, Style.OTLP);

    byte[] fromJson = OtlpLogsDecoder.decode(json, OtlpEncoding.JSON).toByteArray();
    byte[] fromProtobuf =
        OtlpLogsDecoder.decode(RICH.toByteArray(), OtlpEncoding.PROTOBUF).toByteArray();

    assertThat(fromJson).isEqualTo(fromProtobuf);
  }

  @Test
  void testEncoderWritesIdsAsHexAndInt64AsStrings() {
    // The round trip only means something if the encoder writes real OTLP/JSON.
    String json =
        new String(
            OtlpJsonEncoder.encode(RICH, new Style(false, true, false, false, false)),
            StandardCharsets.UTF_8);

    assertThat(json)
        .contains("\"traceId\":\"5b8efff798038103d269b633813fc60c\"")
        .contains("\"spanId\":\"eee19b7ec3c1b174\"")
        .contains("\"observedTimeUnixNano\":\"18446744073709551615\"")
        .contains("\"intValue\":\"-9223372036854775808\"")
        .contains("\"flags\":\"1\"");
  }
}
