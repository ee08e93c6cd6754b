package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.telemetrylake.otlp.Validated;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OTLP/JSON samples from the OpenTelemetry repositories (src/test/resources/otlp-samples). */
class OtlpSamplesTest {
  /** Records per valid sample, counted by reading each file. */
  private static final Map<String, Integer> VALID_RECORDS =
      Map.of(
          "collector-empty-resource-no-scopes.json", 0,
          "collector-plog-logsJSON.json", 1,
          "collector-plogotlp-logsRequestJSON.json", 1,
          "collector-unknown-top-field.json", 0,
          "events.json", 1,
          "logs.json", 1);

  /** What each invalid sample's error message must name. */
  private static final Map<String, String> INVALID_MESSAGES =
      Map.of(
          "collector-bad-traceid.json",
              "traceId must be hex, got \"--\" at /resourceLogs/0/scopeLogs/0/logRecords/0/traceId",
          "collector-resourceLogs-not-array.json",
              "resourceLogs must be a JSON array, got \"extra\" at /resourceLogs");

  static Stream<Arguments> validSamples() {
    return VALID_RECORDS.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static Stream<Arguments> invalidSamples() {
    return INVALID_MESSAGES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  private static byte[] sample(String folder, String name) {
    try (InputStream in = OtlpSamplesTest.class.getResourceAsStream("/otlp-samples/" + folder + "/" + name)) {
      assertThat(in).as("sample %s/%s", folder, name).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> listSamples(String folder) throws IOException, URISyntaxException {
    Path dir = Path.of(OtlpSamplesTest.class.getResource("/otlp-samples/" + folder).toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void everySampleFileIsCovered() throws Exception {
    assertThat(listSamples("valid")).containsExactlyInAnyOrderElementsOf(VALID_RECORDS.keySet());
    assertThat(listSamples("invalid")).containsExactlyInAnyOrderElementsOf(INVALID_MESSAGES.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validSamples")
  void validSampleDecodesAndKeepsEveryRecord(String name, int records) throws Exception {
    ExportLogsServiceRequest request = OtlpLogsDecoder.decode(sample("valid", name), OtlpEncoding.JSON);
    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);

    assertThat(SampleRequests.recordCount(request)).isEqualTo(records);
    assertThat(validated.rejectedItems()).isZero();
    assertThat(validated.request()).isSameAs(request);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSamples")
  void invalidSampleIsMalformedWithAClearMessage(String name, String message) {
    OtlpDecodeException e =
        catchThrowableOfType(
            OtlpDecodeException.class,
            () -> OtlpLogsDecoder.decode(sample("invalid", name), OtlpEncoding.JSON));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e).hasMessage("invalid OTLP/JSON request body: " + message);
  }

  @Test
  void logsSampleKeepsUpperCaseHexIdsAndEveryAttribute() throws Exception {
    LogRecord record = onlyRecord("logs.json");

    assertThat(record.getTraceId()).isEqualTo(SampleRequests.hex("5b8efff798038103d269b633813fc60c"));
    assertThat(record.getSpanId()).isEqualTo(SampleRequests.hex("eee19b7ec3c1b174"));
    assertThat(record.getTimeUnixNano()).isEqualTo(1_544_712_660_300_000_000L);
    assertThat(record.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_INFO2);
    assertThat(record.getAttributesList())
        .extracting(kv -> kv.getKey() + "=" + kv.getValue().getValueCase())
        .containsExactly(
            "string.attribute=STRING_VALUE",
            "boolean.attribute=BOOL_VALUE",
            "int.attribute=INT_VALUE",
            "double.attribute=DOUBLE_VALUE",
            "array.attribute=ARRAY_VALUE",
            "map.attribute=KVLIST_VALUE");
    assertThat(record.getAttributes(2).getValue().getIntValue()).isEqualTo(10);
    assertThat(record.getAttributes(3).getValue().getDoubleValue()).isEqualTo(637.704);
  }

  @Test
  void eventsSampleKeepsTheEventNameAndKvlistBody() throws Exception {
    LogRecord record = onlyRecord("events.json");

    assertThat(record.getEventName()).isEqualTo("browser.page_view");
    assertThat(record.getBody().getKvlistValue().getValuesList())
        .extracting(kv -> kv.getKey())
        .containsExactly("type", "url", "referrer", "title");
    assertThat(record.getBody().getKvlistValue().getValues(0).getValue().getIntValue()).isZero();
  }

  @Test
  void collectorSampleKeepsDroppedCountsSchemaUrlsAndFlags() throws Exception {
    ExportLogsServiceRequest request =
        OtlpLogsDecoder.decode(sample("valid", "collector-plog-logsJSON.json"), OtlpEncoding.JSON);
    var resourceLogs = request.getResourceLogs(0);
    var scopeLogs = resourceLogs.getScopeLogs(0);
    LogRecord record = scopeLogs.getLogRecords(0);

    assertThat(resourceLogs.getSchemaUrl()).isEqualTo("resource_schema");
    assertThat(resourceLogs.getResource().getDroppedAttributesCount()).isEqualTo(1);
    assertThat(scopeLogs.getSchemaUrl()).isEqualTo("scope_schema");
    assertThat(scopeLogs.getScope().getDroppedAttributesCount()).isEqualTo(1);
    assertThat(record.getEventName()).isEqualTo("someEvent");
    assertThat(record.getFlags()).isEqualTo(1);
    assertThat(record.getDroppedAttributesCount()).isEqualTo(1);
    assertThat(record.getObservedTimeUnixNano()).isEqualTo(1_684_623_646_539_558_000L);
    assertThat(record.getTraceId()).isEqualTo(SampleRequests.hex("0102030405060708090a0b0c0d0e0f10"));
    assertThat(record.getSpanId()).isEqualTo(SampleRequests.hex("1112131415161718"));
  }

  private static LogRecord onlyRecord(String name) throws OtlpDecodeException {
    ExportLogsServiceRequest request = OtlpLogsDecoder.decode(sample("valid", name), OtlpEncoding.JSON);
    return request.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
  }
}
