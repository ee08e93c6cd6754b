package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.e2e.ServiceImage.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceImageTest {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();

  @Test
  void dropsBuildKitCacheMountsWhichTheClassicBuilderRejects() throws IOException {
    for (String service : List.of("ingester", "appender")) {
      String original = Files.readString(REPO.resolve("docker/Dockerfile." + service));
      String classic = ServiceImage.withoutBuildKitMounts(original);

      assertThat(original).contains("--mount=type=cache");
      assertThat(classic).doesNotContain("--mount")
          .contains("RUN mvn -B -q -DskipTests -pl " + service + " -am install")
          .contains("ENTRYPOINT");
    }
  }

  @Test
  void dockerIgnoreAllowListKeepsPomsAndSourcesButNoBuildOutput() {
    DockerIgnore ignore = DockerIgnore.parse("""
        # comment
        *
        !**/pom.xml
        !ingester/src/main/
        !devstack/
        devstack/**/target/
        """);

    assertThat(ignore.ignores("pom.xml")).isFalse();
    assertThat(ignore.ignores("devstack/launcher/pom.xml")).isFalse();
    assertThat(ignore.ignores("ingester/src/main/java/A.java")).isFalse();
    assertThat(ignore.ignores("devstack/launcher/src/test/java/B.java")).isFalse();
    assertThat(ignore.ignores("devstack/launcher/target/classes/C.class")).isTrue();
    assertThat(ignore.ignores("ingester/src/test/java/ATest.java")).isTrue();
    assertThat(ignore.ignores("ingester/target/ingester.jar")).isTrue();
    assertThat(ignore.ignores("README.md")).isTrue();
    assertThat(ignore.ignores(".git")).isTrue();
  }

  @Test
  void buildContextOfThisRepositoryHoldsWhatTheImagesBuild() throws IOException {
    DockerIgnore ignore = DockerIgnore.parse(Files.readString(REPO.resolve(".dockerignore")));

    List<String> files = ServiceImage.contextFiles(REPO, ignore);

    assertThat(files).contains("pom.xml", "ingester/pom.xml", "appender/pom.xml", "tests-integration/pom.xml")
        .anyMatch(f -> f.startsWith("ingester/src/main/java/"))
        .anyMatch(f -> f.startsWith("appender/src/main/java/"))
        .noneMatch(f -> f.contains("/target/") || f.startsWith(".git") || f.startsWith("docs/"));
  }
}
