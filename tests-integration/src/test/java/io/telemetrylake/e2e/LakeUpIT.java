package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code ./lake up} as a developer runs it: DevStackMain in a JVM of its own on its own data
 * directory and free ports, asked through the real {@code ./lake status} script. A service killed
 * from outside is reported and restarted; a server killed from outside ends {@code lake up} with
 * exit 1 and no child left. One stack start for both tests: the second one ends it, so it runs
 * last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LakeUpIT {

  private static final Duration START_WITHIN = Duration.ofMinutes(5);
  private static final Duration RESTART_WITHIN = Duration.ofMinutes(3);
  private static final String MAIN = "io.telemetrylake.devstack.DevStackMain";

  private static Path repoRoot;
  private static Path dataDir;
  private static Path output;
  private static Process lakeUp;

  @BeforeAll
  static void startLakeUp() throws IOException {
    repoRoot = Pipeline.repoRootFromModule();
    Path dir = Path.of("target", "lake-up-it-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
    Files.createDirectories(dir);
    dataDir = dir.resolve("data");
    output = dir.resolve("lake-up.out");
    // what the script's `up` runs, on this test's classpath (which holds the devstack launcher)
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dlake.repo=" + repoRoot,
                "-cp", System.getProperty("java.class.path"),
                MAIN)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.putAll(lakeEnv());
    for (String port : List.of("LAKE_KAFKA_PORT", "LAKE_S3_PORT", "LAKE_CATALOG_PORT", "INGESTER_PORT", "APPENDER_PORT")) {
      env.put(port, "0");
    }
    // the jars were just built, so there is no archive to map, and dumping one at the stop costs
    // ~20 s on two busy cores
    env.put("LAKE_CDS", "off");
    lakeUp = builder.start();
    await("lake up ready (see " + output + ")")
        .atMost(START_WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          assertThat(lakeUp.isAlive()).as("lake up is running; its output:\n%s", output()).isTrue();
          return output().contains("Press Ctrl-C to stop.");
        });
  }

  @AfterAll
  static void stopLakeUp() throws InterruptedException {
    if (lakeUp != null && lakeUp.isAlive()) {
      lakeUp.destroy(); // SIGTERM: the shutdown hook stops every child
      if (!lakeUp.waitFor(2, TimeUnit.MINUTES)) {
        lakeUp.destroyForcibly(); // its children see their stdin close and exit
      }
    }
  }

  @Test
  @Order(1)
  void appenderAndIngesterKilledFromOutsideAreReportedRestartedAndCounted() throws Exception {
    // the appender's /readyz may wait for its partitions' offsets a moment after its start
    await("all ready").atMost(RESTART_WITHIN).pollInterval(Duration.ofMillis(500))
        .until(() -> status().exitCode() == 0);
    Status before = status();
    assertThat(before.exitCode()).as("lake status before, output:\n%s", before.text()).isZero();
    assertThat(before.rows().keySet())
        .containsExactly("kafka", "s3", "catalog", "ingester", "appender", "maintenance");
    assertThat(before.rows().values()).allSatisfy(row -> {
      assertThat(row.ready()).isEqualTo("yes");
      assertThat(row.restarts()).isZero();
    });
    long appenderPid = before.rows().get("appender").pid();
    long ingesterPid = before.rows().get("ingester").pid();

    ProcessHandle.of(appenderPid).orElseThrow().destroyForcibly();
    ProcessHandle.of(ingesterPid).orElseThrow().destroyForcibly();

    // until it is back (a backoff of 1 s, then a JVM start), lake status says so and exits 1
    await("lake status exits 1 while the appender is away")
        .atMost(RESTART_WITHIN)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Status now = status();
          return now.exitCode() == 1 && !now.rows().get("appender").ready().equals("yes");
        });
    await("both restarted and ready (see " + output + ")")
        .atMost(RESTART_WITHIN)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> {
          Status now = status();
          return now.exitCode() == 0
              && now.rows().get("appender").restarts() == 1
              && now.rows().get("ingester").restarts() == 1;
        });
    Status after = status();
    assertThat(after.rows().get("appender").pid()).isNotEqualTo(appenderPid);
    assertThat(after.rows().get("ingester").pid()).isNotEqualTo(ingesterPid);
    assertThat(after.rows().get("appender").note()).startsWith("last exit 137 (killed by SIGKILL), ");
    assertThat(after.rows().get("kafka").restarts()).isZero();
    assertThat(output())
        .contains("lake up: appender (pid " + appenderPid + ") ended with exit code 137 (killed by SIGKILL) after ")
        .contains("lake up: ingester (pid " + ingesterPid + ") ended with exit code 137 (killed by SIGKILL) after ")
        .contains("lines of " + dataDir.resolve("logs/appender.log") + ":\n  | ")
        .contains("lake up: restarting appender in 1 s (restart 1)")
        .contains("lake up: appender is running again (pid " + after.rows().get("appender").pid() + ", ready in ")
        .contains("lake up: ingester is running again (pid " + after.rows().get("ingester").pid() + ", ready in ");
    assertThat(lakeUp.isAlive()).isTrue();
  }

  @Test
  @Order(2)
  void aServerKilledFromOutsideStopsEverythingAndLakeUpExitsOne() throws Exception {
    List<ProcessHandle> children = lakeUp.toHandle().descendants().toList();
    assertThat(children).hasSizeGreaterThanOrEqualTo(6);
    long s3Pid = status().rows().get("s3").pid();

    ProcessHandle.of(s3Pid).orElseThrow().destroyForcibly();

    assertThat(lakeUp.waitFor(3, TimeUnit.MINUTES)).as("lake up ended; output:\n%s", output()).isTrue();
    assertThat(lakeUp.exitValue()).isEqualTo(1);
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(output())
        .contains("lake up: s3 (pid " + s3Pid + ") ended with exit code 137 (killed by SIGKILL) after ")
        .contains("lines of " + dataDir.resolve("logs/s3.log") + ":\n  | ")
        .contains("lake up: the stack cannot run without s3; stopping everything")
        .contains("devstack stopped in ")
        .doesNotContain("restarting s3");
    Status gone = status();
    assertThat(gone.exitCode()).isEqualTo(3);
    assertThat(gone.text()).contains("./lake up is not running on " + dataDir);
  }

  private static String output() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  private static Map<String, String> lakeEnv() {
    return Map.of("LAKE_DATA_DIR", dataDir.toString());
  }

  /** {@code ./lake status}, the script itself. */
  private static Status status() throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", repoRoot.resolve("lake").toString(), "status").redirectErrorStream(true);
    builder.environment().putAll(lakeEnv());
    Process process = builder.start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    return new Status(process.exitValue(), text, rows(text));
  }

  /** Columns are at least two spaces apart; a cell has single spaces at most ("12m 03s"). */
  private static Map<String, Row> rows(String text) {
    Map<String, Row> rows = new LinkedHashMap<>();
    List<String> lines = text.lines().toList();
    int heading = lines.indexOf(lines.stream().filter(l -> l.startsWith("SERVICE ")).findFirst().orElse(""));
    if (heading < 0) {
      return rows;
    }
    for (String line : lines.subList(heading + 1, lines.size())) {
      String[] cells = line.split("\\s{2,}", 7);
      rows.put(cells[0], new Row(
          cells[1].equals("-") ? -1 : Long.parseLong(cells[1]),
          cells[3],
          Integer.parseInt(cells[4]),
          cells.length > 6 ? cells[6] : ""));
    }
    return rows;
  }

  private record Status(int exitCode, String text, Map<String, Row> rows) {}

  private record Row(long pid, String ready, int restarts, String note) {}
}
