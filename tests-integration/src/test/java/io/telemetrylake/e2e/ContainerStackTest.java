package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The containers stack's settings, checked without Docker: in-network addresses, same as compose. */
class ContainerStackTest {
  private static final Map<String, String> SETTINGS = Map.of("KAFKA_TOPIC", "e2e-1", "ICEBERG_TABLE", "e2e_1");

  @Test
  void servicesGetInNetworkAddressesAndTheTestsSettings() {
    for (Map<String, String> env : List.of(ContainerStack.ingesterEnv(SETTINGS), ContainerStack.appenderEnv(SETTINGS))) {
      assertThat(env)
          .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka:19092")
          .containsEntry("ICEBERG_CATALOG_URI", "http://iceberg-rest:8181")
          .containsEntry("S3_ENDPOINT", "http://minio:9000")
          .containsEntry("KAFKA_TOPIC", "e2e-1")
          .containsEntry("ICEBERG_TABLE", "e2e_1");
      assertThat(env.values()).noneMatch(v -> v.contains("127.0.0.1") || v.contains("localhost"));
    }
  }

  @Test
  void servicesListenOnTheImagesPortsOnEveryInterface() {
    Map<String, String> wrongPorts = Map.of("INGESTER_PORT", "0", "APPENDER_PORT", "0",
        "INGESTER_HOST", "127.0.0.1", "APPENDER_BIND_ADDRESS", "127.0.0.1");

    assertThat(ContainerStack.ingesterEnv(wrongPorts))
        .containsEntry("INGESTER_PORT", "4318").containsEntry("INGESTER_HOST", "0.0.0.0");
    assertThat(ContainerStack.appenderEnv(wrongPorts))
        .containsEntry("APPENDER_PORT", "8080").containsEntry("APPENDER_BIND_ADDRESS", "0.0.0.0");
  }

  @Test
  void imagesAndSettingsMatchDockerCompose() throws IOException {
    String compose = Files.readString(repoRoot().resolve("docker/docker-compose.yml"));

    assertThat(compose).contains("image: " + ContainerStack.KAFKA_IMAGE, "image: " + ContainerStack.CATALOG_IMAGE);
    assertThat(ContainerStack.MINIO_IMAGE).startsWith("minio/minio:");
    ContainerStack.catalogEnv().forEach((key, value) -> assertThat(composeValue(compose, key)).as(key).isEqualTo(value));
    // Kafka aside (Testcontainers adds its own listener), the services see what compose gives them.
    ContainerStack.stackEnv().forEach((key, value) -> {
      if (!key.equals("KAFKA_BOOTSTRAP_SERVERS")) {
        assertThat(composeValue(compose, key)).as(key).isEqualTo(value);
      }
    });
  }

  /** {@code KEY: value} in compose, quotes removed and {@code ${VAR:-default}} read as its default. */
  private static String composeValue(String compose, String key) {
    Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(key) + ":\\s*(.+)$").matcher(compose);
    assertThat(m.find()).as("%s in docker-compose.yml", key).isTrue();
    String value = m.group(1).trim().replaceAll("^\"|\"$", "");
    Matcher variable = Pattern.compile("^\\$\\{\\w+:-(.*)}$").matcher(value);
    return variable.matches() ? variable.group(1) : value;
  }

  private static Path repoRoot() {
    return Path.of("").toAbsolutePath().getParent();
  }
}
