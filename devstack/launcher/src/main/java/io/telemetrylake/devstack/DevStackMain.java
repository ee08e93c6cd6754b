package io.telemetrylake.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./lake up}: starts the stack on the developer's data directory, prints where everything
 * is, and runs until Ctrl-C (SIGINT) or SIGTERM; a shutdown hook then stops every server, waits for
 * them and exits with status 0.
 *
 * <p>Meanwhile a {@link Supervisor} watches the children: a service that ends is reported and
 * restarted ({@link RestartPolicy#STANDARD}); a server that ends, or a service given up on, is
 * reported and stops the stack, and {@code lake up} exits 1. {@code GET /status} on a local port
 * ({@link StatusServer}, {@code LAKE_STATUS_URL} in {@code devstack.env}) answers {@code ./lake
 * status}.
 *
 * <p>System property {@code lake.repo} names the directory to search the repository from (the
 * script passes it); otherwise the working directory.
 */
public final class DevStackMain {

  static final String ENV_FILE = "devstack.env";
  static final String SERVERS_ONLY = "--servers-only";
  private static final List<String> SERVICE_PREFIXES =
      List.of("INGESTER_", "APPENDER_", "KAFKA_", "BUFFER_", "ICEBERG_", "S3_", "LOG_LEVEL");

  private DevStackMain() {}

  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(MainOptions.USAGE);
      return;
    }
    boolean serversOnly = java.util.Arrays.asList(args).contains(SERVERS_ONLY);
    args = java.util.Arrays.stream(args).filter(a -> !a.equals(SERVERS_ONLY)).toArray(String[]::new);
    DevStackConfig config;
    Path repoRoot;
    int statusPort;
    try {
      Path startDir = Path.of(System.getProperty("lake.repo", "")).toAbsolutePath();
      repoRoot = MainOptions.repoRoot(startDir);
      config = MainOptions.parse(args, System.getenv(), startDir);
      statusPort = MainOptions.port(System.getenv(), MainOptions.STATUS_PORT_ENV, 0);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }

    AtomicReference<Running> running = new AtomicReference<>();
    AtomicInteger exitStatus = new AtomicInteger();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stopOnSignal(running.get(), exitStatus.get(), out), "lake-up-stop"));

    out.println(
        "telemetry-lake devstack: starting in "
            + config.dataDir()
            + (config.wipe() ? " (wiped)" : ""));
    long startNanos = System.nanoTime();
    DevStack stack;
    try {
      stack = DevStack.start(config);
    } catch (RuntimeException e) {
      System.err.println("devstack failed to start: " + e.getMessage());
      if (String.valueOf(e.getMessage()).contains("is in use")) {
        System.err.println(
            "choose other ports with "
                + MainOptions.KAFKA_PORT_ENV
                + ", "
                + MainOptions.S3_PORT_ENV
                + " or "
                + MainOptions.CATALOG_PORT_ENV
                + " (0 picks a free port)");
      }
      System.exit(1);
      return;
    }
    running.set(new Running(stack, null, null));
    Pipeline pipeline = null;
    if (!serversOnly) {
      try {
        pipeline = Pipeline.start(stack, repoRoot, serviceSettings(System.getenv(), stack.dataDir()));
        pipeline.startMaintenance();
      } catch (RuntimeException e) {
        System.err.println("the pipeline failed to start: " + e.getMessage());
        // the shutdown hook halts with this status (it used to be 0 here)
        exitStatus.set(1);
        System.exit(1);
        return;
      }
    }
    Supervisor supervisor =
        new Supervisor(
            RestartPolicy.STANDARD,
            out,
            reason -> {
              exitStatus.set(1);
              // System.exit waits for the shutdown hooks: not on the thread that reports exits
              new Thread(() -> System.exit(1), "lake-up-exit").start();
            },
            Clock.systemUTC());
    running.set(new Running(stack, supervisor, null));
    watch(supervisor, stack, pipeline);
    StatusServer status;
    try {
      status = StatusServer.start(statusPort, supervisor, stack.dataDir(), startNanos);
    } catch (RuntimeException e) {
      System.err.println(e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage()));
      exitStatus.set(1);
      System.exit(1);
      return;
    }
    running.set(new Running(stack, supervisor, status));
    printSummary(out, stack, Duration.ofNanos(System.nanoTime() - startNanos));
    if (pipeline != null) {
      printPipeline(out, pipeline);
    }
    writeEnvFile(stack, pipeline, status);
    out.println("./lake status: every service's pid, uptime, readiness, restarts (" + status.uri() + ")");
    out.println("Press Ctrl-C to stop.");
    out.flush();
    new CountDownLatch(1).await();
  }

  /** What the shutdown hook stops; the supervisor and the status server are null until they run. */
  private record Running(DevStack stack, Supervisor supervisor, StatusServer status) {}

  /** Servers end the stack when they end; the services are restarted. */
  private static void watch(Supervisor supervisor, DevStack stack, Pipeline pipeline) {
    stack.servers().forEach(server -> supervisor.watch(server, RestartPolicy.Role.SERVER));
    if (pipeline == null) {
      return;
    }
    supervisor.watch(pipeline.ingester(), RestartPolicy.Role.SERVICE);
    for (Pipeline.Appender appender : pipeline.appenders()) {
      // started once /healthz answers; ready (for lake status) when /readyz says so
      supervisor.watch(
          appender.server(), RestartPolicy.Role.SERVICE, () -> readyz(appender.uri().resolve("/readyz")));
    }
    pipeline.maintenance().ifPresent(m -> supervisor.watch(m, RestartPolicy.Role.SERVICE));
  }

  private static void readyz(java.net.URI uri) throws Exception {
    HttpResponse<String> response = Http.send(Http.request(uri).GET().build());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("/readyz " + response.statusCode() + " " + response.body());
    }
  }

  /**
   * Runs in the shutdown hook. A stop requested by a signal is the normal end of {@code lake up},
   * so it ends with status 0 rather than the JVM's 130/143; a stop because a child ended ends with
   * {@code exitStatus} (1). Before the stack is up (a signal during start-up) DevStack's own hook
   * stops what was launched, and the status stays non-zero.
   */
  private static void stopOnSignal(Running running, int exitStatus, PrintStream out) {
    if (running == null) {
      return;
    }
    DevStack stack = running.stack();
    out.println("stopping devstack ...");
    long stopNanos = System.nanoTime();
    if (running.status() != null) {
      running.status().close();
    }
    if (running.supervisor() != null) {
      running.supervisor().close();
    }
    stack.close();
    try {
      Files.deleteIfExists(stack.dataDir().resolve(ENV_FILE));
    } catch (IOException e) {
      // a stale file is harmless: its ports are closed
    }
    out.printf(Locale.ROOT, "devstack stopped in %.1f s%n", (System.nanoTime() - stopNanos) / 1e9);
    out.flush();
    Runtime.getRuntime().halt(exitStatus);
  }

  static void printSummary(PrintStream out, DevStack stack, Duration total) {
    out.printf(
        Locale.ROOT, "devstack ready in %.1f s (data %s)%n", seconds(total), stack.dataDir());
    for (ManagedServer broker : stack.kafkaBrokers()) {
      row(out, broker, "bootstrap " + stack.kafkaBootstrap());
    }
    if (stack.kafkaBrokers().size() > 1) {
      out.printf(
          Locale.ROOT,
          "  %-8s topics: replication factor %d, min.insync.replicas %d%n",
          "",
          stack.replicationFactor(),
          stack.minInsyncReplicas());
    }
    row(
        out,
        stack.s3(),
        "endpoint  " + stack.s3Endpoint() + "  (path-style, region " + stack.s3Region() + ")");
    row(
        out,
        stack.catalog(),
        "uri       " + stack.catalogUri() + "  warehouse " + stack.warehouse());
    out.println();
    out.println(
        "S3 credentials: access key "
            + stack.s3AccessKey()
            + ", secret key "
            + stack.s3SecretKey());
    out.println(
        "Environment for the services (also in " + stack.dataDir().resolve(ENV_FILE) + "):");
    for (Map.Entry<String, String> e : stack.serviceEnv().entrySet()) {
      out.println("  export " + e.getKey() + "=" + e.getValue());
    }
  }

  private static void row(PrintStream out, ManagedServer server, String where) {
    out.printf(Locale.ROOT, "  %-8s %s  %s%n", server.name(), readiness(server), where);
    out.printf(Locale.ROOT, "  %-8s log %s%n", "", server.logFile());
  }

  private static String readiness(ManagedServer server) {
    return server
        .startupTime()
        .map(d -> String.format(Locale.ROOT, "ready in %4.1f s", seconds(d)))
        .orElse("NOT READY");
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /**
   * The services' settings for {@code lake up}: the standard ports, staging under the data
   * directory, a short flush interval so a first try shows rows soon, and anything the user set
   * in the environment with the services' own variable names on top.
   */
  static Map<String, String> serviceSettings(Map<String, String> env, Path dataDir) {
    Map<String, String> settings = new java.util.TreeMap<>();
    settings.put("INGESTER_PORT", "4318");
    settings.put("APPENDER_PORT", "8080");
    settings.put("APPENDER_STAGING_DIR", dataDir.resolve("appender").toString());
    settings.put("BUFFER_TIME_SECONDS", "30");
    env.forEach(
        (k, v) -> {
          if (SERVICE_PREFIXES.stream().anyMatch(k::startsWith)) {
            settings.put(k, v);
          }
        });
    return settings;
  }

  private static void printPipeline(PrintStream out, Pipeline pipeline) {
    Pipeline.Appender appender = pipeline.appenders().get(0);
    out.println();
    out.printf(Locale.ROOT, "  %-8s %s  OTLP/HTTP %s/v1/logs  %s/v1/traces%n", "ingester", readiness(pipeline.ingester()),
        pipeline.ingesterUri(), pipeline.ingesterUri());
    out.printf(Locale.ROOT, "  %-8s log %s%n", "", pipeline.ingester().logFile());
    out.printf(Locale.ROOT, "  %-8s %s  admin %s  (/stats /flush /metrics)%n", "appender", readiness(appender.server()), appender.uri());
    out.printf(Locale.ROOT, "  %-8s log %s%n", "", appender.server().logFile());
    pipeline.maintenance().ifPresent(m -> {
      out.printf(Locale.ROOT, "  %-8s %s  compaction, snapshot expiry, orphans every %s%n", "maintain",
          readiness(m), System.getenv().getOrDefault("MAINTENANCE_EVERY", Pipeline.DEFAULT_MAINTENANCE_EVERY));
      out.printf(Locale.ROOT, "  %-8s log %s%n", "", m.logFile());
    });
    out.println();
    out.println("Next, in another terminal:");
    out.println("  ./lake send --count 10000                 # realistic logs over OTLP/HTTP");
    out.println("  ./lake send --signal traces --count 2000  # realistic spans, into the traces table");
    out.println("  curl -X POST " + appender.uri() + "/flush   # commit what is staged now");
    out.println("  curl " + appender.uri() + "/stats");
    out.println("  ./lake query \"SELECT service_name, count(*) FROM logs GROUP BY 1 ORDER BY 2 DESC\"");
    out.println("  ./lake query --signal traces --trace-id <32 hex>  # one trace as a tree");
    out.println("  ./lake maintain --dry-run                 # what maintenance would do now");
  }

  /** For scripts: {@code source .lake/devstack.env}. */
  private static void writeEnvFile(DevStack stack, Pipeline pipeline, StatusServer status) {
    StringBuilder text = new StringBuilder("# written by ./lake up while the devstack runs\n");
    stack
        .serviceEnv()
        .forEach((k, v) -> text.append("export ").append(k).append('=').append(v).append('\n'));
    // for ./lake status: is lake up still there, and where does it answer
    text.append("export LAKE_UP_PID=").append(ProcessHandle.current().pid()).append('\n');
    text.append("export LAKE_STATUS_URL=").append(status.uri()).append('\n');
    if (pipeline != null) {
      text.append("export LAKE_INGESTER_URL=").append(pipeline.ingesterUri()).append('\n');
      text.append("export LAKE_APPENDER_URL=").append(pipeline.appenders().get(0).uri()).append('\n');
    }
    try {
      Files.writeString(stack.dataDir().resolve(ENV_FILE), text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("cannot write " + ENV_FILE + ": " + e.getMessage());
    }
  }
}
