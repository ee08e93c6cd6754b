package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeClasspathTest {

  private static final String RESOURCE = "telemetry-lake/devstack/kafka.classpath";

  @TempDir Path dir;

  @Test
  void moduleRootOfAResourceInAJarIsTheJar() throws Exception {
    URL url = new URL("jar:file:/m2/io/devstack-kafka-0.1.0.jar!/" + RESOURCE);

    assertThat(RuntimeClasspath.moduleRoot(url, RESOURCE))
        .isEqualTo(Path.of("/m2/io/devstack-kafka-0.1.0.jar"));
  }

  @Test
  void moduleRootOfAResourceInAClassesDirectoryIsThatDirectory() throws Exception {
    URL url = new URL("file:/repo/devstack/runtime-kafka/target/classes/" + RESOURCE);

    assertThat(RuntimeClasspath.moduleRoot(url, RESOURCE))
        .isEqualTo(Path.of("/repo/devstack/runtime-kafka/target/classes"));
  }

  @Test
  void moduleRootDecodesEscapedCharactersOfBothForms() throws Exception {
    assertThat(
            RuntimeClasspath.moduleRoot(
                new URL("jar:file:/my%20repo/k.jar!/" + RESOURCE), RESOURCE))
        .isEqualTo(Path.of("/my repo/k.jar"));
    assertThat(
            RuntimeClasspath.moduleRoot(new URL("file:/my%20repo/classes/" + RESOURCE), RESOURCE))
        .isEqualTo(Path.of("/my repo/classes"));
  }

  @Test
  void rejectsNestedJarsAndRemoteLocations() throws Exception {
    assertThatThrownBy(
            () ->
                RuntimeClasspath.moduleRoot(
                    new URL("jar:file:/app.jar!/lib/k.jar!/" + RESOURCE), RESOURCE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("nested");
    assertThatThrownBy(
            () ->
                RuntimeClasspath.moduleRoot(
                    new URL("jar:http://host/k.jar!/" + RESOURCE), RESOURCE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("local disk");
  }

  @Test
  void rejectsAFileUrlThatDoesNotEndWithTheResource() throws Exception {
    assertThatThrownBy(
            () -> RuntimeClasspath.moduleRoot(new URL("file:/repo/classes/other.txt"), RESOURCE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not end with");
  }

  @Test
  void classpathIsTheModuleFollowedByTheListedEntries() throws Exception {
    Path module = Files.createDirectories(dir.resolve("classes"));
    Path first = Files.createFile(dir.resolve("a.jar"));
    Path second = Files.createFile(dir.resolve("b.jar"));
    writeResource(module, first + File.pathSeparator + second + "\n");

    List<Path> classpath = RuntimeClasspath.of("kafka", loaderOf(module));

    assertThat(classpath).containsExactly(module, first, second);
  }

  @Test
  void missingEntryIsReportedWithItsPath() throws Exception {
    Path module = Files.createDirectories(dir.resolve("classes"));
    Path gone = dir.resolve("gone.jar");
    writeResource(module, gone.toString());

    assertThatThrownBy(() -> RuntimeClasspath.of("kafka", loaderOf(module)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(gone.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void missingResourceNamesTheRuntimeModule() {
    assertThatThrownBy(() -> RuntimeClasspath.of("nosuch", loaderOf(dir)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("devstack-nosuch");
  }

  private static void writeResource(Path module, String content) throws Exception {
    Path file = module.resolve(RESOURCE);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private static ClassLoader loaderOf(Path root) throws Exception {
    // no parent: the real runtime modules on the test classpath must not answer
    return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
  }
}
