package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import io.telemetrylake.record.KafkaRecordFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpJsonDecodingTest {

  // ---- helpers ------------------------------------------------------------------------------

  private static ExportLogsServiceRequest decode(String json) throws OtlpDecodeException {
    return decode(json.getBytes(StandardCharsets.UTF_8));
  }

  private static ExportLogsServiceRequest decode(byte[] json) throws OtlpDecodeException {
    return OtlpLogsDecoder.decode(json, OtlpEncoding.JSON);
  }

  private static String inRecord(String recordJson) {
    return "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + recordJson + "]}]}]}";
  }

  private static LogRecord record(String recordJson) throws OtlpDecodeException {
    return decode(inRecord(recordJson)).getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
  }

  private static AnyValue body(String anyValueJson) throws OtlpDecodeException {
    return record("{\"body\":" + anyValueJson + "}").getBody();
  }

  private static OtlpDecodeException malformed(String json) {
    return malformed(json.getBytes(StandardCharsets.UTF_8));
  }

  private static OtlpDecodeException malformed(byte[] json) {
    OtlpDecodeException e =
        catchThrowableOfType(OtlpDecodeException.class, () -> decode(json));
    assertThat(e).as("expected the body to be refused").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    return e;
  }

  /** A body value nested {@code levels} deep in kvlistValues, the innermost an empty list. */
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

  // ---- ids ----------------------------------------------------------------------------------

  @Test
  void decodesLowerCaseHexIds() throws Exception {
    LogRecord record =
        record("{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\"}");

    assertThat(record.getTraceId()).isEqualTo(SampleRequests.TRACE_ID);
    assertThat(record.getSpanId()).isEqualTo(SampleRequests.SPAN_ID);
  }

  @Test
  void decodesUpperCaseHexIds() throws Exception {
    LogRecord record =
        record("{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"EEE19B7EC3C1B174\"}");

    assertThat(record.getTraceId()).isEqualTo(SampleRequests.TRACE_ID);
    assertThat(record.getSpanId()).isEqualTo(SampleRequests.SPAN_ID);
  }

  @Test
  void decodesMixedCaseHexIds() throws Exception {
    LogRecord record = record("{\"spanId\":\"EeE19b7Ec3C1b174\"}");

    assertThat(record.getSpanId()).isEqualTo(SampleRequests.SPAN_ID);
  }

  @Test
  void rejectsNonHexTraceId() {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{},\"traceId\":\"--\"}"));

    assertThat(e)
        .hasMessageContaining("traceId must be hex")
        .hasMessageContaining("\"--\"")
        .hasMessageContaining("/resourceLogs/0/scopeLogs/0/logRecords/0/traceId");
  }

  @Test
  void rejectsNonHexSpanIdOfTheRightLength() {
    OtlpDecodeException e = malformed(inRecord("{\"spanId\":\"eee19b7ec3c1b17g\"}"));

    assertThat(e).hasMessageContaining("spanId must be hex");
  }

  @Test
  void rejectsNonAsciiDigitsInHexIds() {
    // Character.digit would accept these full-width digits; OTLP ids are ASCII hex only.
    OtlpDecodeException e = malformed(inRecord("{\"spanId\":\"\uFF11\uFF12\"}"));

    assertThat(e).hasMessageContaining("spanId must be hex");
  }

  @Test
  void rejectsHexIdWithAnOddNumberOfDigits() {
    OtlpDecodeException e = malformed(inRecord("{\"traceId\":\"abc\"}"));

    assertThat(e).hasMessageContaining("traceId must be hex with an even number of digits");
  }

  @Test
  void rejectsBase64TraceId() {
    // What JsonFormat would have accepted: OTLP/JSON ids are hex, never base64.
    OtlpDecodeException e = malformed(inRecord("{\"traceId\":\"W47/95gDgQPSabYzgT/GDA==\"}"));

    assertThat(e).hasMessageContaining("traceId must be hex");
  }

  @Test
  void rejectsIdThatIsNotAString() {
    OtlpDecodeException e = malformed(inRecord("{\"traceId\":12}"));

    assertThat(e).hasMessageContaining("traceId must be a hex string, got 12");
  }

  @Test
  void decodesHexIdOfWrongLengthToBytesOfThatLength() throws Exception {
    // Not a decoding error: the validator drops such records through a partial success.
    LogRecord record = record("{\"traceId\":\"0102\",\"spanId\":\"010203040506070809\"}");

    assertThat(record.getTraceId()).isEqualTo(ByteString.copyFrom(new byte[] {1, 2}));
    assertThat(record.getSpanId().size()).isEqualTo(9);
  }

  @Test
  void decodesEmptyIdsAsUnset() throws Exception {
    LogRecord record = record("{\"traceId\":\"\",\"spanId\":\"\"}");

    assertThat(record.getTraceId()).isEqualTo(ByteString.EMPTY);
    assertThat(record.getSpanId()).isEqualTo(ByteString.EMPTY);
  }

  // ---- integers -----------------------------------------------------------------------------

  @Test
  void readsInt64GivenAsString() throws Exception {
    assertThat(body("{\"intValue\":\"10\"}").getIntValue()).isEqualTo(10);
    assertThat(body("{\"intValue\":\"-9223372036854775808\"}").getIntValue())
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void readsInt64GivenAsNumber() throws Exception {
    assertThat(body("{\"intValue\":10}").getIntValue()).isEqualTo(10);
    assertThat(body("{\"intValue\":9223372036854775807}").getIntValue())
        .isEqualTo(Long.MAX_VALUE);
    assertThat(body("{\"intValue\":-3}").getIntValue()).isEqualTo(-3);
  }

  @Test
  void readsIntegralNumbersWrittenWithAFractionOrExponent() throws Exception {
    assertThat(body("{\"intValue\":1e3}").getIntValue()).isEqualTo(1000);
    assertThat(body("{\"intValue\":\"10.0\"}").getIntValue()).isEqualTo(10);
    assertThat(record("{\"timeUnixNano\":1.5447126603E18}").getTimeUnixNano())
        .isEqualTo(1_544_712_660_300_000_000L);
  }

  @Test
  void rejectsFractionalInteger() {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{\"intValue\":1.5}}"));

    assertThat(e)
        .hasMessageContaining("intValue must be a 64-bit integer, got 1.5")
        .hasMessageContaining("/body/intValue");
  }

  @Test
  void rejectsInt64AboveTheSignedRange() {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{\"intValue\":\"9223372036854775808\"}}"));

    assertThat(e).hasMessageContaining("intValue is out of range for a 64-bit integer");
  }

  @Test
  void rejectsIntegerStringThatIsNotANumber() {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{\"intValue\":\"ten\"}}"));

    assertThat(e).hasMessageContaining("intValue must be a 64-bit integer, got \"ten\"");
  }

  @Test
  void rejectsHugeExponentsQuickly() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          assertThat(malformed(inRecord("{\"body\":{\"intValue\":1e999999999}}")))
              .hasMessageContaining("intValue");
          assertThat(malformed(inRecord("{\"body\":{\"intValue\":\"1e-999999999\"}}")))
              .hasMessageContaining("intValue");
          assertThat(malformed(inRecord("{\"timeUnixNano\":\"1e999999999\"}")))
              .hasMessageContaining("timeUnixNano");
        });
  }

  @Test
  void readsFixed64TimesAboveTwoToTheSixtyThreeAsUnsigned() throws Exception {
    LogRecord record =
        record(
            "{\"timeUnixNano\":\"18446744073709551615\","
                + "\"observedTimeUnixNano\":\"9223372036854775808\"}");

    assertThat(Long.toUnsignedString(record.getTimeUnixNano())).isEqualTo("18446744073709551615");
    assertThat(record.getObservedTimeUnixNano()).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void readsUnsignedFixed64GivenAsBareNumber() throws Exception {
    LogRecord record = record("{\"timeUnixNano\":18446744073709551615}");

    assertThat(Long.toUnsignedString(record.getTimeUnixNano())).isEqualTo("18446744073709551615");
  }

  @Test
  void readsTimesGivenAsStringAndAsNumber() throws Exception {
    LogRecord record =
        record(
            "{\"timeUnixNano\":\"1544712660300000000\",\"observedTimeUnixNano\":1544712660300000001}");

    assertThat(record.getTimeUnixNano()).isEqualTo(1_544_712_660_300_000_000L);
    assertThat(record.getObservedTimeUnixNano()).isEqualTo(1_544_712_660_300_000_001L);
  }

  @Test
  void rejectsFixed64BeyondTwoToTheSixtyFour() {
    OtlpDecodeException e = malformed(inRecord("{\"timeUnixNano\":\"18446744073709551616\"}"));

    assertThat(e).hasMessageContaining("timeUnixNano is out of range for an unsigned 64-bit integer");
  }

  @Test
  void rejectsNegativeTime() {
    OtlpDecodeException e = malformed(inRecord("{\"timeUnixNano\":-1}"));

    assertThat(e).hasMessageContaining("timeUnixNano is out of range");
  }

  @Test
  void readsFlagsGivenAsString() throws Exception {
    assertThat(record("{\"flags\":\"01\"}").getFlags()).isEqualTo(1);
    assertThat(record("{\"flags\":\"4294967295\"}").getFlags()).isEqualTo(-1);
  }

  @Test
  void readsFlagsGivenAsNumber() throws Exception {
    assertThat(record("{\"flags\":257}").getFlags()).isEqualTo(257);
  }

  @Test
  void rejectsFlagsBeyondThirtyTwoBits() {
    OtlpDecodeException e = malformed(inRecord("{\"flags\":4294967296}"));

    assertThat(e).hasMessageContaining("flags is out of range for an unsigned 32-bit integer");
  }

  @Test
  void readsDroppedAttributesCountAsStringOrNumber() throws Exception {
    assertThat(record("{\"droppedAttributesCount\":\"5\"}").getDroppedAttributesCount()).isEqualTo(5);
    assertThat(record("{\"droppedAttributesCount\":6}").getDroppedAttributesCount()).isEqualTo(6);
  }

  // ---- enums --------------------------------------------------------------------------------

  @Test
  void readsSeverityNumberAsInteger() throws Exception {
    assertThat(record("{\"severityNumber\":17}").getSeverityNumber())
        .isEqualTo(SeverityNumber.SEVERITY_NUMBER_ERROR);
    assertThat(record("{\"severityNumber\":\"9\"}").getSeverityNumber())
        .isEqualTo(SeverityNumber.SEVERITY_NUMBER_INFO);
  }

  @Test
  void readsSeverityNumberAsEnumName() throws Exception {
    assertThat(record("{\"severityNumber\":\"SEVERITY_NUMBER_WARN2\"}").getSeverityNumber())
        .isEqualTo(SeverityNumber.SEVERITY_NUMBER_WARN2);
  }

  @Test
  void keepsUnknownSeverityNumbers() throws Exception {
    assertThat(record("{\"severityNumber\":99}").getSeverityNumberValue()).isEqualTo(99);
  }

  @Test
  void rejectsUnknownSeverityName() {
    OtlpDecodeException e = malformed(inRecord("{\"severityNumber\":\"LOUD\"}"));

    assertThat(e)
        .hasMessageContaining("severityNumber must be an integer or a SeverityNumber name")
        .hasMessageContaining("\"LOUD\"");
  }

  @Test
  void rejectsUnrecognizedAsSeverityName() {
    assertThat(malformed(inRecord("{\"severityNumber\":\"UNRECOGNIZED\"}")))
        .hasMessageContaining("severityNumber");
  }

  // ---- other scalars ------------------------------------------------------------------------

  @Test
  void readsDoubleGivenAsNumber() throws Exception {
    assertThat(body("{\"doubleValue\":637.704}").getDoubleValue()).isEqualTo(637.704);
    assertThat(body("{\"doubleValue\":3}").getDoubleValue()).isEqualTo(3.0);
    assertThat(body("{\"doubleValue\":-2.5e-3}").getDoubleValue()).isEqualTo(-0.0025);
  }

  @Test
  void readsDoubleGivenAsString() throws Exception {
    assertThat(body("{\"doubleValue\":\"NaN\"}").getDoubleValue()).isNaN();
    assertThat(body("{\"doubleValue\":\"Infinity\"}").getDoubleValue())
        .isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(body("{\"doubleValue\":\"-Infinity\"}").getDoubleValue())
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(body("{\"doubleValue\":\"1.5\"}").getDoubleValue()).isEqualTo(1.5);
    assertThat(body("{\"doubleValue\":\"-1E3\"}").getDoubleValue()).isEqualTo(-1000.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"abc\"", "\"1d\"", "\"0x1p3\"", "\" 1\"", "\"\"", "\"nan\"", "true", "[]"})
  void rejectsDoubleThatIsNotANumber(String value) {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{\"doubleValue\":" + value + "}}"));

    assertThat(e).hasMessageContaining("doubleValue must be a number");
  }

  @Test
  void readsBytesValueAsBase64() throws Exception {
    assertThat(body("{\"bytesValue\":\"AAEC+/8=\"}").getBytesValue())
        .isEqualTo(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xfb, (byte) 0xff}));
  }

  @Test
  void readsBytesValueInUrlSafeBase64WithoutPadding() throws Exception {
    assertThat(body("{\"bytesValue\":\"AAEC-_8\"}").getBytesValue())
        .isEqualTo(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xfb, (byte) 0xff}));
  }

  @Test
  void rejectsBytesValueThatIsNotBase64() {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{\"bytesValue\":\"not base64!\"}}"));

    assertThat(e).hasMessageContaining("bytesValue must be base64");
  }

  @Test
  void rejectsBooleanGivenAsString() {
    OtlpDecodeException e = malformed(inRecord("{\"body\":{\"boolValue\":\"true\"}}"));

    assertThat(e).hasMessageContaining("boolValue must be true or false, got \"true\"");
  }

  @Test
  void rejectsStringFieldGivenAsNumber() {
    OtlpDecodeException e = malformed(inRecord("{\"severityText\":5}"));

    assertThat(e)
        .hasMessageContaining("severityText must be a string, got 5")
        .hasMessageContaining("/logRecords/0/severityText");
  }

  @Test
  void keepsUnicodeAndEscapesInStrings() throws Exception {
    AnyValue value = body("{\"stringValue\":\"caf\\u00e9 \\\"q\\\" \\n ✓ 𝄞\"}");

    assertThat(value.getStringValue()).isEqualTo("café \"q\" \n ✓ 𝄞");
  }

  @Test
  void acceptsEscapedSurrogatePairs() throws Exception {
    assertThat(body("{\"stringValue\":\"\\ud834\\udd1e\"}").getStringValue()).isEqualTo("𝄞");
  }

  @Test
  void rejectsUnpairedSurrogateEscapes() {
    assertThat(malformed(inRecord("{\"body\":{\"stringValue\":\"a\\ud800b\"}}")))
        .hasMessageContaining("stringValue contains an unpaired surrogate escape")
        .hasMessageContaining("/body/stringValue");
    assertThat(malformed(inRecord("{\"severityText\":\"\\udd1e\"}")))
        .hasMessageContaining("severityText contains an unpaired surrogate escape");
    assertThat(malformed(inRecord("{\"attributes\":[{\"key\":\"\\ud834\"}]}")))
        .hasMessageContaining("key contains an unpaired surrogate escape");
  }

  @Test
  void lastKeyOfAnAnyValueWins() throws Exception {
    AnyValue value = body("{\"stringValue\":\"a\",\"intValue\":\"5\"}");

    assertThat(value.getValueCase()).isEqualTo(AnyValue.ValueCase.INT_VALUE);
    assertThat(value.getIntValue()).isEqualTo(5);
  }

  @Test
  void readsEmptyAnyValueAsUnset() throws Exception {
    assertThat(body("{}").getValueCase()).isEqualTo(AnyValue.ValueCase.VALUE_NOT_SET);
  }

  // ---- keys, nulls, unknown fields ----------------------------------------------------------

  @Test
  void acceptsSnakeCaseKeys() throws Exception {
    ExportLogsServiceRequest request =
        decode(
            """
            {"resource_logs":[{"resource":{"dropped_attributes_count":1},
              "scope_logs":[{"scope":{"name":"s"},"schema_url":"u1",
                "log_records":[{"time_unix_nano":"5","observed_time_unix_nano":6,
                  "severity_number":9,"severity_text":"INFO","dropped_attributes_count":2,
                  "trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",
                  "event_name":"e","body":{"kvlist_value":{"values":[
                    {"key":"a","value":{"array_value":{"values":[{"int_value":"3"},
                      {"string_value":"x"},{"bool_value":true},{"double_value":1.5},
                      {"bytes_value":"AA=="}]}}}]}}}]}],
              "schema_url":"u2"}]}
            """);

    var resourceLogs = request.getResourceLogs(0);
    LogRecord record = resourceLogs.getScopeLogs(0).getLogRecords(0);
    assertThat(resourceLogs.getSchemaUrl()).isEqualTo("u2");
    assertThat(resourceLogs.getResource().getDroppedAttributesCount()).isEqualTo(1);
    assertThat(resourceLogs.getScopeLogs(0).getSchemaUrl()).isEqualTo("u1");
    assertThat(record.getTimeUnixNano()).isEqualTo(5);
    assertThat(record.getObservedTimeUnixNano()).isEqualTo(6);
    assertThat(record.getSeverityNumberValue()).isEqualTo(9);
    assertThat(record.getSeverityText()).isEqualTo("INFO");
    assertThat(record.getDroppedAttributesCount()).isEqualTo(2);
    assertThat(record.getTraceId()).isEqualTo(SampleRequests.TRACE_ID);
    assertThat(record.getSpanId()).isEqualTo(SampleRequests.SPAN_ID);
    assertThat(record.getEventName()).isEqualTo("e");
    var array = record.getBody().getKvlistValue().getValues(0).getValue().getArrayValue();
    assertThat(array.getValuesList())
        .extracting(v -> v.getValueCase().name())
        .containsExactly("INT_VALUE", "STRING_VALUE", "BOOL_VALUE", "DOUBLE_VALUE", "BYTES_VALUE");
  }

  @Test
  void ignoresUnknownFieldsAtEveryLevel() throws Exception {
    String unknown = "\"future\":{\"a\":[1,{\"b\":[[],{}]}],\"traceId\":\"--\"}";
    String json =
        """
        {"X":0,"resourceLogs":[{"X":0,"resource":{"X":0,"attributes":[{"X":0,"key":"k",
          "value":{"X":0,"arrayValue":{"X":0,"values":[{"X":0,"kvlistValue":{"X":0,"values":[
            {"X":0,"key":"i","value":{"X":0,"stringValue":"v"}}]}}]}}}],
          "entityRefs":[{"X":0,"type":"service"}]},
          "scopeLogs":[{"X":0,"scope":{"X":0,"name":"s"},
            "logRecords":[{"X":0,"body":{"X":0,"stringValue":"b"}}]}]}]}
        """
            .replace("\"X\":0", unknown);

    ExportLogsServiceRequest request = decode(json);

    var resource = request.getResourceLogs(0).getResource();
    assertThat(resource.getAttributes(0).getKey()).isEqualTo("k");
    assertThat(
            resource.getAttributes(0).getValue().getArrayValue().getValues(0).getKvlistValue()
                .getValues(0).getValue().getStringValue())
        .isEqualTo("v");
    assertThat(resource.getEntityRefs(0).getType()).isEqualTo("service");
    var scopeLogs = request.getResourceLogs(0).getScopeLogs(0);
    assertThat(scopeLogs.getScope().getName()).isEqualTo("s");
    assertThat(scopeLogs.getLogRecords(0).getBody().getStringValue()).isEqualTo("b");
    assertThat(request.getResourceLogs(0).getResource().getUnknownFields().asMap()).isEmpty();
  }

  @Test
  void treatsNullAsUnset() throws Exception {
    ExportLogsServiceRequest request =
        decode(
            "{\"resourceLogs\":[{\"resource\":null,\"schemaUrl\":null,\"scopeLogs\":[{\"scope\":null,"
                + "\"logRecords\":[{\"traceId\":null,\"timeUnixNano\":null,\"body\":null}]}]}]}");

    var resourceLogs = request.getResourceLogs(0);
    assertThat(resourceLogs.hasResource()).isFalse();
    assertThat(resourceLogs.getScopeLogs(0).getLogRecords(0))
        .isEqualTo(LogRecord.getDefaultInstance());
  }

  @Test
  void treatsNullResourceLogsAsEmpty() throws Exception {
    assertThat(decode("{\"resourceLogs\":null}").getResourceLogsCount()).isZero();
  }

  // ---- structure ----------------------------------------------------------------------------

  @Test
  void decodesEmptyBodyAsEmptyRequest() throws Exception {
    assertThat(decode(new byte[0])).isEqualTo(ExportLogsServiceRequest.getDefaultInstance());
    assertThat(decode(" \n\t ")).isEqualTo(ExportLogsServiceRequest.getDefaultInstance());
  }

  @Test
  void decodesEmptyObjectAsEmptyRequest() throws Exception {
    assertThat(decode("{}")).isEqualTo(ExportLogsServiceRequest.getDefaultInstance());
  }

  @Test
  void rejectsResourceLogsThatIsNotAnArray() {
    OtlpDecodeException e = malformed("{\"resourceLogs\":{}}");

    assertThat(e)
        .hasMessageContaining("resourceLogs must be a JSON array, got an object")
        .hasMessageContaining("/resourceLogs");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "1", "\"x\"", "null", "true"})
  void rejectsBodyThatIsNotAnObject(String json) {
    assertThat(malformed(json)).hasMessageContaining("the body must be a JSON object");
  }

  @Test
  void rejectsElementThatIsNotAnObject() {
    OtlpDecodeException e = malformed("{\"resourceLogs\":[{\"scopeLogs\":[1]}]}");

    assertThat(e)
        .hasMessageContaining("a ScopeLogs must be a JSON object, got 1")
        .hasMessageContaining("/resourceLogs/0/scopeLogs/0");
  }

  @Test
  void rejectsContentAfterTheObject() {
    assertThat(malformed("{} {}")).hasMessageContaining("unexpected content after");
    assertThat(malformed("{} x")).hasMessageContaining("invalid OTLP/JSON");
  }

  @Test
  void rejectsTruncatedJsonWithItsPosition() {
    OtlpDecodeException e = malformed("{\"resourceLogs\":[{\"scopeLogs\":[");

    assertThat(e)
        .hasMessage(
            "invalid OTLP/JSON request body: Unexpected end-of-input: expected close marker for"
                + " Array (start marker at [line 1, column 31]) (line 1, column 32)"
                + " at /resourceLogs/0/scopeLogs");
  }

  @Test
  void rejectsSyntaxErrorsWithAShortMessage() {
    OtlpDecodeException e = malformed("{\"resourceLogs\":" + "x".repeat(10_000) + "}");

    assertThat(e).hasMessageContaining("invalid OTLP/JSON request body: Unrecognized token");
    assertThat(e.getMessage()).hasSizeLessThan(600);
  }

  // ---- limits -------------------------------------------------------------------------------

  @Test
  void acceptsValuesNestedUpToTheLimitAndTheyStillDecodeFromKafka() throws Exception {
    // The innermost list holds a key without a value: the deepest message protobuf will see.
    String deepest = "{\"kvlistValue\":{\"values\":[{\"key\":\"leaf\"}]}}";
    String json =
        inRecord(
            "{\"attributes\":[{\"key\":\"a\",\"value\":"
                + nestedKvlists(OtlpJsonLogsReader.MAX_VALUE_DEPTH, deepest)
                + "}]}");

    ExportLogsServiceRequest request = decode(json);

    // What the ingester will write to Kafka must decode on the other side.
    assertThat(KafkaRecordFormat.decodeValue(request.toByteArray())).isEqualTo(request);
    assertThat(OtlpLogsDecoder.decode(request.toByteArray(), OtlpEncoding.PROTOBUF))
        .isEqualTo(request);
  }

  @Test
  void rejectsValuesNestedDeeperThanTheLimit() {
    String json =
        inRecord(
            "{\"body\":"
                + nestedKvlists(OtlpJsonLogsReader.MAX_VALUE_DEPTH + 1, "{\"stringValue\":\"x\"}")
                + "}");

    OtlpDecodeException e = malformed(json);

    assertThat(e).hasMessageContaining("nested more than 32 levels deep");
  }

  @Test
  void rejectsDeeplyNestedArrayValuesWithoutStackOverflow() {
    int levels = 100_000;
    StringBuilder json = new StringBuilder(inRecord("{\"body\":X}").replace("X}]}]}]}", ""));
    json.append("{\"arrayValue\":{\"values\":[".repeat(levels));
    json.append("]}}".repeat(levels)).append("}]}]}]}");

    assertThat(malformed(json.toString())).hasMessageContaining("nested more than 32 levels deep");
  }

  @Test
  void rejectsDeeplyNestedUnknownFieldsWithoutStackOverflow() {
    String json = "{\"unknown\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

    OtlpDecodeException e = malformed(json);

    assertThat(e).hasMessageContaining("nesting depth");
  }

  @Test
  void acceptsLongStrings() throws Exception {
    String big = "x".repeat(25_000_000); // above Jackson's default 20M-char limit

    assertThat(body("{\"stringValue\":\"" + big + "\"}").getStringValue()).hasSize(25_000_000);
  }

  // ---- UTF-8 --------------------------------------------------------------------------------

  private static final String BEFORE_BAD_BYTES =
      "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"ab";

  private static byte[] withBytesInString(byte... bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(BEFORE_BAD_BYTES.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(bytes);
    out.writeBytes("\"}}]}]}]}".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  void rejectsInvalidUtf8() {
    OtlpDecodeException e = malformed(withBytesInString((byte) 0xFF));

    assertThat(e)
        .hasMessageContaining("not valid UTF-8")
        .hasMessageContaining("byte offset " + BEFORE_BAD_BYTES.length());
  }

  @Test
  void rejectsOverlongUtf8() {
    // Jackson alone would accept this two-byte form of NUL.
    assertThat(malformed(withBytesInString((byte) 0xC0, (byte) 0x80)))
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void rejectsUtf8EncodedSurrogates() {
    assertThat(malformed(withBytesInString((byte) 0xED, (byte) 0xA0, (byte) 0x80)))
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void rejectsCodePointsAboveUnicode() {
    assertThat(malformed(withBytesInString((byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80)))
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void rejectsInvalidUtf8InsideIgnoredFields() {
    byte[] json =
        "{\"unknown\":\"\u0000\"}".replace('\u0000', '?').getBytes(StandardCharsets.UTF_8);
    json[12] = (byte) 0xFE;

    assertThat(malformed(json)).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void acceptsValidMultiByteUtf8() {
    assertThatCode(() -> decode(withBytesInString("é✓𝄞".getBytes(StandardCharsets.UTF_8))))
        .doesNotThrowAnyException();
  }
}
