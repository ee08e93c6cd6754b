package io.telemetrylake.devstack;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {

  @TempDir Path dir;
  private Path cache;
  private List<Path> classpath;
  private ClassDataSharing sharing;

  @BeforeEach
  void jars() throws Exception {
    cache = dir.resolve("cache");
    classpath =
        List.of(
            Files.writeString(dir.resolve("a.jar"), "a"),
            Files.writeString(dir.resolve("b.jar"), "b"));
    sharing = ClassDataSharing.from(Map.of("LAKE_CDS_DIR", cache.toString()), "", "/home/x");
  }

  @Test
  void firstLaunchDumpsAndAGracefulStopTurnsTheDumpIntoTheArchiveTheNextLaunchUses()
      throws Exception {
    ClassDataSharing.Plan first = sharing.plan("kafka", classpath);
    assertThat(first.jvmOptions()).contains("-XX:ArchiveClassesAtExit=" + first.pendingDump());
    Files.writeString(first.pendingDump(), "archive bytes");

    sharing.finish(first, "kafka", true);
    ClassDataSharing.Plan second = sharing.plan("kafka", classpath);

    assertThat(first.archive()).exists();
    assertThat(first.pendingDump()).doesNotExist();
    assertThat(second.jvmOptions()).contains("-XX:SharedArchiveFile=" + first.archive());
    assertThat(second.pendingDump()).isNull();
  }

  @Test
  void dumpOfAKilledServerIsDiscarded() throws Exception {
    ClassDataSharing.Plan plan = sharing.plan("kafka", classpath);
    Files.writeString(plan.pendingDump(), "maybe truncated");

    sharing.finish(plan, "kafka", false);

    assertThat(plan.pendingDump()).doesNotExist();
    assertThat(plan.archive()).doesNotExist();
  }

  @Test
  void eachClasspathGetsItsOwnArchiveAndOnlyTheNewestThreeAreKept() throws Exception {
    List<Path> archives = new ArrayList<>();
    for (int build = 0; build < 4; build++) {
      // a rebuilt jar: new size and modification time, so the JVM would refuse the old archive
      Files.writeString(classpath.get(1), "build " + build + "x".repeat(build));
      Files.setLastModifiedTime(classpath.get(1), FileTime.fromMillis(1_000_000L * (build + 1)));
      ClassDataSharing.Plan plan = sharing.plan("kafka", classpath);
      assertThat(plan.pendingDump()).as("build %d dumps anew", build).isNotNull();
      Files.writeString(plan.pendingDump(), "archive of build " + build);
      sharing.finish(plan, "kafka", true);
      Files.setLastModifiedTime(plan.archive(), FileTime.from(Instant.now().plusSeconds(build)));
      archives.add(plan.archive());
    }

    assertThat(archives).doesNotHaveDuplicates();
    assertThat(archives.get(0)).doesNotExist();
    assertThat(archives.subList(1, 4)).allSatisfy(a -> assertThat(a).exists());
  }

  @Test
  void classesDirectoryOnTheClasspathMeansNoSharing() throws Exception {
    Path classes = Files.createDirectories(dir.resolve("classes"));

    ClassDataSharing.Plan plan = sharing.plan("kafka", List.of(classes, classpath.get(0)));

    assertThat(plan.jvmOptions()).isEmpty();
  }

  @Test
  void switchedOffByEnvironmentOrProperty() {
    assertThat(
            ClassDataSharing.from(Map.of("LAKE_CDS", "off"), "", "/home/x")
                .plan("kafka", classpath)
                .jvmOptions())
        .isEmpty();
    assertThat(
            ClassDataSharing.from(Map.of(), "false", "/home/x")
                .plan("kafka", classpath)
                .jvmOptions())
        .isEmpty();
  }

  @Test
  void cacheDefaultsToTheUsersCacheDirectory() {
    ClassDataSharing.Plan plan =
        ClassDataSharing.from(
                Map.of("XDG_CACHE_HOME", dir.resolve("xdg").toString()), "", "/home/x")
            .plan("s3", classpath);

    assertThat(plan.archive().getParent()).isEqualTo(dir.resolve("xdg/telemetry-lake/cds"));
  }

  @Test
  void aJarListingItsClassesGetsItsArchiveBeforeItsFirstStartAndTheJvmMapsIt() throws Exception {
    Path jar = dir.resolve("service.jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
      zip.putNextEntry(new ZipEntry(ClassDataSharing.CLASS_LIST));
      zip.write("java/lang/Object\njava/lang/String\njava/util/ArrayList\n".getBytes(UTF_8));
      zip.closeEntry();
    }
    List<Path> serviceClasspath = List.of(jar, classpath.get(0));

    ClassDataSharing.Plan plan = sharing.plan("service", serviceClasspath);

    assertThat(plan.pendingDump()).as("no dump at exit needed").isNull();
    assertThat(plan.jvmOptions()).contains("-XX:SharedArchiveFile=" + plan.archive());
    assertThat(plan.archive()).exists();
    assertThat(cache).isDirectoryNotContaining("glob:**.{classlist,argfile}");
    // -Xshare:on makes the JVM fail instead of running without an archive it cannot map
    Process java =
        new ProcessBuilder(
                ChildJvm.javaExecutable().toString(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + plan.archive(),
                "-cp",
                jar + File.pathSeparator + classpath.get(0),
                "-version")
            .redirectErrorStream(true)
            .start();
    String output = new String(java.getInputStream().readAllBytes(), UTF_8);
    assertThat(java.waitFor()).as(output).isZero();
    assertThat(output).contains("sharing");
  }

  @Test
  void aJarWithoutAClassListIsDumpedAtExitAsBefore() throws Exception {
    Path jar = dir.resolve("plain.jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
      zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      zip.closeEntry();
    }

    ClassDataSharing.Plan plan = sharing.plan("plain", List.of(jar));

    assertThat(plan.jvmOptions()).contains("-XX:ArchiveClassesAtExit=" + plan.pendingDump());
    assertThat(plan.archive()).doesNotExist();
  }
}
