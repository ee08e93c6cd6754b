package io.telemetrylake.benchmarks.maintain;

import io.telemetrylake.appender.AppenderConfig;
import io.telemetrylake.appender.iceberg.CatalogFactory;
import io.telemetrylake.appender.iceberg.TableSetup;
import io.telemetrylake.appender.maintain.MaintenanceOptions;
import io.telemetrylake.appender.maintain.MaintenanceReport;
import io.telemetrylake.appender.maintain.MaintenanceRun;
import io.telemetrylake.appender.stage.FieldIds;
import io.telemetrylake.benchmarks.e2e.Proc;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackConfig;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.ParquetUtil;

/**
 * Compaction on real servers: a table of N small files (one per commit, as N flushes leave it),
 * then `./lake query` latency, one maintenance run (compaction + expiry), `./lake query` again.
 * Prints rewrite MB/s and CPU µs per row of this JVM (DuckDB's threads included, from /proc).
 *
 * <p>{@code benchmarks/run.sh maintain [files] [rows-per-file] [data-dir] [target-file-mb]}
 */
public final class CompactionBench {
  private CompactionBench() {}

  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rowsPerFile = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Path dataDir = Path.of(args.length > 2 ? args[2] : "target/bench-maintain");
    String targetMb = args.length > 3 ? args[3] : null;
    Path repo = Path.of(System.getProperty("lake.repo", ".")).toAbsolutePath();
    try (DevStack stack = DevStack.start(DevStackConfig.builder(dataDir).wipe(true).build())) {
      Map<String, String> env = new HashMap<>(stack.serviceEnv());
      env.put("ICEBERG_NAMESPACE", "bench");
      env.put("ICEBERG_TABLE", "logs");
      env.put("MAINTENANCE_WORK_DIR", dataDir.resolve("maintenance").toAbsolutePath().toString());
      AppenderConfig config = AppenderConfig.from(new Settings(env));
      Catalog catalog = CatalogFactory.create(config);
      Table table = TableSetup.ensureTable(catalog, TableIdentifier.of(Namespace.of("bench"), "logs"));

      long t0 = System.nanoTime();
      long bytes = fill(table, files, rowsPerFile, dataDir.resolve("gen"));
      log("filled: %d files, %d rows, %.1f MiB in %.1f s", files, (long) files * rowsPerFile, bytes / 1048576.0,
          (System.nanoTime() - t0) / 1e9);

      List<Double> before = queries(repo, env);
      String pruneBefore = pruning(catalog.loadTable(TableIdentifier.of(Namespace.of("bench"), "logs")));
      TableIdentifier id = TableIdentifier.of(Namespace.of("bench"), "logs");
      // compaction (and the manifest rewrite) alone: nothing is old enough to expire
      List<String> compactArgs = new ArrayList<>(List.of("--expire-older-than", "3650d"));
      if (targetMb != null) {
        compactArgs.addAll(List.of("--target-file-size-mb", targetMb));
      }
      Measured compact = maintain(catalog.loadTable(id), env, compactArgs.toArray(String[]::new));
      String pruneAfter = pruning(catalog.loadTable(id));
      List<Double> after = queries(repo, env);
      Measured expire = maintain(catalog.loadTable(id), env, "--expire-older-than", "0s", "--retain-last", "1");
      MaintenanceReport report = compact.report();
      long rewrittenBytes = report.compaction().stream().mapToLong(MaintenanceReport.PartitionResult::bytesRewritten).sum();
      long rewrittenRows = report.compaction().stream().mapToLong(MaintenanceReport.PartitionResult::rowsRewritten).sum();

      System.out.println();
      System.out.printf(Locale.ROOT, "| files before -> after | %d -> %d |%n",
          report.compaction().stream().mapToInt(MaintenanceReport.PartitionResult::filesBefore).sum(),
          report.compaction().stream().mapToInt(MaintenanceReport.PartitionResult::filesAfter).sum());
      System.out.printf(Locale.ROOT, "| compaction run (%s) | %.1f s wall, %.1f s CPU |%n",
          report.stepMillis(), compact.wallSeconds(), compact.cpuSeconds());
      System.out.printf(Locale.ROOT, "| rewrite throughput | %.1f MB/s of input Parquet (wall, whole run), %.2f µs CPU per row |%n",
          rewrittenBytes / 1e6 / compact.wallSeconds(), compact.cpuSeconds() * 1e6 / Math.max(1, rewrittenRows));
      System.out.printf(Locale.ROOT, "| expiry of %d snapshots, %d files deleted (%s) | %.1f s wall, %.1f s CPU |%n",
          expire.report().expiry().snapshotsExpired(), expire.report().expiry().filesDeleted(),
          expire.report().stepMillis(), expire.wallSeconds(), expire.cpuSeconds());
      System.out.printf(Locale.ROOT, "| files selected, before | %s |%n", pruneBefore);
      System.out.printf(Locale.ROOT, "| files selected, after | %s |%n", pruneAfter);
      System.out.printf(Locale.ROOT, "| `lake query` count(*), before | %s s |%n", fmt(before.subList(0, 3)));
      System.out.printf(Locale.ROOT, "| `lake query` count(*), after | %s s |%n", fmt(after.subList(0, 3)));
      System.out.printf(Locale.ROOT, "| `lake query --service svc-3`, before | %s s |%n", fmt(before.subList(3, 6)));
      System.out.printf(Locale.ROOT, "| `lake query --service svc-3`, after | %s s |%n", fmt(after.subList(3, 6)));
    }
  }

  /** What Iceberg selects for a one-service and a one-hour filter: files and MiB of the table's. */
  private static String pruning(Table table) throws java.io.IOException {
    long hourAgo = (System.currentTimeMillis() - 3_600_000L) * 1000;
    return "service_name = svc-3: " + selected(table, Expressions.equal("service_name", "svc-3"))
        + "; timestamp >= now - 1h: " + selected(table, Expressions.greaterThanOrEqual("timestamp", hourAgo));
  }

  private static String selected(Table table, Expression filter) throws java.io.IOException {
    int n = 0;
    int total = 0;
    long bytes = 0;
    long totalBytes = 0;
    try (CloseableIterable<FileScanTask> all = table.newScan().planFiles()) {
      for (FileScanTask t : all) {
        total++;
        totalBytes += t.file().fileSizeInBytes();
      }
    }
    try (CloseableIterable<FileScanTask> some = table.newScan().filter(filter).planFiles()) {
      for (FileScanTask t : some) {
        n++;
        bytes += t.file().fileSizeInBytes();
      }
    }
    return String.format(Locale.ROOT, "%d of %d files (%.1f of %.1f MiB)", n, total, bytes / 1048576.0, totalBytes / 1048576.0);
  }

  record Measured(MaintenanceReport report, double wallSeconds, double cpuSeconds) {}

  /** One maintenance run in this JVM; CPU of the whole process (DuckDB's threads included). */
  private static Measured maintain(Table table, Map<String, String> env, String... args) {
    long pid = ProcessHandle.current().pid();
    long cpu0 = Proc.cpuNanos(pid);
    long w0 = System.nanoTime();
    MaintenanceOptions options = MaintenanceOptions.parse(List.of(args), new Settings(env));
    MaintenanceReport report = new MaintenanceRun(options, Clock.systemUTC()).run(table, options);
    Measured m = new Measured(report, (System.nanoTime() - w0) / 1e9, (Proc.cpuNanos(pid) - cpu0) / 1e9);
    System.out.print(report.toText());
    if (report.failed()) {
      throw new IllegalStateException("maintenance failed: " + report.errors());
    }
    return m;
  }

  /** One Parquet file per commit, as the appender's flushes write them (zstd, field ids, sorted). */
  private static long fill(Table table, int files, int rowsPerFile, Path dir) throws Exception {
    Files.createDirectories(dir);
    String ids = FieldIds.clause(table.schema());
    long total = 0;
    long nowMicros = System.currentTimeMillis() * 1000;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      for (int f = 0; f < files; f++) {
        Path out = dir.resolve("f" + f + ".parquet");
        // one flush every 30 s: the last file is the newest
        long start = nowMicros - (long) (files - f) * 30_000_000L;
        int day = (int) (start / 86_400_000_000L);
        s.execute("COPY (SELECT"
            + " make_timestamptz((" + start + " + i * 29)::BIGINT) AS \"timestamp\","
            + " make_timestamptz((" + start + " + i * 29)::BIGINT) AS observed_timestamp,"
            + " 9 AS severity_number, 'INFO' AS severity_text,"
            + " 'GET /api/orders/' || i || ' served in ' || (i % 97) || ' ms by worker ' || (i % 13) AS body,"
            + " md5(i::VARCHAR || '" + f + "') AS trace_id, substr(md5(i::VARCHAR), 1, 16) AS span_id, 1 AS trace_flags,"
            + " NULL::VARCHAR AS event_name, 'svc-' || (i % 8) AS service_name, 'prod' AS deployment_environment,"
            + " 'host-' || (i % 4) AS host_name,"
            + " MAP {'service.name': 'svc-' || (i % 8), 'host.name': 'host-' || (i % 4)} AS resource_attributes,"
            + " MAP {'library': 'bench'} AS scope_attributes,"
            + " MAP {'http.method': 'GET', 'http.status_code': (200 + i % 5)::VARCHAR, 'lake.id': '" + f + "-' || i}"
            + " AS log_attributes,"
            + " 'io.bench' AS scope_name, '1.0' AS scope_version, NULL::VARCHAR AS resource_schema_url,"
            + " NULL::VARCHAR AS scope_schema_url, 0 AS dropped_attributes_count"
            + " FROM range(" + rowsPerFile + ") t(i) ORDER BY service_name, \"timestamp\")"
            + " TO '" + out + "' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, FIELD_IDS " + ids + ")");
        PartitionData partition = new PartitionData(table.spec().partitionType());
        partition.set(0, day);
        String location = table.locationProvider().newDataLocation(table.spec(), partition, "bench-" + f + ".parquet");
        try (OutputStream o = table.io().newOutputFile(location).createOrOverwrite()) {
          Files.copy(out, o);
        }
        long size = Files.size(out);
        total += size;
        DataFile file = DataFiles.builder(table.spec())
            .withPath(location).withFormat(FileFormat.PARQUET).withFileSizeInBytes(size).withPartition(partition)
            .withMetrics(ParquetUtil.fileMetrics(org.apache.iceberg.Files.localInput(out.toFile()),
                MetricsConfig.forTable(table)))
            .build();
        table.newAppend().appendFile(file).commit();
        Files.delete(out);
      }
    }
    return total;
  }

  /** Wall seconds of three `lake query` runs each: count(*), then a service filter. */
  private static List<Double> queries(Path repo, Map<String, String> env) throws Exception {
    List<Double> out = new ArrayList<>();
    for (List<String> q : List.of(List.of("SELECT count(*) FROM logs"),
        List.of("--service", "svc-3", "SELECT count(*) FROM logs"))) {
      for (int i = 0; i < 3; i++) {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("lake").toString(), "query"));
        cmd.addAll(q);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("LAKE_DATA_DIR", "/nonexistent-bench"); // no devstack.env: the env above
        long t = System.nanoTime();
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
          throw new IllegalStateException("lake query failed: " + text);
        }
        out.add((System.nanoTime() - t) / 1e9);
      }
    }
    return out;
  }

  private static String fmt(List<Double> xs) {
    return String.join(" / ", xs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
  }

  private static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }
}
