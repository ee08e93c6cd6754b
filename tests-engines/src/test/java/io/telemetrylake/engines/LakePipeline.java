package io.telemetrylake.engines;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.Pipeline;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real pipeline on the run's devstack: the ingester and one appender as child processes, with
 * their own topics and tables, so the test writes its tables exactly as users' services do. Also
 * runs {@code lake maintain} (the appender's maintenance runner) the way the script does.
 */
final class LakePipeline implements AutoCloseable {
  static final String NAMESPACE = "otel";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  final String logsTable;
  final String tracesTable;
  private final DevStack stack;
  private final Map<String, String> settings;
  private final Pipeline pipeline;
  private int maintainRuns;

  private LakePipeline(DevStack stack, String name) {
    this.stack = stack;
    this.logsTable = name.replace('-', '_');
    this.tracesTable = logsTable + "_traces";
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_TOPIC", name);
    env.put("KAFKA_TRACES_TOPIC", name + "-traces");
    env.put("KAFKA_TOPIC_PARTITIONS", "2");
    env.put("ICEBERG_NAMESPACE", NAMESPACE);
    env.put("ICEBERG_TABLE", logsTable);
    env.put("ICEBERG_TRACES_TABLE", tracesTable);
    // only the test's explicit flushes commit: each batch becomes exactly one snapshot
    env.put("BUFFER_TIME_SECONDS", "3600");
    this.settings = Map.copyOf(env);
    this.pipeline = Pipeline.start(stack, Pipeline.repoRootFromModule(), settings);
  }

  static LakePipeline start(DevStack stack, String prefix) {
    return new LakePipeline(stack, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /** Posts an OTLP/HTTP protobuf body as the SDKs do (without gzip); fails unless the ingester took it. */
  void post(Signal<?> signal, byte[] body) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(pipeline.ingesterUri().resolve(signal.path()))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", OtlpEncoding.PROTOBUF.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("POST " + signal.path() + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  /**
   * Waits until the appender has staged {@code logRows} log rows and {@code spanRows} spans (what
   * was posted since the last flush), then flushes: each signal's commit holds exactly those rows.
   */
  void flushWhenStaged(long logRows, long spanRows) throws IOException, InterruptedException {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> staged(Signals.LOGS) >= logRows && staged(Signals.TRACES) >= spanRows);
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(appenderUri().resolve("/flush")).timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    // the answer comes after the commit
    if (response.statusCode() != 200) {
      throw new IllegalStateException("POST /flush answered " + response.statusCode() + ": " + response.body());
    }
  }

  private long staged(Signal<?> signal) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(appenderUri().resolve("/stats?signal=" + signal.name()))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode stats = JSON.readTree(response.body());
    return stats.path("buffer_rows").asLong(-1);
  }

  private URI appenderUri() {
    return pipeline.appenders().get(0).uri();
  }

  /** What one {@code lake maintain} run printed and how it ended. */
  record MaintainRun(int exitCode, String report, Path log) {}

  /**
   * Runs {@code lake maintain} once, as the script does: the appender's build output and classpath,
   * the appender's settings for this pipeline's tables, {@code args} as flags.
   */
  MaintainRun maintain(String... args) throws IOException, InterruptedException {
    Path repo = Pipeline.repoRootFromModule();
    Path target = repo.resolve("appender").resolve("target");
    List<String> classpath = new ArrayList<>();
    classpath.add(target.resolve("classes").toString());
    classpath.add(Files.readString(target.resolve("appender.classpath"), StandardCharsets.UTF_8).strip());
    Path run = Files.createDirectories(Path.of("target", "maintain").toAbsolutePath());
    int n = ++maintainRuns;
    // the classpath runs to kilobytes: a java @argfile keeps the command line short
    Path argFile = run.resolve("maintain-" + n + ".argfile");
    Files.writeString(argFile, "-cp \"" + String.join(File.pathSeparator, classpath) + "\"\n", StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "@" + argFile,
        Pipeline.MAINTAIN_MAIN));
    command.addAll(List.of(args));
    Path out = run.resolve("maintain-" + n + ".out");
    Path log = run.resolve("maintain-" + n + ".log");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(out.toFile()).redirectError(log.toFile());
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH"));
    builder.environment().putAll(stack.serviceEnv());
    builder.environment().putAll(settings);
    builder.environment().put("MAINTENANCE_WORK_DIR", run.resolve("work-" + n).toString());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("lake maintain did not end within 5 minutes; see " + log);
    }
    return new MaintainRun(process.exitValue(), Files.readString(out), log);
  }

  @Override
  public void close() {
    pipeline.stop();
  }
}
