package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.ingester.IngesterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The source reader used for the appender finds exactly what the ingester declares in KEYS. */
final class ConfigSourceTest {

  @Test
  void findsExactlyTheIngesterKeysAndPrefixInItsSource() throws Exception {
    Path source = RenderedChart.MODULE_DIR.resolveSibling("ingester")
        .resolve("src/main/java/io/telemetrylake/ingester/IngesterConfig.java");

    ConfigSource config = ConfigSource.read(source);

    assertThat(config.keys()).containsExactlyInAnyOrderElementsOf(IngesterConfig.KEYS);
    assertThat(config.prefixes()).containsExactly(IngesterConfig.KAFKA_CLIENT_PREFIX);
  }

  @Test
  void takesOneWordLiteralsAsKeysOnlyWhenTheyAreKnownSettings() throws Exception {
    Path source = Files.createTempFile("Config", ".java");
    try {
      Files.writeString(source, """
          List<String> signals = s.list("SIGNALS", "logs,traces");
          String method = "GET";
          String level = "INFO";
          long mb = s.longValue("BUFFER_SIZE_MB", 100);
          """);

      ConfigSource config = ConfigSource.read(source);

      assertThat(config.keys()).containsExactlyInAnyOrder("SIGNALS", "BUFFER_SIZE_MB");
    } finally {
      Files.deleteIfExists(source);
    }
  }

  @Test
  void ignoresCommentsAndTextThatIsNotAVariableName() {
    String src = """
        // "COMMENTED_OUT" is not read
        /* neither is "BLOCK_COMMENT" */
        String a = s.string("REAL_KEY", "http://not-a-comment");
        String b = s.string("OTHER_KEY", "default value");
        char q = '"';
        String c = "after \\"quotes\\" CHAR_OK";
        Map<String, String> p = s.passThrough("SOME_PREFIX_");
        """;

    assertThat(ConfigSource.stringLiterals(src))
        .contains("REAL_KEY", "OTHER_KEY", "SOME_PREFIX_", "http://not-a-comment")
        .doesNotContain("COMMENTED_OUT", "BLOCK_COMMENT");
  }
}
