package io.telemetrylake.devstack;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The whole pipeline on a {@link DevStack}: the ingester and one or more appenders, each a child
 * JVM run from its module's build output. Used by {@code ./lake up} and the end-to-end tests.
 *
 * <p>Settings are the services' own environment variables; the stack's endpoints are filled in,
 * and anything in {@code settings} wins (ports, topic, table, buffer sizes, ...).
 */
public final class Pipeline {
  public static final String INGESTER_MAIN = "io.telemetrylake.ingester.IngesterMain";
  public static final String APPENDER_MAIN = "io.telemetrylake.appender.AppenderMain";
  public static final String MAINTAIN_MAIN = "io.telemetrylake.appender.maintain.MaintainMain";
  /** How often {@code ./lake up} maintains the table unless MAINTENANCE_EVERY says otherwise. */
  public static final String DEFAULT_MAINTENANCE_EVERY = "10m";

  /**
   * JIT thresholds x5 for the appender: its hot loop is small and most of the code it runs (the
   * flush's S3, Iceberg and Parquet paths, a few times a minute) is lukewarm; with the default
   * thresholds C2 compiled that code too and the compiler threads took ~2 of ~10 µs per record
   * over a 3 M-record drain, ~0.85 with these (docs/BENCHMARKS.md).
   */
  public static final String APPENDER_JIT = "-XX:CompileThresholdScaling=5";

  /** JVM options of the ingester and the maintenance runner. */
  public static final List<String> SERVICE_JVM_OPTIONS = jvmOptions("-Xmx512m");

  /**
   * The appender's: its rows are in DuckDB, outside the heap, and its heap holds 35-75 MB after
   * a full GC at full speed (75 with both signals fed ~1 MB Kafka records); with 512 MB
   * ParallelGC let the young generation grow to fill it (~400 MB committed). 256 MB keeps the
   * process under 1 GiB with the default buffers and cost no CPU (docs/BENCHMARKS.md).
   * {@link #APPENDER_JIT}: as the images and the chart run it.
   */
  public static final List<String> APPENDER_JVM_OPTIONS = jvmOptions("-Xmx256m", APPENDER_JIT);

  private static List<String> jvmOptions(String heap, String... more) {
    List<String> options = new ArrayList<>(
        List.of(heap, "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true"));
    options.addAll(List.of(more));
    return List.copyOf(options);
  }

  private final DevStack stack;
  private final Path repoRoot;
  private final Map<String, String> settings;
  private final AtomicInteger appenderCount = new AtomicInteger();
  private final AtomicInteger maintenanceCount = new AtomicInteger();
  private final List<Appender> appenders = new CopyOnWriteArrayList<>();
  private ManagedServer ingester;
  private ManagedServer maintenance;
  private int ingesterPort;

  private Pipeline(DevStack stack, Path repoRoot, Map<String, String> settings) {
    this.stack = stack;
    this.repoRoot = repoRoot;
    this.settings = Map.copyOf(settings);
  }

  /** Starts the ingester and one appender and waits until both answer. */
  public static Pipeline start(DevStack stack, Path repoRoot, Map<String, String> settings) {
    Pipeline pipeline = new Pipeline(stack, repoRoot, settings);
    pipeline.startIngester();
    pipeline.startAppender(Map.of());
    return pipeline;
  }

  /** The repository root of a Maven module's test run: the parent of its base directory. */
  public static Path repoRootFromModule() {
    return MainOptions.repoRoot(Path.of("").toAbsolutePath());
  }

  private void startIngester() {
    Map<String, String> env = baseEnv();
    ingesterPort = port(env, "INGESTER_PORT");
    env.put("INGESTER_PORT", Integer.toString(ingesterPort));
    env.putIfAbsent("INGESTER_HOST", Ports.HOST);
    ingester = stack.startService(repoRoot, "ingester", "ingester", INGESTER_MAIN, ingesterPort, "/readyz", env, SERVICE_JVM_OPTIONS);
  }

