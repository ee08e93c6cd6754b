package io.telemetrylake.appender.stage;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.benchmarks.e2e.Proc;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaLogRecord;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The flush's COPY to Parquet in isolation, and variants of it: stages one batch the size of a
 * default size flush through {@link StagingBuffer}, then runs {@link ParquetExport}'s COPY and
 * each variant in turn, several rounds, and prints the process CPU (all DuckDB threads) and wall
 * time per row. CPU time is what JMH cannot show for a multi-threaded native COPY, hence a plain
 * program. It lives in the export's package to run the exact SQL the appender runs.
 *
 * <p>{@code benchmarks/run.sh copy [requests=720] [rounds=5]}: 720 requests = 360,000 rows, one
 * 100 MB size flush. Prints each COPY, then the median per variant.
 */
public final class CopyVariants {
  /** Each variant rewrites the appender's COPY statement. */
  static final Map<String, UnaryOperator<String>> VARIANTS = variants();

  private CopyVariants() {}

  private static Map<String, UnaryOperator<String>> variants() {
    Map<String, UnaryOperator<String>> v = new LinkedHashMap<>();
    v.put("as-flushed", sql -> sql);
    v.put("zstd-level-3", sql -> sql.replace(", COMPRESSION_LEVEL 1", ""));
    v.put("snappy", sql -> sql.replace("COMPRESSION zstd, COMPRESSION_LEVEL 1", "COMPRESSION snappy"));
    v.put("maps-cast-per-row", sql -> sql
        .replace(ParquetExport.RESOURCES_AS_MAPS, "resources")
        .replace("s.resource_attributes AS", ParquetExport.jsonMap("s.resource_attributes") + " AS")
        .replace("s.scope_attributes AS", ParquetExport.jsonMap("s.scope_attributes") + " AS"));
    v.put("no-sort", sql -> sql.replaceAll(" ORDER BY [^)]*", ""));
    v.put("log-cast-after-sort", CopyVariants::castLogAttributesAfterSort);
    v.put("no-log-attributes", sql -> sql.replace(ParquetExport.jsonMap("r.log_attributes"), NULL_MAP));
    v.put("no-maps", sql -> sql
        .replace(ParquetExport.jsonMap("r.log_attributes"), NULL_MAP)
        .replace("s.resource_attributes AS", NULL_MAP + " AS")
        .replace("s.scope_attributes AS", NULL_MAP + " AS"));
    return v;
  }

  /** The sort moves {@code log_attributes} as JSON text; the cast runs on the sorted rows. */
  static String castLogAttributesAfterSort(String sql) {
    int open = sql.indexOf('(') + 1;
    int close = sql.lastIndexOf(") TO '");
    String select = sql.substring(open, close).replace(ParquetExport.jsonMap("r.log_attributes"), "r.log_attributes");
    return sql.substring(0, open)
        + "SELECT * REPLACE (" + ParquetExport.jsonMap("log_attributes") + " AS log_attributes) FROM (" + select + ")"
        + sql.substring(close);
  }

  private static final String NULL_MAP = "CAST(NULL AS MAP(VARCHAR, VARCHAR))";


  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 720;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<byte[]> values = new ArrayList<>();
    for (ExportLogsServiceRequest r : Payloads.requests("copy", requests)) {
      for (KafkaLogRecord k : Payloads.kafkaRecords(r.toByteArray())) {
        values.add(k.value());
      }
    }
    Path dir = Files.createTempDirectory("copy-variants");
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        // the appender's default APPENDER_DUCKDB_MEMORY_MB, split between its two buffers
        try (StagingBuffer staging = StagingBuffer.open(dir.resolve("staging"), 512)) {
          long rows = stage(staging, values);
          System.out.printf("round %d: %d rows staged%n", round, rows);
          // warm-up, not counted: the first COPY after staging was the slowest in every round
          copy(staging, dir, "as-flushed", rows);
          for (String variant : VARIANTS.keySet()) {
            double perRow = copy(staging, dir, variant, rows);
            cpu.computeIfAbsent(variant, v -> new ArrayList<>()).add(perRow);
          }
        }
      }
    } finally {
      StagingBuffer.deleteRecursively(dir);
    }
    System.out.println("median over " + rounds + " rounds, process CPU µs per row:");
    cpu.forEach((variant, values1) -> {
      List<Double> sorted = values1.stream().sorted().toList();
      System.out.printf("  %-18s %6.2f  (%s)%n", variant, sorted.get(sorted.size() / 2),
          String.join(" ", values1.stream().map(v -> String.format("%.2f", v)).toList()));
    });
  }

  /** Runs one variant's COPY; prints its figures and returns the CPU µs per row. */
  private static double copy(StagingBuffer staging, Path dir, String variant, long rows)
      throws Exception {
    Path out = dir.resolve("out");
    StagingBuffer.deleteRecursively(out);
    Files.createDirectories(out);
    String sql = VARIANTS.get(variant).apply(ParquetExport.copyDay(
        staging.days().get(0), out.resolve("day"), ParquetExport.exportSchema(LogTable.SCHEMA),
        512L << 20));
    long pid = ProcessHandle.current().pid();
    long cpu0 = Proc.cpuNanos(pid);
    long t0 = System.nanoTime();
    long bytes = 0;
    try (Statement s = staging.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        bytes += rs.getLong("file_size_bytes");
      }
    }
    double cpuPerRow = (Proc.cpuNanos(pid) - cpu0) / 1e3 / rows;
    System.out.printf("  %-18s cpu %6.2f µs/row  wall %6.2f µs/row  %6.1f MiB%n",
        variant, cpuPerRow, (System.nanoTime() - t0) / 1e3 / rows, bytes / 1048576.0);
    return cpuPerRow;
  }

  private static long stage(StagingBuffer staging, List<byte[]> values) throws OtlpDecodeException {
    long rows = 0;
    int partition = 0;
    for (byte[] value : values) {
      staging.beginRecord(partition++ % 12);
      for (LogRow row : LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), 0L)) {
        staging.append(row);
        rows++;
      }
    }
    staging.flushAppenders();
    return rows;
  }
}
