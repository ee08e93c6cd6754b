package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.telemetrylake.otlp.OtlpJsonEncoder.Style;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpTracesRoundTripTest {
  private static final ExportTraceServiceRequest RICH = SampleTraceRequests.rich();

  @Test
  void richRequestRoundTripsThroughProtobuf() throws Exception {
    ExportTraceServiceRequest decoded =
        OtlpTracesDecoder.decode(RICH.toByteArray(), OtlpEncoding.PROTOBUF);

    assertThat(decoded).isEqualTo(RICH);
  }

  @Test
  void richRequestUsesEverySpanField() {
    // Guards the fixture: every field of Span, Event, Link and Status differs from its default
    // somewhere, or the JSON round trip below stops proving that field is read.
    Span full = RICH.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(setFields(full)).isEqualTo(allFields(full));
    assertThat(setFields(full.getEvents(0))).isEqualTo(allFields(full.getEvents(0)));
    assertThat(setFields(full.getLinks(0))).isEqualTo(allFields(full.getLinks(0)));
    assertThat(setFields(full.getStatus())).isEqualTo(allFields(full.getStatus()));
    assertThat(full.getEndTimeUnixNano()).isNegative(); // unsigned value above 2^63
    assertThat(full.getAttributesList())
        .extracting(kv -> kv.getValue().getValueCase().name())
        .contains(
            "STRING_VALUE", "BOOL_VALUE", "INT_VALUE", "DOUBLE_VALUE", "ARRAY_VALUE",
            "KVLIST_VALUE", "BYTES_VALUE", "STRING_VALUE_STRINDEX", "VALUE_NOT_SET");
    Span unsigned = RICH.getResourceSpans(0).getScopeSpans(0).getSpans(1);
    assertThat(unsigned.getKind()).isEqualTo(Span.SpanKind.UNRECOGNIZED);
    assertThat(unsigned.getFlags()).isEqualTo(-1);
    assertThat(RICH.getResourceSpans(0).getResource().getEntityRefsCount()).isEqualTo(1);
  }

  private static Set<String> setFields(Message message) {
    return message.getAllFields().keySet().stream().map(f -> f.getName()).collect(Collectors.toSet());
  }

  private static Set<String> allFields(Message message) {
    return message.getDescriptorForType().getFields().stream()
        .map(f -> f.getName())
        .collect(Collectors.toSet());
  }

  @ParameterizedTest
  @MethodSource("io.telemetrylake.otlp.OtlpRoundTripTest#jsonStyles")
  void richRequestRoundTripsThroughJson(Style style) throws Exception {
    byte[] json = OtlpJsonEncoder.encode(RICH, style);

    ExportTraceServiceRequest decoded = OtlpTracesDecoder.decode(json, OtlpEncoding.JSON);

    assertThat(decoded).isEqualTo(RICH);
  }

  @Test
  void jsonAndProtobufOfTheSameRequestDecodeToTheSameBytes() throws Exception {
    byte[] json = OtlpJsonEncoder.encode(RICH, Style.OTLP);

    byte[] fromJson = OtlpTracesDecoder.decode(json, OtlpEncoding.JSON).toByteArray();
    byte[] fromProtobuf =
        OtlpTracesDecoder.decode(RICH.toByteArray(), OtlpEncoding.PROTOBUF).toByteArray();

    assertThat(fromJson).isEqualTo(fromProtobuf);
  }

  @Test
  void testEncoderWritesSpanIdsAsHexTimesAsStringsAndEnumsAsIntegers() {
    // The round trip only means something if the encoder writes real OTLP/JSON.
    String json =
        new String(
            OtlpJsonEncoder.encode(RICH, new Style(false, true, false, false, false)),
            StandardCharsets.UTF_8);

    assertThat(json)
        .contains("\"resourceSpans\":[")
        .contains("\"traceId\":\"5b8efff798038103d269b633813fc60c\"")
        .contains("\"parentSpanId\":\"eee19b7ec3c1b173\"")
        .contains("\"endTimeUnixNano\":\"18446744073709551615\"")
        .contains("\"kind\":\"2\"")
        .contains("\"code\":\"2\"")
        .contains("\"flags\":\"769\"");
  }

  @Test
  void testEncoderWritesEnumNamesWhenAsked() {
    String json =
        new String(
            OtlpJsonEncoder.encode(RICH, new Style(false, false, false, false, true)),
            StandardCharsets.UTF_8);

    assertThat(json)
        .contains("\"kind\":\"SPAN_KIND_SERVER\"")
        .contains("\"code\":\"STATUS_CODE_ERROR\"")
        .contains("\"kind\":9") // unknown numbers have no name
        .contains("\"code\":7");
  }
}
