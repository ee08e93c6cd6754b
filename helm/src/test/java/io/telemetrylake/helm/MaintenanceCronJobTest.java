package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The built-in lake maintenance: a CronJob running the appender image's lake-maintain (the Java
 * main class MaintainMain) with --json, on by default in both modes, absent when disabled, and
 * carrying the maintenance values as MAINTENANCE_* variables (empty values left out: the table's
 * own properties apply).
 */
final class MaintenanceCronJobTest {
  private static final String NAME = RenderedChart.RELEASE + "-telemetry-lake-maintenance";
  private static final String APPENDER = RenderedChart.RELEASE + "-telemetry-lake-appender";
  private static final String COMMAND = "/usr/local/bin/lake-maintain";

  @ParameterizedTest(name = "{0} mode")
  @ValueSource(strings = {"external", "bundled"})
  void rendersByDefaultInEveryMode(String mode) throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "mode=" + mode);

    JsonNode cron = chart.find("CronJob", NAME);
    JsonNode spec = cron.path("spec");
    assertThat(spec.path("schedule").asText()).isEqualTo("17 * * * *");
    assertThat(spec.path("concurrencyPolicy").asText()).isEqualTo("Forbid");
    assertThat(spec.path("successfulJobsHistoryLimit").asInt()).isEqualTo(3);
    assertThat(spec.path("failedJobsHistoryLimit").asInt()).isEqualTo(3);
    assertThat(spec.path("jobTemplate").path("spec").path("activeDeadlineSeconds").asInt()).isEqualTo(3300);
    assertThat(spec.path("jobTemplate").path("spec").path("backoffLimit").asInt()).isZero();
    assertThat(cron.path("metadata").path("labels").path("app.kubernetes.io/component").asText()).isEqualTo("maintenance");

    JsonNode pod = RenderedChart.podSpec(cron);
    assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
    JsonNode container = chart.container(NAME, "maintenance");
    JsonNode appender = chart.container(APPENDER, "appender");
    assertThat(container.path("image").asText()).as("the appender's image").isEqualTo(appender.path("image").asText());
    assertThat(texts(container.path("command"))).containsExactly(COMMAND);
    assertThat(texts(container.path("args"))).containsExactly("--json");
    assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("3Gi");

    // empty values: the table's own properties and the maintainer's defaults apply
    Map<String, String> env = chart.containerEnv(NAME, "maintenance");
    assertThat(env).doesNotContainKeys("MAINTENANCE_TARGET_FILE_SIZE_MB", "MAINTENANCE_MIN_INPUT_FILES",
        "MAINTENANCE_EXPIRE_OLDER_THAN", "MAINTENANCE_RETAIN_LAST", "MAINTENANCE_ORPHANS_OLDER_THAN");
    assertThat(env).containsEntry("MAINTENANCE_DRY_RUN", "false")
        .containsEntry("MAINTENANCE_DUCKDB_MEMORY_MB", "1024")
        .containsEntry("ICEBERG_CATALOG_URI", chart.containerEnv(APPENDER, "appender").get("ICEBERG_CATALOG_URI"));

    // the work directory is a scratch emptyDir, mounted where MAINTENANCE_WORK_DIR points
    String workDir = env.get("MAINTENANCE_WORK_DIR");
    assertThat(workDir).isEqualTo("/var/lib/telemetry-lake/maintenance");
    String volume = null;
    for (JsonNode m : container.path("volumeMounts")) {
      if (workDir.equals(m.path("mountPath").asText())) {
        volume = m.path("name").asText();
      }
    }
    assertThat(volume).as("a volume mounted at " + workDir).isNotNull();
    JsonNode scratch = null;
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(volume)) {
        scratch = v;
      }
    }
    assertThat(scratch).as("volume " + volume).isNotNull();
    assertThat(scratch.path("emptyDir").path("sizeLimit").asText()).isEqualTo("4Gi");
  }

  @ParameterizedTest(name = "{0} mode")
  @ValueSource(strings = {"external", "bundled"})
  void isAbsentWhenDisabled(String mode) throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "mode=" + mode, "--set", "maintenance.enabled=false");

    assertThat(chart.ofKind("CronJob")).isEmpty();
    assertThat(chart.ofKind("StatefulSet")).isNotEmpty();
  }

  @Test
  void carriesTheMaintenanceValues() throws Exception {
    RenderedChart chart = RenderedChart.render("-f",
        RenderedChart.MODULE_DIR.resolve("scripts/testdata/maintenance-values.yaml").toString());

    JsonNode spec = chart.find("CronJob", NAME).path("spec");
    assertThat(spec.path("schedule").asText()).isEqualTo("*/30 * * * *");
    assertThat(spec.path("timeZone").asText()).isEqualTo("Europe/Berlin");
    assertThat(spec.path("startingDeadlineSeconds").asInt()).isEqualTo(300);
    assertThat(spec.path("successfulJobsHistoryLimit").asInt()).isEqualTo(1);
    assertThat(spec.path("failedJobsHistoryLimit").asInt()).isEqualTo(5);
    assertThat(spec.path("jobTemplate").path("spec").path("activeDeadlineSeconds").asInt()).isEqualTo(1500);
    assertThat(spec.path("jobTemplate").path("spec").path("backoffLimit").asInt()).isEqualTo(1);
    JsonNode pod = RenderedChart.podSpec(chart.find("CronJob", NAME));
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("batch-low");
    assertThat(pod.path("nodeSelector").path("kubernetes.io/arch").asText()).isEqualTo("amd64");

    JsonNode container = chart.container(NAME, "maintenance");
    assertThat(texts(container.path("args"))).as("--json first, then extraArgs").containsExactly("--json", "--force");
    assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("4Gi");
    Map<String, String> env = chart.containerEnv(NAME, "maintenance");
    assertThat(env).containsEntry("MAINTENANCE_TARGET_FILE_SIZE_MB", "256")
        .containsEntry("MAINTENANCE_MIN_INPUT_FILES", "8")
        .containsEntry("MAINTENANCE_EXPIRE_OLDER_THAN", "7d")
        .containsEntry("MAINTENANCE_RETAIN_LAST", "10")
        .containsEntry("MAINTENANCE_ORPHANS_OLDER_THAN", "30m")
        .containsEntry("MAINTENANCE_DRY_RUN", "true")
        .containsEntry("MAINTENANCE_DUCKDB_MEMORY_MB", "2048")
        .containsEntry("MAINTENANCE_WORK_DIR", "/scratch")
        .containsEntry("AWS_MAX_ATTEMPTS", "5")
        .containsEntry("JAVA_OPTS", "-XX:MaxRAMPercentage=30.0 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC");
    // the appender's catalog token reaches the job; its Kafka credentials do not
    assertThat(env).containsKey("ICEBERG_PROP_TOKEN").doesNotContainKey("KAFKA_CLIENT_SASL_JAAS_CONFIG");
  }

  /** Only the CronJob's own spec changes: the appenders are not rolled for a maintenance value. */
  @Test
  void maintenanceValuesDoNotRollTheAppenders() throws Exception {
    String before = checksum(RenderedChart.render());
    String after = checksum(RenderedChart.render("--set", "maintenance.expireOlderThan=2d",
        "--set", "maintenance.targetFileSizeMb=128", "--set", "maintenance.enabled=false"));

    assertThat(after).isEqualTo(before);
  }

  /** The command the chart runs exists in the appender image and starts MaintainMain. */
  @Test
  void theAppenderImageProvidesTheMaintenanceCommand() throws Exception {
    String dockerfile = Files.readString(RenderedChart.MODULE_DIR.resolveSibling("docker").resolve("Dockerfile.appender"));
    Path main = RenderedChart.MODULE_DIR.resolveSibling("appender")
        .resolve("src/main/java/io/telemetrylake/appender/maintain/MaintainMain.java");

    assertThat(dockerfile).contains("> " + COMMAND)
        .contains("exec java $JAVA_OPTS -cp \"/app/app.jar:/app/lib/*\" io.telemetrylake.appender.maintain.MaintainMain \"$@\"");
    assertThat(Files.isRegularFile(main)).as(main + " must exist").isTrue();
    // the default entrypoint is still the appender
    assertThat(dockerfile).containsPattern("ENTRYPOINT \\[.*io\\.telemetrylake\\.appender\\.AppenderMain\"\\]");
  }

  private static String checksum(RenderedChart chart) {
    return chart.find("StatefulSet", APPENDER).path("spec").path("template").path("metadata")
        .path("annotations").path("checksum/config").asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
