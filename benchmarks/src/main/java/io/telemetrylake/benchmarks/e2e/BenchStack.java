package io.telemetrylake.benchmarks.e2e;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackConfig;
import io.telemetrylake.devstack.ManagedServer;
import io.telemetrylake.devstack.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real local servers (devstack: Kafka, s3proxy, the Iceberg REST catalog) on a wiped data
 * directory, plus the ingester and the appender as child JVMs run from their modules' build output,
 * with the JVM options of {@code ./lake up} (devstack's Pipeline) and a GC log each.
 */
final class BenchStack implements AutoCloseable {

  private final DevStack stack;
  private final Path repoRoot;
  private final Path outDir;
  private final Profiling profiling;

  /** A service of ours: its process, its base URL and its GC log. */
  record Service(String name, ManagedServer server, URI uri, Path gcLog) {
    long pid() {
      return server.pid().orElseThrow(() -> new IllegalStateException(name + " is not running"));
    }
  }

  private BenchStack(DevStack stack, Path repoRoot, Path outDir, Profiling profiling) {
    this.stack = stack;
    this.repoRoot = repoRoot;
    this.outDir = outDir;
    this.profiling = profiling;
  }

  static BenchStack start(Path repoRoot, Path dataDir, Path outDir, Profiling profiling) {
    long t0 = System.nanoTime();
    DevStack stack = DevStack.start(DevStackConfig.builder(dataDir).wipe(true).build());
    Report.log("devstack up in %.1f s: kafka %s, s3 %s, catalog %s (data %s)",
        (System.nanoTime() - t0) / 1e9, stack.kafkaBootstrap(), stack.s3Endpoint(), stack.catalogUri(), dataDir);
    return new BenchStack(stack, repoRoot, outDir, profiling);
  }

  DevStack devStack() {
    return stack;
  }

  long kafkaPid() {
    return stack.kafka().pid().orElse(-1);
  }

  Service startIngester(Map<String, String> settings) {
    int port = freePort();
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", Integer.toString(port));
    env.putAll(settings);
    return start("ingester", "ingester", Pipeline.INGESTER_MAIN, port, "/readyz", env);
  }

  Service startAppender(Map<String, String> settings) {
    return startAppender("appender", settings);
  }

  /**
   * An appender named {@code name}: its log, GC log and staging directory (under the data
   * directory) carry the name, so several can run side by side (each also needs its own
   * {@code APPENDER_INSTANCE_ID}).
   */
  Service startAppender(String name, Map<String, String> settings) {
    int port = freePort();
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("APPENDER_BIND_ADDRESS", "127.0.0.1");
    env.put("APPENDER_PORT", Integer.toString(port));
    env.put("APPENDER_STAGING_DIR", stack.dataDir().resolve(name).toString());
    env.putAll(settings);
    return start(name, "appender", Pipeline.APPENDER_MAIN, port, "/healthz", env);
  }

  private Service start(String name, String module, String main, int port, String readyPath, Map<String, String> env) {
    Path gcLog = outDir.resolve(name + "-gc.log");
    // Pipeline's options: the benchmark measures what ./lake up runs
    List<String> options = new ArrayList<>(
        module.equals("appender") ? Pipeline.APPENDER_JVM_OPTIONS : Pipeline.SERVICE_JVM_OPTIONS);
    options.add("-Xlog:gc:file=" + gcLog);
    options.addAll(profiling.jvmOptions());
    String extra = System.getenv("BENCH_" + module.toUpperCase(java.util.Locale.ROOT) + "_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      options.addAll(List.of(extra.trim().split("\\s+")));
    }
    long t0 = System.nanoTime();
    ManagedServer server = stack.startService(repoRoot, name, module, main, port, readyPath, env, options);
    Report.log("%s ready in %.1f s (pid %d, log %s)", name, (System.nanoTime() - t0) / 1e9,
        server.pid().orElse(-1), server.logFile());
    return new Service(name, server, URI.create("http://127.0.0.1:" + port), gcLog);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stack.close();
  }
}
