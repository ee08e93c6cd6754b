package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpEncodingTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/x-protobuf",
        "Application/X-Protobuf",
        "application/x-protobuf; charset=utf-8",
        " application/x-protobuf ;foo=bar"
      })
  void recognisesProtobuf(String header) {
    assertThat(OtlpEncoding.fromContentType(header)).contains(OtlpEncoding.PROTOBUF);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "APPLICATION/JSON", "application/json; charset=utf-8"})
  void recognisesJson(String header) {
    assertThat(OtlpEncoding.fromContentType(header)).contains(OtlpEncoding.JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "text/plain", "application/jsonx", "application/x-protobufs", "json"})
  void rejectsOtherMediaTypes(String header) {
    assertThat(OtlpEncoding.fromContentType(header)).isEmpty();
  }

  @Test
  void rejectsMissingHeader() {
    assertThat(OtlpEncoding.fromContentType(null)).isEmpty();
  }

  @Test
  void namesItsContentType() {
    assertThat(OtlpEncoding.PROTOBUF.contentType()).isEqualTo("application/x-protobuf");
    assertThat(OtlpEncoding.JSON.contentType()).isEqualTo("application/json");
  }
}
