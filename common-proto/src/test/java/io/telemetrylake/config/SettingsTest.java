package io.telemetrylake.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void usesDefaultsWhenUnsetOrBlank() {
    Settings s = new Settings(Map.of("BLANK", "  "));

    assertThat(s.integer("PORT", 4318, 1, 65535)).isEqualTo(4318);
    assertThat(s.string("BLANK", "d")).isEqualTo("d");
    assertThat(s.bool("FLAG", true)).isTrue();
    assertThat(s.list("NONE")).isEmpty();
  }

  @Test
  void parsesTypedValues() {
    Settings s =
        new Settings(
            Map.of("PORT", " 8080 ", "BIG", "64_000_000", "FLAG", "off", "T", "10", "L", "a, b,,c", "C", "ZSTD"));

    assertThat(s.integer("PORT", 1, 1, 65535)).isEqualTo(8080);
    assertThat(s.longValue("BIG", 0, 0, Long.MAX_VALUE)).isEqualTo(64_000_000L);
    assertThat(s.bool("FLAG", true)).isFalse();
    assertThat(s.seconds("T", 1, 1, 60)).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.list("L")).containsExactly("a", "b", "c");
    assertThat(s.oneOf("C", "lz4", "lz4", "zstd")).isEqualTo("zstd");
  }

  @Test
  void rejectsBadValuesNamingTheSetting() {
    Settings s = new Settings(Map.of("PORT", "abc", "RANGE", "70000", "FLAG", "maybe", "C", "snappy2"));

    assertThatThrownBy(() -> s.integer("PORT", 1, 1, 65535))
        .isInstanceOf(ConfigException.class)
        .hasMessage("PORT: must be a whole number, got 'abc'");
    assertThatThrownBy(() -> s.integer("RANGE", 1, 1, 65535))
        .hasMessage("RANGE: must be between 1 and 65535, got '70000'");
    assertThatThrownBy(() -> s.bool("FLAG", true)).hasMessageStartingWith("FLAG: must be true or false");
    assertThatThrownBy(() -> s.oneOf("C", "lz4", "lz4", "zstd")).hasMessageStartingWith("C: must be one of lz4, zstd");
    assertThatThrownBy(() -> s.required("MISSING")).hasMessage("MISSING: is required but not set");
  }

  @Test
  void neverRepeatsSecretValuesInErrors() {
    Settings s = new Settings(Map.of("S3_SECRET_ACCESS_KEY_LIMIT", "hunter2", "APP_TOKEN", "hunter2"));

    assertThatThrownBy(() -> s.integer("S3_SECRET_ACCESS_KEY_LIMIT", 1, 1, 2))
        .hasMessageContaining("S3_SECRET_ACCESS_KEY_LIMIT")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> s.bool("APP_TOKEN", false)).hasMessageNotContaining("hunter2");
  }

  @Test
  void passesPrefixedSettingsThroughAsLibraryProperties() {
    Settings s =
        new Settings(
            Map.of(
                "KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_CLIENT_SASL_JAAS_CONFIG", "x",
                "ICEBERG_PROP_S3_PATH__STYLE__ACCESS", "true",
                "KAFKA_TOPIC", "not-passed"));

    assertThat(s.passThrough("KAFKA_CLIENT_"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "x"));
    assertThat(s.passThrough("ICEBERG_PROP_")).containsExactly(Map.entry("s3.path-style-access", "true"));
  }
}
