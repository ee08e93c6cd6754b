package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainOptionsTest {

  @TempDir Path dir;

  @Test
  void dataGoesToDotLakeInTheRepositoryFoundAboveTheWorkingDirectory() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.writeString(
        repo.resolve("pom.xml"),
        "<project><artifactId>telemetry-lake-parent</artifactId></project>");
    Path module = Files.createDirectories(repo.resolve("devstack/launcher"));
    // a module's pom names the parent pom inside <parent>: that is not the repository root
    Files.writeString(
        repo.resolve("devstack/pom.xml"),
        "<project><parent><artifactId>telemetry-lake-parent</artifactId></parent>"
            + "<artifactId>devstack-parent</artifactId></project>");

    DevStackConfig config = MainOptions.parse(new String[0], Map.of(), module);

    assertThat(config.dataDir()).isEqualTo(repo.resolve(".lake"));
    assertThat(config.wipe()).isFalse();
    assertThat(config.kafkaPort()).isEqualTo(9092);
    assertThat(config.s3Port()).isEqualTo(9000);
    assertThat(config.catalogPort()).isEqualTo(8181);
    assertThat(config.kafkaBrokers()).isEqualTo(1);
    assertThat(config.replicationFactor()).isEqualTo(1);
    assertThat(config.minInsyncReplicas()).isEqualTo(1);
  }

  @Test
  void threeBrokersMeanReplicationThreeAndMinIsrTwo() {
    DevStackConfig config = MainOptions.parse(new String[0], Map.of("LAKE_KAFKA_BROKERS", "3"), dir);

    assertThat(config.kafkaBrokers()).isEqualTo(3);
    assertThat(config.replicationFactor()).isEqualTo(3);
    assertThat(config.minInsyncReplicas()).isEqualTo(2);
  }

  @Test
  void otherBrokerCountsNameTheVariable() {
    assertThatThrownBy(() -> MainOptions.parse(new String[0], Map.of("LAKE_KAFKA_BROKERS", "2"), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("LAKE_KAFKA_BROKERS must be 1 or 3, got '2'");
  }

  @Test
  void environmentOverridesDataDirectoryAndPorts() {
    Map<String, String> env =
        Map.of(
            "LAKE_DATA_DIR", "data",
            "LAKE_KAFKA_PORT", "19092",
            "LAKE_S3_PORT", "0",
            "LAKE_CATALOG_PORT", " 18181 ");

    DevStackConfig config = MainOptions.parse(new String[] {"--wipe"}, env, dir);

    assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
    assertThat(config.kafkaPort()).isEqualTo(19092);
    assertThat(config.s3Port()).isZero();
    assertThat(config.catalogPort()).isEqualTo(18181);
    assertThat(config.wipe()).isTrue();
  }

  @Test
  void badPortNamesTheVariable() {
    assertThatThrownBy(() -> MainOptions.parse(new String[0], Map.of("LAKE_S3_PORT", "70000"), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LAKE_S3_PORT")
        .hasMessageContaining("70000");
  }

  @Test
  void unknownArgumentIsRejectedWithUsage() {
    assertThatThrownBy(() -> MainOptions.parse(new String[] {"--wpie"}, Map.of(), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--wpie")
        .hasMessageContaining("usage");
  }
}
