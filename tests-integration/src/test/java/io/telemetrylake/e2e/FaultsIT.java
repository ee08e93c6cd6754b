package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.devstack.ManagedServer;
import io.telemetrylake.devstack.Pipeline;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Faults under load, on real processes: every record carries a unique id, and at the end the
 * table is compared with the set of records that got a 200; the exactly-once scenarios marked
 * "mixed" send logs and traces at once and check both tables. Figures of each run go to
 * {@code target/reliability/report.txt} (copied into docs/RELIABILITY.md).
 *
 * <p>{@code -Dfaults.scale=N} multiplies the load (soak mode); {@code -Dfaults.outage.seconds}
 * sets how long a server stays down (default 30, as an operator would see in practice).
 */
// Local stack only (not in -Pcontainers): it kills and restarts child processes and servers.
@ExtendWith(DevStackExtension.class)
class FaultsIT {
  private static final int SCALE = Integer.getInteger("faults.scale", 1);
  private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("faults.outage.seconds", 30));
  private static final Pattern STATUS = Pattern.compile("\"(\\w[\\w-]*)\":(\\d+)");

  @TempDir Path tmp;

  @Test
  void appenderKilledAgainAndAgainWhileFlushingLosesAndDuplicatesNothing(DevStack stack) throws Exception {
    // A short session timeout lets the restarted appender take the dead one's partitions quickly.
    try (Lake lake = Lake.start(new LocalStack(stack), "kill-appender", Map.of("BUFFER_SIZE_MB", "1", "BUFFER_TIME_SECONDS", "2",
        "KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000", "KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000"))) {
      String duration = Integer.toString(50 * SCALE);
      Load load = Load.start(lake.logsUri(), tmp, "--duration", duration, "--rate", "4000",
          "--connections", "2", "--batch", "200");
      Load spans = spanLoad(lake, "--duration", duration, "--rate", "1000", "--connections", "1", "--batch", "100");
      ManagedServer appender = pipeline(lake).appenders().get(0).server();
      SplittableRandom random = new SplittableRandom(42);
      int kills = 0;
      while (!load.isDone() && kills < 5 * SCALE) {
        long before = lake.count();
        // Kill at a random point of the flush cycle: after some progress, with a random amount of
        // log records staged and spans staged beside them.
        int staged = 200 + random.nextInt(2_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> load.isDone()
            || (lake.count() > before && stagedRecords(lake, Signals.LOGS) >= staged && stagedRecords(lake, Signals.TRACES) > 0));
        if (load.isDone()) {
          break;
        }
        appender.kill();
        kills++;
        appender.start();
      }
      assertThat(load.await()).isZero();
      assertThat(spans.await()).isZero();
      String scenario = "appender SIGKILL x" + kills + " while flushing, mixed";
      Result logs = verify(scenario + ", log records", lake, Signals.LOGS, load, true);
      Result traces = verify(scenario + ", spans", lake, Signals.TRACES, spans, true);
      assertThat(kills).isGreaterThanOrEqualTo(2);
      assertThat(logs.duplicates).isZero();
      assertThat(traces.duplicates).isZero();
    }
  }

  @Test
  void ingesterKilledUnderLoadKeepsEveryAcknowledgedRecord(DevStack stack) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "kill-ingester", Map.of("BUFFER_TIME_SECONDS", "2"))) {
      Load load = Load.start(lake.logsUri(), tmp, "--count", Integer.toString(40_000 * SCALE), "--rate", "5000",
          "--connections", "4", "--batch", "250");
      ManagedServer ingester = pipeline(lake).ingester();
      await().atMost(Duration.ofSeconds(60)).until(() -> load.ackedIds().size() >= 5_000);
      ingester.kill();
      ingester.start();
      assertThat(load.await()).isZero();
      verify("ingester SIGKILL under load", lake, load, false);
    }
  }

  @Test
  void brokerDownForAWhileMeans503NeverA500AndNothingAcknowledgedIsLost(DevStack stack) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "broker-down", Map.of("BUFFER_TIME_SECONDS", "2", "INGESTER_PRODUCE_TIMEOUT_MS", "5000"))) {
      Load load = Load.start(lake.logsUri(), tmp, "--duration", Long.toString(OUTAGE.toSeconds() + 25), "--rate", "1000",
          "--connections", "4", "--batch", "200");
      await().atMost(Duration.ofSeconds(60)).until(() -> load.ackedIds().size() >= 3_000);
      stack.kafka().stop();
      try {
        // The ingester says it is not ready for as long as the broker is away.
        await().atMost(Duration.ofSeconds(30)).until(() -> lake.get(pipeline(lake).ingesterUri(), "/readyz").statusCode() == 503);
        await().during(OUTAGE.minusSeconds(5)).atMost(OUTAGE.plusSeconds(10))
            .until(() -> lake.get(pipeline(lake).ingesterUri(), "/readyz").statusCode() == 503);
      } finally {
        stack.kafka().start();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> lake.get(pipeline(lake).ingesterUri(), "/readyz").statusCode() == 200);
      assertThat(load.await()).isZero();
      Map<String, Long> statuses = statuses(load);
      assertThat(statuses).containsKey("503").doesNotContainKey("500").doesNotContainKey("io-error");
      assertThat(statuses.keySet()).isSubsetOf("200", "429", "503");
      verify("Kafka broker down " + OUTAGE.toSeconds() + " s under load", lake, load, false);
    }
  }

  @Test
  void s3DownForAWhilePausesTheAppenderWhichThenCatchesUpExactlyOnce(DevStack stack) throws Exception {
    serverDownForAWhile(stack, stack.s3(), "s3");
  }

  @Test
  void catalogDownForAWhilePausesTheAppenderWhichThenCatchesUpExactlyOnce(DevStack stack) throws Exception {
    serverDownForAWhile(stack, stack.catalog(), "catalog");
  }

  private void serverDownForAWhile(DevStack stack, ManagedServer server, String name) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), name + "-down", Map.of("BUFFER_SIZE_MB", "1", "BUFFER_TIME_SECONDS", "2",
        "APPENDER_MAX_STAGED_MB", "4"))) {
      String duration = Long.toString(OUTAGE.toSeconds() + 20);
      Load load = Load.start(lake.logsUri(), tmp, "--duration", duration, "--rate", "3000",
          "--connections", "2", "--batch", "200");
      Load spans = spanLoad(lake, "--duration", duration, "--rate", "1000", "--connections", "1", "--batch", "100");
      await().atMost(Duration.ofSeconds(60)).until(() -> lake.count() >= 3_000 && lake.count(Signals.TRACES) >= 1_000);
      server.stop();
      try {
        // The first failing flush may spend a while in the S3 client's own retries.
        await().atMost(Duration.ofSeconds(180))
            .until(() -> lake.get(lake.appenderUri(), "/readyz").statusCode() != 200);
        // Staging stays bounded by its cap (each signal's) while the store is away, and the process stays up.
        await().during(OUTAGE.minusSeconds(10)).atMost(OUTAGE.plusSeconds(10)).until(() ->
            lake.get(lake.appenderUri(), "/healthz").statusCode() == 200
                && stagedBytes(lake, Signals.LOGS) <= 8L * 1024 * 1024
                && stagedBytes(lake, Signals.TRACES) <= 8L * 1024 * 1024);
      } finally {
        server.start();
      }
      await().atMost(Duration.ofSeconds(120)).until(() -> lake.get(lake.appenderUri(), "/readyz").statusCode() == 200);
      assertThat(load.await()).isZero();
      assertThat(spans.await()).isZero();
      String scenario = name + " down " + OUTAGE.toSeconds() + " s under load, mixed";
      Result logs = verify(scenario + ", log records", lake, Signals.LOGS, load, true);
      Result traces = verify(scenario + ", spans", lake, Signals.TRACES, spans, true);
      assertThat(logs.duplicates).isZero();
      assertThat(traces.duplicates).isZero();
      for (Signal<?> signal : Signals.ALL) {
        assertThat(orphanDataFiles(lake, signal)).as("data files in S3 that the %s table does not reference", signal.name())
            .isEmpty();
      }
    }
  }

  @Test
  void appendersJoiningAndLeavingUnderLoadKeepExactlyOnce(DevStack stack) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "scale", Map.of("BUFFER_SIZE_MB", "1", "BUFFER_TIME_SECONDS", "2",
        "KAFKA_TOPIC_PARTITIONS", "6"))) {
      Load load = Load.start(lake.logsUri(), tmp, "--duration", Integer.toString(40 * SCALE), "--rate", "2000",
          "--connections", "3", "--batch", "200");
      await().atMost(Duration.ofSeconds(60)).until(() -> lake.count() >= 2_000);
      Pipeline.Appender second = pipeline(lake).startAppender(Map.of());
      awaitProgress(lake, load, 3_000);
      Pipeline.Appender third = pipeline(lake).startAppender(Map.of());
      awaitProgress(lake, load, 3_000);
      second.server().stop(); // leaves gracefully: flushes, then its partitions move
      awaitProgress(lake, load, 3_000);
      third.server().kill(); // leaves by crashing: its partitions move after the session times out
      assertThat(load.isDone()).as("the membership changes happened under load").isFalse();
      assertThat(load.await()).isZero();
      Result r = verify("3 appenders joining and leaving under load", lake, load, true);
      assertThat(r.duplicates).isZero();
    }
  }

  @Test
  void maintenanceKilledMidRewriteAndAppenderKilledWhileCompactionsCommitKeepExactlyOnce(DevStack stack) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "maintain-faults", Map.of("BUFFER_SIZE_MB", "1", "BUFFER_TIME_SECONDS", "2",
        "KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000", "KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000"))) {
      Load load = Load.start(lake.logsUri(), tmp, "--duration", Integer.toString(40 * SCALE), "--rate", "2000",
          "--connections", "2", "--batch", "200");
      await().atMost(Duration.ofSeconds(60)).until(() -> lake.count() >= 2_000);
      Map<String, String> often = Map.of("MAINTENANCE_EVERY", "1s", "MAINTENANCE_MIN_INPUT_FILES", "2",
          "MAINTENANCE_EXPIRE_OLDER_THAN", "0s", "MAINTENANCE_RETAIN_LAST", "3");

      // a runner that dies (as by SIGKILL) with a rewrite uploaded but not committed
      Map<String, String> crashing = new HashMap<>(often);
      crashing.put("MAINTENANCE_TEST_CRASH_AT", "before-commit");
      ManagedServer crashed = pipeline(lake).startMaintenance(crashing);
      await().atMost(Duration.ofSeconds(120)).until(() -> crashed.exitCode().isPresent());
      assertThat(crashed.exitCode()).hasValue(137);

      // a runner compacting every second while the appender is SIGKILLed under load
      ManagedServer runner = pipeline(lake).startMaintenance(often);
      ManagedServer appender = pipeline(lake).appenders().get(0).server();
      int kills = 0;
      while (!load.isDone() && kills < 3) {
        awaitProgress(lake, load, 2_000);
        appender.kill();
        kills++;
        appender.start();
      }
      assertThat(load.await()).isZero();
      Result r = verify("appender SIGKILL x" + kills + " and a maintenance SIGKILL mid-rewrite, compacting every 1 s",
          lake, load, true);
      assertThat(r.duplicates).isZero();
      assertThat(Files.readString(runner.logFile())).contains(": rewritten");
      runner.stop();

      Table table = lake.catalog.loadTable(TableIdentifier.of(lake.namespace, lake.table));
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask t : tasks) {
          assertThat(table.io().newInputFile(t.file().location()).exists()).as(t.file().location()).isTrue();
        }
      }
      // the dead runner's upload is an orphan; a clean-up with no age threshold removes it, and only it
      assertThat(orphanDataFiles(lake)).anyMatch(f -> f.contains("/compacted-"));
      // (expiring all but the current snapshot first: files only older snapshots use are not orphans)
      ManagedServer cleanup = pipeline(lake).startMaintenance(Map.of("MAINTENANCE_EVERY", "1h",
          "MAINTENANCE_EXPIRE_OLDER_THAN", "0s", "MAINTENANCE_RETAIN_LAST", "1",
          "MAINTENANCE_ORPHANS_OLDER_THAN", "0s", "MAINTENANCE_FORCE", "true"));
      await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(cleanup.logFile()).contains("orphans:"));
      cleanup.stop();
      assertThat(orphanDataFiles(lake)).as("data files in S3 that the table does not reference").isEmpty();
      Result after = verify("after orphan clean-up", lake, load, true);
      assertThat(after.duplicates).isZero();
    }
  }

  @Test
  void overloadGetsOnly200And429WithBoundedMemory(DevStack stack) throws Exception {
    // 8 MiB: a 1 000-record body (~290 KB) times the budget's decode allowance (7x) fits several times
    try (Lake lake = Lake.start(new LocalStack(stack), "overload", Map.of("INGESTER_MAX_INFLIGHT_BYTES", Integer.toString(8 * 1024 * 1024),
        "INGESTER_KAFKA_LINGER_MS", "50"))) {
      Load load = Load.start(lake.logsUri(), tmp, "--duration", Long.toString(15L * SCALE), "--connections", "16",
          "--batch", "1000", "--pool", "16", "--max-retries", "0");
      AtomicLong rss = new AtomicLong();
      await().atMost(Duration.ofSeconds(60L * SCALE + 60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        rss.accumulateAndGet(rssBytes(pipeline(lake).ingester()), Math::max);
        return load.isDone();
      });
      long peakRss = rss.get();
      load.await();
      Map<String, Long> statuses = statuses(load);
      assertThat(statuses).containsKeys("200", "429");
      assertThat(statuses.keySet()).isSubsetOf("200", "429");
      assertThat(peakRss).as("ingester RSS").isLessThan(1024L * 1024 * 1024);
      report(String.format("ingester overload (16 connections, 8 MiB in-flight bound): statuses %s, peak RSS %d MiB, %s",
          statuses, peakRss >> 20, load.summary().trim()));
    }
  }

  private static DevStack stack(Lake lake) {
    return ((LocalStack) lake.stack).devStack();
  }

  /** A traces load beside a scenario's logs load: {@code lake send --signal traces} with {@code args}. */
  private Load spanLoad(Lake lake, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("--signal", "traces"));
    all.addAll(List.of(args));
    return Load.start(lake.tracesUri(), tmp, all.toArray(String[]::new));
  }

  /** The child processes behind the lake, for killing, restarting and adding them. */
  private static Pipeline pipeline(Lake lake) {
    return ((LocalStack.LocalServices) lake.services).pipeline();
  }

  // ---- checks

  record Result(int acked, int found, int duplicates) {}

  /** Flushes until every acknowledged log record is in the table, then counts duplicates. */
  private Result verify(String scenario, Lake lake, Load load, boolean exactlyOnce) throws IOException {
    return verify(scenario, lake, Signals.LOGS, load, exactlyOnce);
  }

  /** As above, for the signal's table and a load of that signal. */
  private Result verify(String scenario, Lake lake, Signal<?> signal, Load load, boolean exactlyOnce) throws IOException {
    Set<String> acked = load.ackedIds();
    Map<String, Integer> counts = lake.awaitIds(
        signal, acked, id -> id.startsWith(load.runId + "-"), Duration.ofSeconds(180), Duration.ofSeconds(2));
    int duplicates = counts.values().stream().mapToInt(c -> c - 1).sum();
    Result r = new Result(acked.size(), counts.size(), duplicates);
    report(String.format("%s: acknowledged %d, found %d distinct (%d not acknowledged but delivered), duplicates %d%s",
        scenario, r.acked, r.found, r.found - acked.size(), r.duplicates, exactlyOnce ? " (exactly once required)" : ""));
    Set<String> missing = new HashSet<>(acked);
    missing.removeAll(counts.keySet());
    // A plain set difference: AssertJ's containsAll is quadratic on sets this large.
    assertThat(missing).as("acknowledged records missing from the table").isEmpty();
    return r;
  }

  private static void report(String line) throws IOException {
    System.out.println("[reliability] " + line);
    Path file = Path.of("target", "reliability", "report.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void awaitProgress(Lake lake, Load load, int rows) {
    long before = lake.count();
    await().atMost(Duration.ofSeconds(90)).until(() -> lake.count() >= before + rows || load.isDone());
  }

  private static long stagedRecords(Lake lake, Signal<?> signal) throws Exception {
    return statsNumber(lake, signal, "buffer_rows");
  }

  private static long stagedBytes(Lake lake, Signal<?> signal) throws Exception {
    return statsNumber(lake, signal, "buffer_size_bytes");
  }

  private static long statsNumber(Lake lake, Signal<?> signal, String field) throws Exception {
    String body = lake.get(lake.appenderUri(), "/stats?signal=" + signal.name()).body();
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static Map<String, Long> statuses(Load load) {
    String summary = load.summary();
    int at = summary.indexOf("\"statuses\":{");
    Map<String, Long> out = new HashMap<>();
    if (at >= 0) {
      Matcher m = STATUS.matcher(summary.substring(at + "\"statuses\":".length()));
      while (m.find()) {
        out.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return out;
  }

  private static long rssBytes(ManagedServer server) throws IOException {
    if (server.pid().isEmpty()) {
      return 0;
    }
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(server.pid().getAsLong()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
      }
    }
    return 0;
  }

  /** Parquet files under the logs table's data folder that no snapshot of the table references now. */
  private static Set<String> orphanDataFiles(Lake lake) throws IOException {
    return orphanDataFiles(lake, Signals.LOGS);
  }

  private static Set<String> orphanDataFiles(Lake lake, Signal<?> signal) throws IOException {
    Table table = lake.catalog.loadTable(TableIdentifier.of(lake.namespace, lake.table(signal)));
    Set<String> referenced = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> referenced.add(t.file().location()));
    }
    String location = table.location().replaceFirst("^s3a?://", "");
    String bucket = location.substring(0, location.indexOf('/'));
    String prefix = location.substring(location.indexOf('/') + 1) + "/data/";
    Set<String> orphans = new HashSet<>();
    try (S3Client s3 = S3Client.builder()
        .endpointOverride(stack(lake).s3Endpoint())
        .forcePathStyle(true)
        .region(Region.of(stack(lake).s3Region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(stack(lake).s3AccessKey(), stack(lake).s3SecretKey())))
        .build()) {
      for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build()).contents()) {
        String path = "s3://" + bucket + "/" + o.key();
        if (!referenced.contains(path)) {
          orphans.add(path);
        }
      }
    }
    return orphans;
  }
}
