package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.telemetrylake.config.Settings;
import io.telemetrylake.ingester.IngesterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart's environment variables and the services' settings cannot drift apart. The chart is
 * rendered by helm and the names its Deployments set are compared with the keys each service
 * reads: the ingester's {@link IngesterConfig#KEYS}, and the appender's keys as they appear in
 * AppenderConfig's source (it publishes no list; see {@link ConfigSource}), plus the test-only
 * crash hook's in CrashHooks'. Renaming a setting on
 * one side only fails here, in both directions. The lake maintenance CronJob is held to the
 * MAINTENANCE_* keys in MaintenanceOptions' source and to the appender's signals, catalog, table
 * and S3 settings, which it must see exactly as the appender does. The traces signal's settings
 * ({@link #TRACES}) are listed once more on their own: each service must read them and the chart
 * must set them.
 */
final class ChartSettingsDriftTest {
  /** Read by the image's entrypoint (JAVA_OPTS) and by logback (LOG_LEVEL), not by the config class. */
  private static final Set<String> RUNTIME = Set.of("JAVA_OPTS", "LOG_LEVEL");
  /** Keys the chart must never set, with the reason. */
  private static final Map<String, String> NOT_FOR_THE_CHART =
      Map.of("APPENDER_TEST_CRASH_AT", "a test-only hook that halts the appender mid-flush");

  /** MAINTENANCE_* settings the CronJob never sets, with the reason. */
  private static final Map<String, String> NOT_FOR_THE_CRONJOB = Map.of(
      "MAINTENANCE_JSON", "the job passes --json on its command line",
      "MAINTENANCE_EVERY", "loop mode: the CronJob schedules the runs itself",
      "MAINTENANCE_PORT", "loop mode's /healthz: a job has no probes",
      "MAINTENANCE_FORCE", "an orphan age below 1h must be asked for explicitly (maintenance.extraArgs: [--force])",
      "MAINTENANCE_TEST_CRASH_AT", "a test-only hook that halts the maintainer mid-compaction");
  /** The appender's settings the maintainer shares: catalog, tables, S3 (and the log level, the signals). */
  private static final List<String> LAKE_PREFIXES = List.of("ICEBERG_", "S3_");
  /** Which signals' tables the maintainer maintains: the appender's. */
  private static final String SIGNALS = "SIGNALS";
  /**
   * The settings of the traces signal, as decided for the services (.env.example): the ingester
   * writes the traces topic; the appender picks its signals and has the traces topic, table and
   * DLQ topic; the maintainer maintains the tables of the signals.
   */
  private static final Map<String, Set<String>> TRACES = Map.of(
      "ingester", Set.of("KAFKA_TRACES_TOPIC"),
      "appender", Set.of(SIGNALS, "KAFKA_TRACES_TOPIC", "ICEBERG_TRACES_TABLE", "APPENDER_TRACES_DLQ_TOPIC"),
      "maintenance", Set.of(SIGNALS, "ICEBERG_TRACES_TABLE"));

  private static RenderedChart everySetting;
  /** MAINTENANCE_* keys of MaintenanceOptions and CompactionHooks. */
  private static Set<String> maintenanceKeys;
  private static Map<String, Service> services;

  /** What a service reads: its keys and the prefixes of its pass-through properties. */
  record Service(String name, Set<String> keys, Set<String> prefixes) {}

  @BeforeAll
  static void renderAndReadTheServices() throws Exception {
    everySetting = RenderedChart.render("-f", RenderedChart.MODULE_DIR.resolve("src/test/resources/every-setting-values.yaml").toString());
    ConfigSource appender = ConfigSource.read(RenderedChart.MODULE_DIR.resolveSibling("appender")
        .resolve("src/main/java/io/telemetrylake/appender/AppenderConfig.java"));
    Set<String> appenderKeys = new TreeSet<>(appender.keys());
    appenderKeys.removeAll(NOT_FOR_THE_CHART.keySet());
    Set<String> maintenance = new TreeSet<>();
    for (String file : List.of("MaintenanceOptions.java", "CompactionHooks.java")) {
      ConfigSource.read(RenderedChart.MODULE_DIR.resolveSibling("appender")
              .resolve("src/main/java/io/telemetrylake/appender/maintain/" + file))
          .keys().stream().filter(k -> k.startsWith("MAINTENANCE_")).forEach(maintenance::add);
    }
    maintenanceKeys = Set.copyOf(maintenance);
    // the maintainer reads its own keys and, through AppenderConfig, the appender's
    Set<String> maintainerReads = new TreeSet<>(appender.keys());
    maintainerReads.addAll(maintenance);
    // a setting of MaintenanceOptions' that is not MAINTENANCE_* (SIGNALS, should it be read there)
    maintainerReads.addAll(ConfigSource.read(RenderedChart.MODULE_DIR.resolveSibling("appender")
        .resolve("src/main/java/io/telemetrylake/appender/maintain/MaintenanceOptions.java")).keys());
    maintainerReads.removeAll(NOT_FOR_THE_CRONJOB.keySet());
    maintainerReads.removeAll(NOT_FOR_THE_CHART.keySet());
    services = Map.of(
        "ingester", new Service("ingester", Set.copyOf(IngesterConfig.KEYS), Set.of(IngesterConfig.KAFKA_CLIENT_PREFIX)),
        "appender", new Service("appender", Set.copyOf(appenderKeys), appender.prefixes()),
        "maintenance", new Service("maintenance", Set.copyOf(maintainerReads), appender.prefixes()));
    // the test-only crash hook is read apart from the settings, by the flush's hooks
    ConfigSource crashHooks = ConfigSource.read(RenderedChart.MODULE_DIR.resolveSibling("appender")
        .resolve("src/main/java/io/telemetrylake/appender/flush/CrashHooks.java"));
    Set<String> readByTheAppender = new TreeSet<>(appender.keys());
    readByTheAppender.addAll(crashHooks.keys());
    assertThat(readByTheAppender).as("keys the chart deliberately leaves out must still exist in the appender")
        .containsAll(NOT_FOR_THE_CHART.keySet());
    assertThat(maintenanceKeys).as("keys the CronJob deliberately leaves out must still exist in the maintainer")
        .containsAll(NOT_FOR_THE_CRONJOB.keySet());
  }

  /** Every MAINTENANCE_* setting has its value in the chart, except the few left out on purpose. */
  @Test
  void theCronJobSetsExactlyTheMaintenanceSettingsTheMaintainerReads() {
    Set<String> chart = new TreeSet<>(env(everySetting, "maintenance").keySet());
    chart.removeIf(name -> !name.startsWith("MAINTENANCE_"));
    Set<String> maintainer = new TreeSet<>(maintenanceKeys);
    maintainer.removeAll(NOT_FOR_THE_CRONJOB.keySet());

    SettingsDrift drift = SettingsDrift.between(chart, maintainer);

    assertThat(drift.isNone()).as(drift.describe("the maintainer (MaintenanceOptions)")).isTrue();
  }

  @Test
  void theCronJobNeverSetsWhatItLeavesOut() {
    assertThat(env(everySetting, "maintenance")).doesNotContainKeys(NOT_FOR_THE_CRONJOB.keySet().toArray(String[]::new));
  }

  /**
   * The maintainer finds the table where the appender writes it: the same catalog, table and S3
   * variables with the same values, and the S3 keys from the same Secret keys.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("renderingsWithEverySetting")
  void theCronJobSeesTheAppendersCatalogTableAndS3Settings(String rendering, List<String> args) throws Exception {
    RenderedChart chart = RenderedChart.render(args.toArray(String[]::new));
    Map<String, String> appender = lakeSettings(env(chart, "appender"));
    Map<String, String> maintenance = lakeSettings(env(chart, "maintenance"));

    assertThat(appender).as("the appender's catalog, table and S3 settings").isNotEmpty();
    assertThat(maintenance).containsExactlyInAnyOrderEntriesOf(appender);
    assertThat(env(chart, "maintenance")).containsEntry("LOG_LEVEL", env(chart, "appender").get("LOG_LEVEL"));
    assertThat(env(chart, "maintenance")).as("the tables of the signals the appenders write")
        .containsEntry(SIGNALS, env(chart, "appender").get(SIGNALS));
    for (String secret : List.of("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")) {
      assertThat(String.valueOf(envVar(chart, "maintenance", secret)))
          .as(secret + " from the appender's Secret key").isEqualTo(String.valueOf(envVar(chart, "appender", secret)));
    }
  }

  /** With every setting: each catalog, table or S3 key AppenderConfig reads reaches the maintainer. */
  @Test
  void everyCatalogTableAndS3SettingOfTheAppenderReachesTheCronJob() {
    Set<String> lakeKeys = new TreeSet<>(services.get("appender").keys());
    lakeKeys.removeIf(k -> LAKE_PREFIXES.stream().noneMatch(k::startsWith));

    assertThat(lakeKeys).as("AppenderConfig's catalog and S3 keys").contains("ICEBERG_CATALOG_URI", "S3_ACCESS_KEY_ID");
    assertThat(env(everySetting, "maintenance")).containsKeys(lakeKeys.toArray(String[]::new));
    assertThat(passThrough(env(everySetting, "maintenance"), "ICEBERG_PROP_"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("rest.sigv4-enabled", "true", "s3.sse.type", "kms"));
    assertThat(env(everySetting, "maintenance")).as("the appender's Kafka settings are not the maintainer's business")
        .doesNotContainKeys("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_TRACES_TOPIC", "KAFKA_CLIENT_MAX_POLL_RECORDS",
            "APPENDER_AUTH_TOKEN", "APPENDER_TRACES_DLQ_TOPIC");
  }

  @Test
  void maintenanceSettingsCarryTheValuesFromTheValuesFiles() {
    assertThat(env(everySetting, "maintenance"))
        .containsEntry("MAINTENANCE_TARGET_FILE_SIZE_MB", "256")
        .containsEntry("MAINTENANCE_MIN_INPUT_FILES", "8")
        .containsEntry("MAINTENANCE_EXPIRE_OLDER_THAN", "7d")
        .containsEntry("MAINTENANCE_RETAIN_LAST", "10")
        .containsEntry("MAINTENANCE_ORPHANS_OLDER_THAN", "2d")
        .containsEntry("MAINTENANCE_DRY_RUN", "true")
        .containsEntry("MAINTENANCE_WORK_DIR", "/scratch/maintenance")
        .containsEntry("MAINTENANCE_DUCKDB_MEMORY_MB", "2048")
        .containsEntry("JAVA_OPTS", "-XX:MaxRAMPercentage=30.0 -XX:+ExitOnOutOfMemoryError");
  }

  static Stream<Arguments> renderingsWithEverySetting() throws IOException {
    List<Arguments> out = new ArrayList<>(renderings().toList());
    out.add(Arguments.of("every setting", List.of("-f",
        RenderedChart.MODULE_DIR.resolve("src/test/resources/every-setting-values.yaml").toString())));
    return out.stream();
  }

  /**
   * The traces settings, one by one: the chart sets them (every-setting values) and the service
   * reads them. Until the services' traces code is merged, the second half fails, naming the keys.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender", "maintenance"})
  void theTracesSettingsAreSetByTheChartAndReadByTheService(String name) {
    Set<String> traces = TRACES.get(name);

    assertThat(env(everySetting, name)).as("the chart sets the traces settings of the " + name)
        .containsKeys(traces.toArray(String[]::new));
    assertThat(services.get(name).keys()).as("the " + name + " reads its traces settings (in "
            + (name.equals("ingester") ? "IngesterConfig.KEYS" : "AppenderConfig's or MaintenanceOptions' source") + ")")
        .containsAll(traces);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender"})
  void theChartSetsExactlyTheSettingsTheServiceReads(String name) {
    Service service = services.get(name);
    Set<String> chart = settingNames(env(everySetting, name).keySet(), service.prefixes());

    SettingsDrift drift = SettingsDrift.between(chart, service.keys());

    assertThat(drift.isNone()).as(drift.describe("the " + name)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender"})
  void theChartNeverSetsATestOnlySetting(String name) {
    assertThat(env(everySetting, name)).doesNotContainKeys(NOT_FOR_THE_CHART.keySet().toArray(String[]::new));
  }

  @Test
  void aSettingRenamedInTheChartOnlyIsCaught() {
    Service ingester = services.get("ingester");
    Set<String> chart = new TreeSet<>(settingNames(env(everySetting, "ingester").keySet(), ingester.prefixes()));
    chart.remove(IngesterConfig.MAX_INFLIGHT_BYTES);
    chart.add("INGESTER_MAX_IN_FLIGHT_BYTES");

    SettingsDrift drift = SettingsDrift.between(chart, ingester.keys());

    assertThat(drift.unknownToService()).containsExactly("INGESTER_MAX_IN_FLIGHT_BYTES");
    assertThat(drift.notSetByChart()).containsExactly(IngesterConfig.MAX_INFLIGHT_BYTES);
  }

  @Test
  void aSettingRenamedInTheServiceOnlyIsCaught() {
    Service appender = services.get("appender");
    Set<String> chart = settingNames(env(everySetting, "appender").keySet(), appender.prefixes());
    Set<String> renamed = new TreeSet<>(appender.keys());
    renamed.remove("BUFFER_SIZE_MB");
    renamed.add("APPENDER_BUFFER_SIZE_MB");

    SettingsDrift drift = SettingsDrift.between(chart, renamed);

    assertThat(drift.unknownToService()).containsExactly("BUFFER_SIZE_MB");
    assertThat(drift.notSetByChart()).containsExactly("APPENDER_BUFFER_SIZE_MB");
  }

  /** Property names become variables that the service's own parsing maps back to the same names. */
  @Test
  void passThroughPropertiesReachTheServicesUnderTheirOwnNames() {
    assertThat(passThrough(env(everySetting, "ingester"), IngesterConfig.KAFKA_CLIENT_PREFIX))
        .containsExactlyInAnyOrderEntriesOf(Map.of(
            "security.protocol", "SASL_SSL",
            "ssl.endpoint.identification.algorithm", "https"));
    assertThat(passThrough(env(everySetting, "appender"), "KAFKA_CLIENT_"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("max.poll.records", "500"));
    assertThat(passThrough(env(everySetting, "appender"), "ICEBERG_PROP_"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("rest.sigv4-enabled", "true", "s3.sse.type", "kms"));
    assertThat(services.get("appender").prefixes()).containsExactlyInAnyOrder("KAFKA_CLIENT_", "ICEBERG_PROP_");
  }

  @Test
  void settingsCarryTheValuesFromTheValuesFiles() {
    Map<String, String> ingester = env(everySetting, "ingester");
    assertThat(ingester).containsEntry(IngesterConfig.PORT, "4318")
        .containsEntry(IngesterConfig.TOPIC, "otel-logs")
        .containsEntry("KAFKA_TRACES_TOPIC", "drift-traces")
        .containsEntry(IngesterConfig.TOPIC_PARTITIONS, "12")
        .containsEntry(IngesterConfig.MAX_BODY_BYTES, "67108864")
        .containsEntry("JAVA_OPTS", "-XX:MaxRAMPercentage=70.0 -XX:+ExitOnOutOfMemoryError");
    assertThat(ingester.get(IngesterConfig.AUTH_TOKENS)).as("tokens come from the Secret").isNull();

    Map<String, String> appender = env(everySetting, "appender");
    assertThat(appender).containsEntry("KAFKA_TOPIC", "otel-logs")
        .containsEntry("KAFKA_TRACES_TOPIC", "drift-traces")
        .containsEntry(SIGNALS, "logs,traces")
        .containsEntry("ICEBERG_TABLE", "logs")
        .containsEntry("ICEBERG_TRACES_TABLE", "drift_traces")
        .containsEntry("APPENDER_DLQ_TOPIC", "drift-dlq")
        .containsEntry("APPENDER_TRACES_DLQ_TOPIC", "drift-traces-dlq")
        .containsEntry("BUFFER_SIZE_MB", "64")
        .containsEntry("APPENDER_STAGING_DIR", "/var/lib/telemetry-lake/staging")
        .containsEntry("S3_ENDPOINT", "http://s3.example.internal:9000")
        .containsEntry("S3_PATH_STYLE_ACCESS", "true")
        .containsEntry("JAVA_OPTS", "-XX:MaxRAMPercentage=40.0 -XX:+ExitOnOutOfMemoryError -XX:CompileThresholdScaling=5");
    assertThat(appender).containsKeys("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "APPENDER_AUTH_TOKEN");
  }

  /** LOG_LEVEL is only worth setting if the service's logging configuration reads it. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender", "maintenance"})
  void logLevelIsReadByTheServiceLoggingConfiguration(String name) throws IOException {
    // the maintainer ships in the appender's jar, with its own logging configuration (stderr)
    Path logback = name.equals("maintenance")
        ? RenderedChart.MODULE_DIR.resolveSibling("appender").resolve("src/main/resources/maintain-logback.xml")
        : RenderedChart.MODULE_DIR.resolveSibling(name).resolve("src/main/resources/logback.xml");

    assertThat(env(everySetting, name)).containsKey("LOG_LEVEL");
    assertThat(Files.isRegularFile(logback))
        .as("the chart sets LOG_LEVEL for the %s, so %s must exist and read ${LOG_LEVEL}", name, logback)
        .isTrue();
    assertThat(Files.readString(logback))
        .as("the chart sets LOG_LEVEL for the %s: %s must read it", name, logback)
        .contains("${LOG_LEVEL");
  }

  /** The chart runs the images as user 10001 and hands the heap size over in JAVA_OPTS. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ingester", "appender"})
  void theImageHonoursJavaOptsAndRunsAsTheChartsUser(String name) throws IOException {
    Path dockerfile = RenderedChart.MODULE_DIR.resolveSibling("docker").resolve("Dockerfile." + name);

    String image = Files.readString(dockerfile);

    assertThat(image).as(dockerfile + " must start the JVM with $JAVA_OPTS").contains("exec java $JAVA_OPTS");
    assertThat(image).as(dockerfile + " must run as the chart's runAsUser").contains("USER 10001");
  }

  /**
   * The appender's JIT thresholds (docs/BENCHMARKS.md) are a JVM option the image and the chart
   * each set: a deployment by either runs the same.
   */
  @Test
  void theAppenderImageAndTheChartRunTheSameJitThresholds() throws Exception {
    Path dockerfile = RenderedChart.MODULE_DIR.resolveSibling("docker").resolve("Dockerfile.appender");
    Matcher flag =
        Pattern.compile("-XX:CompileThresholdScaling=\\S+?(?=[\\s\"])")
            .matcher(Files.readString(dockerfile));
    assertThat(flag.find()).as(dockerfile + " sets the appender's JIT thresholds").isTrue();

    String chartOptions = env(RenderedChart.render(), "appender").get("JAVA_OPTS");

    assertThat(chartOptions.split(" ")).contains(flag.group());
  }

  /** Every way the chart is installed sets only names the services read. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyRenderingSetsOnlyNamesTheServicesRead(String rendering, List<String> args) throws Exception {
    RenderedChart chart = RenderedChart.render(args.toArray(String[]::new));

    for (Service service : services.values()) {
      Set<String> names = settingNames(env(chart, service.name()).keySet(), service.prefixes());
      assertThat(service.keys()).as("settings the " + service.name() + " reads").containsAll(names);
    }
  }

  static Stream<Arguments> renderings() throws IOException {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("default values", List.of()));
    out.add(Arguments.of("bundled mode", List.of("--set", "mode=bundled")));
    try (Stream<Path> files = Files.list(RenderedChart.CHART_DIR.resolve("ci"))) {
      files.filter(f -> f.toString().endsWith(".yaml")).sorted()
          .forEach(f -> out.add(Arguments.of("ci/" + f.getFileName(), List.of("-f", f.toString()))));
    }
    return out.stream();
  }

  private static Map<String, String> env(RenderedChart chart, String component) {
    return chart.containerEnv(chart.workloadName(component), component);
  }

  /** One variable of a workload's container as rendered (its valueFrom for Secret references). */
  private static JsonNode envVar(RenderedChart chart, String component, String name) {
    for (JsonNode e : chart.container(chart.workloadName(component), component).path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e;
      }
    }
    return null;
  }

  private static Map<String, String> lakeSettings(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    env.forEach((k, v) -> {
      if (LAKE_PREFIXES.stream().anyMatch(k::startsWith)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Names that are settings: without the runtime variables and the pass-through properties. */
  private static Set<String> settingNames(Set<String> envNames, Set<String> passThroughPrefixes) {
    Set<String> out = new TreeSet<>();
    for (String name : envNames) {
      if (!RUNTIME.contains(name) && passThroughPrefixes.stream().noneMatch(name::startsWith)) {
        out.add(name);
      }
    }
    return out;
  }

  /** What the service's own pass-through parsing makes of the chart's prefixed variables. */
  private static Map<String, String> passThrough(Map<String, String> env, String prefix) {
    Map<String, String> prefixed = new HashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith(prefix) && v != null) {
        prefixed.put(k, v);
      }
    });
    return new Settings(prefixed).passThrough(prefix);
  }
}
