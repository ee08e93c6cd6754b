package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpJsonTracesDecodingTest {
  private static final String SPAN_PATH = "/resourceSpans/0/scopeSpans/0/spans/0";

  // ---- helpers ------------------------------------------------------------------------------

  private static ExportTraceServiceRequest decode(String json) throws OtlpDecodeException {
    return OtlpTracesDecoder.decode(json.getBytes(StandardCharsets.UTF_8), OtlpEncoding.JSON);
  }

  private static String inSpan(String spanJson) {
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + spanJson + "]}]}]}";
  }

  private static Span span(String spanJson) throws OtlpDecodeException {
    return decode(inSpan(spanJson)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  private static OtlpDecodeException malformed(String json) {
    OtlpDecodeException e = catchThrowableOfType(OtlpDecodeException.class, () -> decode(json));
    assertThat(e).as("expected the body to be refused").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    return e;
  }

  /** A value nested {@code levels} deep in kvlistValues, the innermost an empty list. */
  private static String nestedKvlists(int levels, String innermost) {
    StringBuilder json = new StringBuilder();
    for (int i = 1; i < levels; i++) {
      json.append("{\"kvlistValue\":{\"values\":[{\"key\":\"k").append(i).append("\",\"value\":");
    }
    json.append(innermost);
    for (int i = 1; i < levels; i++) {
      json.append("}]}}");
    }
    return json.toString();
  }

  private static String attributeNested(int levels) {
    // The innermost list holds a key without a value: the deepest message protobuf will see.
    String deepest = "{\"kvlistValue\":{\"values\":[{\"key\":\"leaf\"}]}}";
    return "[{\"key\":\"a\",\"value\":" + nestedKvlists(levels, deepest) + "}]";
  }

  // ---- ids ----------------------------------------------------------------------------------

  @Test
  void decodesHexIdsOfSpansAndLinksInAnyCase() throws Exception {
    Span span =
        span(
            """
            {"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EeE19b7Ec3C1b174",
             "parentSpanId":"eee19b7ec3c1b173",
             "links":[{"traceId":"0102030405060708090A0B0C0D0E0F10","spanId":"1112131415161718"}]}
            """);

    assertThat(span.getTraceId()).isEqualTo(SampleRequests.TRACE_ID);
    assertThat(span.getSpanId()).isEqualTo(SampleRequests.SPAN_ID);
    assertThat(span.getParentSpanId()).isEqualTo(SampleTraceRequests.PARENT_SPAN_ID);
    assertThat(span.getLinks(0).getTraceId()).isEqualTo(SampleTraceRequests.LINKED_TRACE_ID);
    assertThat(span.getLinks(0).getSpanId()).isEqualTo(SampleTraceRequests.LINKED_SPAN_ID);
  }

  @Test
  void decodesEmptyParentSpanIdAsRootSpan() throws Exception {
    assertThat(span("{\"parentSpanId\":\"\"}").getParentSpanId()).isEqualTo(ByteString.EMPTY);
  }

  @Test
  void rejectsNonHexParentSpanId() {
    OtlpDecodeException e = malformed(inSpan("{\"parentSpanId\":\"eee19b7ec3c1b17z\"}"));

    assertThat(e)
        .hasMessage(
            "invalid OTLP/JSON request body: parentSpanId must be hex, got \"eee19b7ec3c1b17z\" at "
                + SPAN_PATH
                + "/parentSpanId");
  }

  @Test
  void rejectsLinkTraceIdWithAnOddNumberOfDigits() {
    OtlpDecodeException e = malformed(inSpan("{\"links\":[{\"traceId\":\"abc\"}]}"));

    assertThat(e)
        .hasMessage(
            "invalid OTLP/JSON request body: traceId must be hex with an even number of digits,"
                + " got \"abc\" at "
                + SPAN_PATH
                + "/links/0/traceId");
  }

  @Test
  void rejectsBase64SpanId() {
    // What JsonFormat would have accepted: OTLP/JSON ids are hex, never base64.
    assertThat(malformed(inSpan("{\"spanId\":\"7uGbfsPBsXQ=\"}")))
        .hasMessageContaining("spanId must be hex");
  }

  // ---- enums --------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(value = Span.SpanKind.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
  void readsKindAsEnumNameOrInteger(Span.SpanKind kind) throws Exception {
    assertThat(span("{\"kind\":\"" + kind.name() + "\"}").getKind()).isEqualTo(kind);
    assertThat(span("{\"kind\":" + kind.getNumber() + "}").getKind()).isEqualTo(kind);
    assertThat(span("{\"kind\":\"" + kind.getNumber() + "\"}").getKind()).isEqualTo(kind);
  }

  @Test
  void keepsUnknownKindNumbers() throws Exception {
    assertThat(span("{\"kind\":9}").getKindValue()).isEqualTo(9);
  }

  @Test
  void rejectsUnknownKindName() {
    OtlpDecodeException e = malformed(inSpan("{\"kind\":\"SERVER\"}"));

    assertThat(e)
        .hasMessage(
            "invalid OTLP/JSON request body: kind must be an integer or a SpanKind name, got"
                + " \"SERVER\" at "
                + SPAN_PATH
                + "/kind");
  }

  @ParameterizedTest
  @EnumSource(value = Status.StatusCode.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
  void readsStatusCodeAsEnumNameOrInteger(Status.StatusCode code) throws Exception {
    assertThat(span("{\"status\":{\"code\":\"" + code.name() + "\"}}").getStatus().getCode())
        .isEqualTo(code);
    assertThat(span("{\"status\":{\"code\":" + code.getNumber() + "}}").getStatus().getCode())
        .isEqualTo(code);
  }

  @Test
  void rejectsUnknownStatusCodeName() {
    OtlpDecodeException e = malformed(inSpan("{\"status\":{\"code\":\"ERROR\"}}"));

    assertThat(e)
        .hasMessageContaining("code must be an integer or a StatusCode name, got \"ERROR\"")
        .hasMessageContaining(SPAN_PATH + "/status/code");
  }

  @Test
  void ignoresTheDeprecatedStatusCode() throws Exception {
    Status status =
        span("{\"status\":{\"deprecatedCode\":1,\"deprecated_code\":\"x\",\"message\":\"m\",\"code\":2}}")
            .getStatus();

    assertThat(status)
        .isEqualTo(
            Status.newBuilder().setMessage("m").setCode(Status.StatusCode.STATUS_CODE_ERROR).build());
    assertThat(status.getUnknownFields().asMap()).isEmpty();
  }

  // ---- integers -----------------------------------------------------------------------------

  @Test
  void readsTimesAsUnsignedNumbersOrStrings() throws Exception {
    Span span =
        span(
            """
            {"startTimeUnixNano":"18446744073709551615","endTimeUnixNano":9223372036854775808,
             "events":[{"timeUnixNano":"1544712660500000000"},{"timeUnixNano":1544712660600000000}]}
            """);

    assertThat(Long.toUnsignedString(span.getStartTimeUnixNano())).isEqualTo("18446744073709551615");
    assertThat(span.getEndTimeUnixNano()).isEqualTo(Long.MIN_VALUE);
    assertThat(span.getEvents(0).getTimeUnixNano()).isEqualTo(1_544_712_660_500_000_000L);
    assertThat(span.getEvents(1).getTimeUnixNano()).isEqualTo(1_544_712_660_600_000_000L);
  }

  @Test
  void rejectsNegativeStartTime() {
    assertThat(malformed(inSpan("{\"startTimeUnixNano\":-1}")))
        .hasMessageContaining("startTimeUnixNano is out of range for an unsigned 64-bit integer");
  }

  @Test
  void readsSpanAndLinkFlagsAsUnsigned32BitIntegers() throws Exception {
    Span span = span("{\"flags\":\"4294967295\",\"links\":[{\"flags\":257}]}");

    assertThat(span.getFlags()).isEqualTo(-1);
    assertThat(span.getLinks(0).getFlags()).isEqualTo(257);
  }

  @Test
  void rejectsLinkFlagsBeyondThirtyTwoBits() {
    assertThat(malformed(inSpan("{\"links\":[{\"flags\":4294967296}]}")))
        .hasMessageContaining("flags is out of range for an unsigned 32-bit integer")
        .hasMessageContaining(SPAN_PATH + "/links/0/flags");
  }

  @Test
  void readsDroppedCountsAsStringsOrNumbers() throws Exception {
    Span span =
        span(
            """
            {"droppedAttributesCount":"1","droppedEventsCount":2,"droppedLinksCount":"3",
             "events":[{"droppedAttributesCount":4}],"links":[{"droppedAttributesCount":"5"}]}
            """);

    assertThat(span.getDroppedAttributesCount()).isEqualTo(1);
    assertThat(span.getDroppedEventsCount()).isEqualTo(2);
    assertThat(span.getDroppedLinksCount()).isEqualTo(3);
    assertThat(span.getEvents(0).getDroppedAttributesCount()).isEqualTo(4);
    assertThat(span.getLinks(0).getDroppedAttributesCount()).isEqualTo(5);
  }

  // ---- wrong types --------------------------------------------------------------------------

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        Arguments.of("{\"name\":5}", "name must be a string, got 5 at " + SPAN_PATH + "/name"),
        Arguments.of(
            "{\"traceState\":[]}",
            "traceState must be a string, got an array at " + SPAN_PATH + "/traceState"),
        Arguments.of(
            "{\"traceId\":12}", "traceId must be a hex string, got 12 at " + SPAN_PATH + "/traceId"),
        Arguments.of(
            "{\"kind\":true}", "kind must be a 32-bit integer, got true at " + SPAN_PATH + "/kind"),
        Arguments.of(
            "{\"endTimeUnixNano\":\"soon\"}",
            "endTimeUnixNano must be an unsigned 64-bit integer, got \"soon\" at "
                + SPAN_PATH
                + "/endTimeUnixNano"),
        Arguments.of(
            "{\"events\":{}}", "events must be a JSON array, got an object at " + SPAN_PATH + "/events"),
        Arguments.of(
            "{\"events\":[[]]}",
            "an Event must be a JSON object, got an array at " + SPAN_PATH + "/events/0"),
        Arguments.of(
            "{\"links\":[1]}", "a Link must be a JSON object, got 1 at " + SPAN_PATH + "/links/0"),
        Arguments.of(
            "{\"status\":\"ERROR\"}",
            "status must be a JSON object, got \"ERROR\" at " + SPAN_PATH + "/status"),
        Arguments.of(
            "{\"status\":{\"message\":false}}",
            "message must be a string, got false at " + SPAN_PATH + "/status/message"),
        Arguments.of(
            "{\"links\":[{\"attributes\":{}}]}",
            "attributes must be a JSON array, got an object at " + SPAN_PATH + "/links/0/attributes"),
        Arguments.of(
            "{\"events\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"boolValue\":\"yes\"}}]}]}",
            "boolValue must be true or false, got \"yes\" at "
                + SPAN_PATH
                + "/events/0/attributes/0/value/boolValue"),
        Arguments.of(
            "{\"droppedLinksCount\":-1}",
            "droppedLinksCount is out of range for an unsigned 32-bit integer: -1 at "
                + SPAN_PATH
                + "/droppedLinksCount"));
  }

  @ParameterizedTest
  @MethodSource("wrongTypes")
  void rejectsFieldsOfTheWrongTypeWithTheirPath(String spanJson, String message) {
    assertThat(malformed(inSpan(spanJson))).hasMessage("invalid OTLP/JSON request body: " + message);
  }

  @Test
  void rejectsStructureOfTheWrongType() {
    assertThat(malformed("{\"resourceSpans\":{}}"))
        .hasMessage(
            "invalid OTLP/JSON request body: resourceSpans must be a JSON array, got an object at"
                + " /resourceSpans");
    assertThat(malformed("{\"resourceSpans\":[{\"scopeSpans\":[1]}]}"))
        .hasMessageContaining("a ScopeSpans must be a JSON object, got 1 at /resourceSpans/0/scopeSpans/0");
    assertThat(malformed("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[\"x\"]}]}]}"))
        .hasMessageContaining("a Span must be a JSON object, got \"x\" at " + SPAN_PATH);
    assertThat(malformed("{\"resourceSpans\":[true]}"))
        .hasMessageContaining("a ResourceSpans must be a JSON object, got true");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "1", "\"x\"", "null"})
  void rejectsBodyThatIsNotAnObject(String json) {
    assertThat(malformed(json)).hasMessageContaining("the body must be a JSON object");
  }

  @Test
  void rejectsContentAfterTheObject() {
    assertThat(malformed("{\"resourceSpans\":[]} {}"))
        .hasMessageContaining("unexpected content after the top-level JSON object");
  }

  // ---- keys, nulls, unknown fields ----------------------------------------------------------

  @Test
  void acceptsSnakeCaseKeys() throws Exception {
    ExportTraceServiceRequest request =
        decode(
            """
            {"resource_spans":[{"resource":{"dropped_attributes_count":1},"schema_url":"u2",
              "scope_spans":[{"scope":{"name":"s","dropped_attributes_count":2},"schema_url":"u1",
                "spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
                  "trace_state":"a=b","parent_span_id":"eee19b7ec3c1b173","flags":1,"name":"n",
                  "kind":"SPAN_KIND_CLIENT","start_time_unix_nano":"5","end_time_unix_nano":6,
                  "attributes":[{"key":"k","value":{"int_value":"3"}}],"dropped_attributes_count":7,
                  "events":[{"time_unix_nano":"8","name":"e","dropped_attributes_count":9}],
                  "dropped_events_count":10,
                  "links":[{"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"1112131415161718",
                    "trace_state":"c=d","dropped_attributes_count":11,"flags":12}],
                  "dropped_links_count":13,"status":{"message":"m","code":"STATUS_CODE_OK"}}]}]}]}
            """);

    var resourceSpans = request.getResourceSpans(0);
    var scopeSpans = resourceSpans.getScopeSpans(0);
    Span span = scopeSpans.getSpans(0);
    assertThat(resourceSpans.getSchemaUrl()).isEqualTo("u2");
    assertThat(resourceSpans.getResource().getDroppedAttributesCount()).isEqualTo(1);
    assertThat(scopeSpans.getSchemaUrl()).isEqualTo("u1");
    assertThat(scopeSpans.getScope().getDroppedAttributesCount()).isEqualTo(2);
    Span expected =
        Span.newBuilder()
            .setTraceId(SampleRequests.TRACE_ID)
            .setSpanId(SampleRequests.SPAN_ID)
            .setTraceState("a=b")
            .setParentSpanId(SampleTraceRequests.PARENT_SPAN_ID)
            .setFlags(1)
            .setName("n")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(5)
            .setEndTimeUnixNano(6)
            .addAttributes(SampleRequests.attribute("k", SampleRequests.integer(3)))
            .setDroppedAttributesCount(7)
            .addEvents(
                Span.Event.newBuilder().setTimeUnixNano(8).setName("e").setDroppedAttributesCount(9))
            .setDroppedEventsCount(10)
            .addLinks(
                Span.Link.newBuilder()
                    .setTraceId(SampleTraceRequests.LINKED_TRACE_ID)
                    .setSpanId(SampleTraceRequests.LINKED_SPAN_ID)
                    .setTraceState("c=d")
                    .setDroppedAttributesCount(11)
                    .setFlags(12))
            .setDroppedLinksCount(13)
            .setStatus(Status.newBuilder().setMessage("m").setCode(Status.StatusCode.STATUS_CODE_OK))
            .build();
    assertThat(span).isEqualTo(expected);
  }

  @Test
  void skipsUnknownKeysAtEveryLevel() throws Exception {
    String unknown = "\"future\":{\"a\":[1,{\"b\":[[],{}]}],\"traceId\":\"--\",\"kind\":\"?\"}";
    String json =
        """
        {"X":0,"resourceSpans":[{"X":0,"resource":{"X":0,"attributes":[{"X":0,"key":"r",
            "value":{"X":0,"stringValue":"v"}}]},
          "scopeSpans":[{"X":0,"scope":{"X":0,"name":"s"},
            "spans":[{"X":0,"name":"n","events":[{"X":0,"name":"e"}],
              "links":[{"X":0,"traceState":"t"}],"status":{"X":0,"code":2}}]}]}]}
        """
            .replace("\"X\":0", unknown);

    ExportTraceServiceRequest request = decode(json);

    var resourceSpans = request.getResourceSpans(0);
    assertThat(resourceSpans.getResource().getAttributes(0).getValue().getStringValue())
        .isEqualTo("v");
    assertThat(resourceSpans.getScopeSpans(0).getScope().getName()).isEqualTo("s");
    Span span = resourceSpans.getScopeSpans(0).getSpans(0);
    assertThat(span)
        .isEqualTo(
            Span.newBuilder()
                .setName("n")
                .addEvents(Span.Event.newBuilder().setName("e"))
                .addLinks(Span.Link.newBuilder().setTraceState("t"))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
                .build());
    assertThat(span.getUnknownFields().asMap()).isEmpty();
  }

  @Test
  void treatsNullAsUnset() throws Exception {
    Span span =
        span(
            """
            {"traceId":null,"spanId":null,"parentSpanId":null,"kind":null,"startTimeUnixNano":null,
             "attributes":null,"events":[{"name":null,"attributes":null}],"links":null,
             "status":null,"flags":null}
            """);

    assertThat(span).isEqualTo(Span.newBuilder().addEvents(Span.Event.getDefaultInstance()).build());
    assertThat(span.hasStatus()).isFalse();
    assertThat(decode("{\"resourceSpans\":null}").getResourceSpansCount()).isZero();
  }

  @Test
  void decodesEmptyBodyAndEmptyObjectAsEmptyRequest() throws Exception {
    assertThat(OtlpTracesDecoder.decode(new byte[0], OtlpEncoding.JSON))
        .isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
    assertThat(decode(" {} ")).isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  // ---- limits -------------------------------------------------------------------------------

  @Test
  void acceptsEventAndLinkAttributesNestedUpToTheLimitAndTheyStillDecodeAsProtobuf()
      throws Exception {
    String attributes = attributeNested(OtlpJsonTracesReader.MAX_VALUE_DEPTH);
    String json =
        inSpan(
            "{\"attributes\":" + attributes + ",\"events\":[{\"attributes\":" + attributes
                + "}],\"links\":[{\"attributes\":" + attributes + "}]}");

    ExportTraceServiceRequest request = decode(json);

    // Whatever the JSON decoder accepts must decode again once re-encoded (for Kafka).
    assertThat(OtlpTracesDecoder.decode(request.toByteArray(), OtlpEncoding.PROTOBUF))
        .isEqualTo(request);
    assertThat(request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getEvents(0).getAttributesCount())
        .isEqualTo(1);
  }

  @Test
  void rejectsEventAttributesNestedDeeperThanTheLimit() {
    String json =
        inSpan(
            "{\"events\":[{\"attributes\":"
                + attributeNested(OtlpJsonTracesReader.MAX_VALUE_DEPTH + 1)
                + "}]}");

    assertThat(malformed(json))
        .hasMessageContaining("values are nested more than 31 levels deep (arrayValue/kvlistValue)")
        .hasMessageContaining(SPAN_PATH + "/events/0/attributes/0/value");
  }

  @Test
  void rejectsSpanAndResourceAttributesNestedDeeperThanTheLimit() {
    String tooDeep = attributeNested(OtlpJsonTracesReader.MAX_VALUE_DEPTH + 1);

    assertThat(malformed(inSpan("{\"attributes\":" + tooDeep + "}")))
        .hasMessageContaining("values are nested more than 31 levels deep");
    assertThat(malformed("{\"resourceSpans\":[{\"resource\":{\"attributes\":" + tooDeep + "}}]}"))
        .hasMessageContaining("values are nested more than 31 levels deep");
  }

  @Test
  void rejectsDeeplyNestedArrayValuesWithoutStackOverflow() {
    int levels = 100_000;
    String json =
        inSpan(
            "{\"links\":[{\"attributes\":[{\"key\":\"k\",\"value\":"
                + "{\"arrayValue\":{\"values\":[".repeat(levels)
                + "]}}".repeat(levels)
                + "}]}]}");

    assertThat(malformed(json)).hasMessageContaining("nested more than 31 levels deep");
  }
}
