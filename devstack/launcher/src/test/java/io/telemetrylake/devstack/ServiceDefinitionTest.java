package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceDefinitionTest {
  private static final Instant BUILT = Instant.parse("2026-12-07T12:00:00Z");

  @TempDir Path repo;
  private Path target;
  private Path classFile;

  @BeforeEach
  void buildModule() throws Exception {
    target = Files.createDirectories(repo.resolve("appender").resolve("target"));
    classFile = Files.createDirectories(target.resolve("classes/io/x")).resolve("Main.class");
    Files.writeString(classFile, "class");
    touch(classFile, BUILT);
    Files.writeString(target.resolve("appender.classpath"), "/m2/a.jar:/m2/b.jar");
  }

  @Test
  void runsFromTheModulesJarWhenItIsAsNewAsItsClasses() throws Exception {
    Path jar = jar("appender-0.1.0-SNAPSHOT.jar", BUILT.plusSeconds(1));
    jar("appender-0.1.0-SNAPSHOT-sources.jar", BUILT.plusSeconds(1));

    assertThat(ServiceDefinition.moduleClasspath(repo, "appender"))
        .isEqualTo(List.of(jar, Path.of("/m2/a.jar"), Path.of("/m2/b.jar")));
  }

  @Test
  void runsFromItsClassesWhenOneWasCompiledAfterTheJar() throws Exception {
    jar("appender-0.1.0-SNAPSHOT.jar", BUILT.minusSeconds(60));

    assertThat(ServiceDefinition.moduleClasspath(repo, "appender").get(0))
        .isEqualTo(target.resolve("classes"));
  }

  @Test
  void runsFromItsClassesWhenThereIsNoJar() {
    assertThat(ServiceDefinition.moduleClasspath(repo, "appender").get(0))
        .isEqualTo(target.resolve("classes"));
  }

  @Test
  void instancesOfOneProgramShareAClassDataSharingArchive() {
    String main = "io.telemetrylake.appender.AppenderMain";
    ServiceDefinition first = new ServiceDefinition("appender", main, 1, "/healthz", Map.of(), List.of());
    ServiceDefinition second = new ServiceDefinition("appender-2", main, 2, "/healthz", Map.of(), List.of());

    assertThat(first.sharingName()).isEqualTo(second.sharingName()).isEqualTo("AppenderMain");
    assertThat(new ServiceDefinition("maintenance", "io.telemetrylake.appender.maintain.MaintainMain", 3,
            "/healthz", Map.of(), List.of()).sharingName())
        .isEqualTo("MaintainMain");
  }

  private Path jar(String name, Instant modified) throws Exception {
    Path jar = Files.writeString(target.resolve(name), "jar");
    touch(jar, modified);
    return jar;
  }

  private static void touch(Path file, Instant time) throws Exception {
    Files.setLastModifiedTime(file, FileTime.from(time));
  }
}
