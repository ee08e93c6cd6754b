package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpResponsesTest {

  /** Reads a JSON object into nested maps; scalars as their JSON text ("3" vs 3 stays visible). */
  private static Map<String, Object> parseJson(byte[] json) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      Map<String, Object> object = readObject(p);
      assertThat(p.nextToken()).isNull();
      return object;
    }
  }

  private static Map<String, Object> readObject(JsonParser p) throws IOException {
    Map<String, Object> object = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value == JsonToken.START_OBJECT) {
        object.put(name, readObject(p));
      } else if (value == JsonToken.VALUE_STRING) {
        object.put(name, p.getText());
      } else if (value == JsonToken.VALUE_NUMBER_INT) {
        object.put(name, p.getLongValue());
      } else {
        throw new AssertionError("unexpected " + value);
      }
    }
    return object;
  }

  @Test
  void protobufSuccessIsAnEmptyResponse() throws Exception {
    byte[] body = OtlpResponses.success(OtlpEncoding.PROTOBUF, 0, "");

    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(body);
    assertThat(response.hasPartialSuccess()).isFalse();
    assertThat(body).isEmpty();
  }

  @Test
  void protobufPartialSuccessParsesBack() throws Exception {
    byte[] body = OtlpResponses.success(OtlpEncoding.PROTOBUF, 3, "3 records had bad ids");

    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(body);
    assertThat(response.hasPartialSuccess()).isTrue();
    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(3);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("3 records had bad ids");
  }

  @Test
  void protobufPartialSuccessWithOnlyAMessage() throws Exception {
    ExportLogsServiceResponse response =
        ExportLogsServiceResponse.parseFrom(OtlpResponses.success(OtlpEncoding.PROTOBUF, 0, "warning"));

    assertThat(response.hasPartialSuccess()).isTrue();
    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isZero();
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("warning");
  }

  @Test
  void jsonSuccessIsAnEmptyObject() {
    assertThat(new String(OtlpResponses.success(OtlpEncoding.JSON, 0, null), StandardCharsets.UTF_8))
        .isEqualTo("{}");
  }

  @Test
  void jsonPartialSuccessWritesRejectedCountAsStringLikeOtlpJson() throws Exception {
    byte[] body = OtlpResponses.success(OtlpEncoding.JSON, 3, "bad \"ids\"\nsee docs");

    assertThat(parseJson(body))
        .isEqualTo(
            Map.of(
                "partialSuccess",
                Map.of("rejectedLogRecords", "3", "errorMessage", "bad \"ids\"\nsee docs")));
  }

  @Test
  void jsonPartialSuccessWithOnlyAMessageOmitsTheZeroCount() throws Exception {
    assertThat(parseJson(OtlpResponses.success(OtlpEncoding.JSON, 0, "warning")))
        .isEqualTo(Map.of("partialSuccess", Map.of("errorMessage", "warning")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void jsonPartialSuccessDecodesWithTheOtlpJsonRules() throws Exception {
    // A client decoding our response with OTLP/JSON rules gets the same values back.
    byte[] body = OtlpResponses.success(OtlpEncoding.JSON, Long.MAX_VALUE, "é ✓");

    Map<String, Object> partial = (Map<String, Object>) parseJson(body).get("partialSuccess");
    assertThat(Long.parseLong((String) partial.get("rejectedLogRecords"))).isEqualTo(Long.MAX_VALUE);
    assertThat(partial.get("errorMessage")).isEqualTo("é ✓");
  }

  @Test
  void rejectsNegativeRejectedCount() {
    assertThatThrownBy(() -> OtlpResponses.success(OtlpEncoding.JSON, -1, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void protobufStatusParsesBackAsGoogleRpcStatus() throws Exception {
    byte[] body = OtlpResponses.status(OtlpEncoding.PROTOBUF, 3, "invalid OTLP/protobuf: é");

    UnknownFieldSet status = UnknownFieldSet.parseFrom(body);
    assertThat(status.getField(1).getVarintList()).containsExactly(3L);
    assertThat(status.getField(2).getLengthDelimitedList())
        .singleElement()
        .satisfies(m -> assertThat(m.toStringUtf8()).isEqualTo("invalid OTLP/protobuf: é"));
    assertThat(status.asMap().keySet()).containsExactly(1, 2);
  }

  @Test
  void protobufStatusWithDefaultsIsEmpty() {
    assertThat(OtlpResponses.status(OtlpEncoding.PROTOBUF, 0, null)).isEmpty();
  }

  @Test
  void protobufStatusWritesNegativeCodesAsTenByteVarints() throws Exception {
    // int32 semantics: negative values are sign-extended, as protobuf does for int32 fields.
    UnknownFieldSet status = UnknownFieldSet.parseFrom(OtlpResponses.status(OtlpEncoding.PROTOBUF, -1, ""));

    assertThat(status.getField(1).getVarintList()).containsExactly(-1L);
  }

  @Test
  void jsonStatusParsesBack() throws Exception {
    byte[] body = OtlpResponses.status(OtlpEncoding.JSON, 8, "too many \"requests\"");

    assertThat(parseJson(body)).isEqualTo(Map.of("code", 8L, "message", "too many \"requests\""));
  }
}