  /**
   * Starts another appender in the same consumer group (scale-out, rebalance tests); {@code
   * overrides} apply to this one only. Each gets its own staging directory and admin port.
   */
  public Appender startAppender(Map<String, String> overrides) {
    int n = appenderCount.incrementAndGet();
    Map<String, String> env = baseEnv();
    env.putAll(overrides);
    int port = port(env, "APPENDER_PORT");
    env.put("APPENDER_PORT", Integer.toString(port));
    env.putIfAbsent("APPENDER_STAGING_DIR", stack.dataDir().resolve("appender-" + n).toString());
    env.putIfAbsent("APPENDER_BIND_ADDRESS", Ports.HOST);
    String name = n == 1 ? "appender" : "appender-" + n;
    // all appenders here share one host name (the default id): each needs its own, and a restart
    // of the same ManagedServer keeps it (same environment), as a StatefulSet pod keeps its name
    env.putIfAbsent("APPENDER_INSTANCE_ID", env.getOrDefault("KAFKA_TOPIC", "otel-logs") + "-" + name);
    ManagedServer server = stack.startService(repoRoot, name, "appender", APPENDER_MAIN, port, "/healthz", env, APPENDER_JVM_OPTIONS);
    Appender appender =
        new Appender(server, URI.create("http://" + Ports.HOST + ":" + port), env.get("APPENDER_INSTANCE_ID"));
    appenders.add(appender);
    return appender;
  }

  /**
   * Starts the maintenance runner (from the appender's build, as in its image) in loop mode:
   * compaction, snapshot expiry and orphan clean-up every {@code MAINTENANCE_EVERY}, with its
   * {@code /healthz} on a free port.
   */
  public ManagedServer startMaintenance() {
    return startMaintenance(Map.of());
  }

  /** As above; {@code overrides} apply to this runner only (tests: a crash point, the interval). */
  public ManagedServer startMaintenance(Map<String, String> overrides) {
    Map<String, String> env = baseEnv();
    env.putAll(overrides);
    env.putIfAbsent("MAINTENANCE_EVERY", DEFAULT_MAINTENANCE_EVERY);
    int port = port(env, "MAINTENANCE_PORT");
    env.put("MAINTENANCE_PORT", Integer.toString(port));
    env.putIfAbsent("APPENDER_BIND_ADDRESS", Ports.HOST);
    env.putIfAbsent("MAINTENANCE_WORK_DIR", stack.dataDir().resolve("maintenance").toString());
    String name = maintenanceCount.incrementAndGet() == 1 ? "maintenance" : "maintenance-" + maintenanceCount.get();
    maintenance = stack.startService(
        repoRoot, name, "appender", MAINTAIN_MAIN, port, "/healthz", env, SERVICE_JVM_OPTIONS);
    return maintenance;
  }

  /** The maintenance runner, when {@link #startMaintenance} started it. */
  public java.util.Optional<ManagedServer> maintenance() {
    return java.util.Optional.ofNullable(maintenance);
  }

  /** The appenders started so far, the first one first. */
  public List<Appender> appenders() {
    return List.copyOf(appenders);
  }

  private Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.putAll(settings);
    return env;
  }

  /** The configured port, or a free one when unset or 0. */
  private static int port(Map<String, String> env, String key) {
    String value = env.get(key);
    int port = value == null || value.isBlank() ? 0 : Integer.parseInt(value.trim());
    return port == 0 ? Ports.free(1)[0] : port;
  }

  public ManagedServer ingester() {
    return ingester;
  }

  /** Base URI of the ingester ({@code /v1/logs}, {@code /metrics}, ...). */
  public URI ingesterUri() {
    return URI.create("http://" + Ports.HOST + ":" + ingesterPort);
  }

  /** Stops every service of this pipeline (the stack's servers keep running). */
  public void stop() {
    stack.stopServices();
  }

  /** One appender process, its admin endpoint and its consumer group instance id. */
  public record Appender(ManagedServer server, URI uri, String instanceId) {}
}
