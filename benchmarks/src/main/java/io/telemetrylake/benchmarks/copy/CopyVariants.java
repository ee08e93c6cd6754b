package io.telemetrylake.benchmarks.copy;

import io.telemetrylake.appender.stage.ParquetExport;
import io.telemetrylake.appender.stage.LogStaging;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.benchmarks.e2e.Proc;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The flush's COPY to Parquet in isolation, and variants of it: stages one batch the size of a
 * default size flush through the appender's {@link StagingBuffer}, closes it, opens its database
 * file, then runs {@link ParquetExport}'s COPY and each variant in turn, several rounds, and
 * prints the process CPU (all DuckDB threads) and wall time per row. CPU time is what JMH cannot
 * show for a multi-threaded native COPY, hence a plain program.
 *
 * <p>{@code benchmarks/run.sh copy [requests=720] [rounds=5]}: 720 requests = 360,000 rows, one
 * 100 MB size flush. Prints each COPY, then the median per variant, then the same rows written by
 * Iceberg's generic Java Parquet writer for comparison.
 */
public final class CopyVariants {
  private static final String SAVED = "saved.duckdb";
  private static final String NULL_MAP = "CAST(NULL AS MAP(VARCHAR, VARCHAR))";

  /** Each variant rewrites the appender's COPY statement. */
  static final Map<String, UnaryOperator<String>> VARIANTS = variants();

  private CopyVariants() {}

  private static Map<String, UnaryOperator<String>> variants() {
    Map<String, UnaryOperator<String>> v = new LinkedHashMap<>();
    v.put("as-flushed", sql -> sql);
    v.put("maps-through-sort", CopyVariants::mapsThroughTheSort);
    v.put("zstd-level-3", sql -> sql.replace(", COMPRESSION_LEVEL 1", ""));
    // the flush's row group size (ROW_GROUP_ROWS) against DuckDB's default (122,880) and others
    v.put("row-group-default", sql -> sql.replaceAll(", ROW_GROUP_SIZE \\d+", ""));
    for (int rows : new int[] {65536, 32768, 16384, 4096}) {
      v.put("row-group-" + rows / 1024 + "k", sql -> sql.replaceAll("ROW_GROUP_SIZE \\d+", "ROW_GROUP_SIZE " + rows));
    }
    v.put("no-bloom", sql -> sql.replace(", RETURN_STATS", ", WRITE_BLOOM_FILTER false, RETURN_STATS"));
    v.put("dict-limit-64", sql -> sql.replace(", RETURN_STATS", ", DICTIONARY_SIZE_LIMIT 64, RETURN_STATS"));
    v.put("parquet-v2", sql -> sql.replace(", RETURN_STATS", ", PARQUET_VERSION V2, RETURN_STATS"));
    // the COPY before 2026-12-07: TIMESTAMP cast to TIMESTAMPTZ, which goes through ICU per row
    v.put("timestamps-via-icu", sql -> sql
        .replace(ParquetExport.epochMicros("k.ts"), "make_timestamp(k.ts)::TIMESTAMPTZ")
        .replace(ParquetExport.epochMicros("k.observed_ts"), "make_timestamp(k.observed_ts)::TIMESTAMPTZ"));
    // sort on a per-resource integer rank of service_name (fixed-size keys) instead of the text
    v.put("service-rank-sort", sql -> sql
        .replace("row_number() OVER (ORDER BY id) AS resource_index FROM resources)",
            "row_number() OVER (ORDER BY id) AS resource_index,"
                + " dense_rank() OVER (ORDER BY service_name ASC NULLS FIRST) AS service_rank FROM resources)")
        .replace("ORDER BY s.service_name ASC NULLS FIRST, r.ts", "ORDER BY s.service_rank ASC NULLS FIRST, r.ts"));
    v.put("no-sort", sql -> sql.replaceAll(" ORDER BY s\\.service_name[^)]*", ""));
    // the COPY before 2026-12-07 (night): the JSON text cast to JSON (parsed to validate it), then to MAP
    v.put("log-json-cast-twice", sql -> sql.replace(ParquetExport.jsonMap("k.log_attributes"), "CAST(CAST(k.log_attributes AS JSON) AS MAP(VARCHAR, VARCHAR))"));
    v.put("log-json-only", sql -> sql.replace(ParquetExport.jsonMap("k.log_attributes"), "map(['a'], [json_extract_string(k.log_attributes, 'x')])"));
    v.put("no-log-attributes", sql -> sql.replace(ParquetExport.jsonMap("k.log_attributes"), NULL_MAP));
    return v;
  }

  /**
   * The COPY before the resource lookup: all three maps cast before the sort and carried through
   * it (resource maps cast once per resource in a subquery before the join).
   */
  static String mapsThroughTheSort(String sql) {
    String select = sql.substring(sql.indexOf('(') + 1, sql.lastIndexOf(") TO '"));
    int day = Integer.parseInt(select.replaceAll(".* WHERE r\\.day = (-?\\d+) .*", "$1"));
    String previous = "SELECT make_timestamp(r.ts)::TIMESTAMPTZ AS \"timestamp\","
        + " make_timestamp(r.observed_ts)::TIMESTAMPTZ AS \"observed_timestamp\","
        + " r.severity_number AS \"severity_number\", r.severity_text AS \"severity_text\", r.body AS \"body\","
        + " COALESCE(r.trace_id_text, replace(CAST(r.trace_id AS VARCHAR), '-', '')) AS \"trace_id\","
        + " COALESCE(r.span_id_text, printf('%016x', r.span_id)) AS \"span_id\", r.trace_flags AS \"trace_flags\","
        + " r.event_name AS \"event_name\", s.service_name AS \"service_name\","
        + " s.deployment_environment AS \"deployment_environment\", s.host_name AS \"host_name\","
        + " s.resource_attributes AS \"resource_attributes\", s.scope_attributes AS \"scope_attributes\", "
        + ParquetExport.jsonMap("r.log_attributes") + " AS \"log_attributes\", s.scope_name AS \"scope_name\","
        + " s.scope_version AS \"scope_version\", s.resource_schema_url AS \"resource_schema_url\","
        + " s.scope_schema_url AS \"scope_schema_url\", r.dropped_attributes_count AS \"dropped_attributes_count\""
        + " FROM rows r LEFT JOIN (SELECT * REPLACE (" + ParquetExport.jsonMap("resource_attributes") + " AS resource_attributes, "
        + ParquetExport.jsonMap("scope_attributes") + " AS scope_attributes) FROM resources) s ON r.resource_id = s.id"
        + " WHERE r.day = " + day + " ORDER BY s.service_name ASC NULLS FIRST, r.ts ASC NULLS FIRST";
    return sql.replace(select, previous);
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 720;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<byte[]> values = Payloads.kafkaValues("copy", requests);
    Path dir = Files.createTempDirectory("copy-variants");
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        Path stagingDir = dir.resolve("staging");
        // about what one COPY has next to the buffer being filled under the default
        // APPENDER_DUCKDB_MEMORY_MB (1024)
        long rows;
        try (LogStaging staging = StagingBuffer.open(stagingDir, 512)) {
          rows = stage(staging, values);
          Files.deleteIfExists(stagingDir.resolve(SAVED));
          staging.saveTo(stagingDir.resolve(SAVED));
        }
        System.out.printf("round %d: %d rows staged%n", round, rows);
        try (Connection c = openStaged(stagingDir)) {
          // warm-up, not counted: the first COPY after staging was the slowest in every round
          copy(c, dir, "as-flushed", rows);
          for (String variant : VARIANTS.keySet()) {
            double perRow = copy(c, dir, variant, rows);
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
    javaWriter(values, rounds);
  }

  /**
   * The alternative to DuckDB's COPY: the same rows, sorted in Java (not counted), written by
   * Iceberg's generic Parquet writer (zstd level 1) on this thread, as Iceberg's Kafka Connect sink
   * writes. CPU per row of the write alone.
   */
  private static void javaWriter(List<byte[]> values, int rounds) throws Exception {
    List<LogRow> rows = new ArrayList<>();
    for (byte[] value : values) {
      rows.addAll(LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), 0L));
    }
    rows.sort(java.util.Comparator.comparing(LogRow::serviceName,
            java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder()))
        .thenComparingLong(LogRow::timestampMicros));
    org.apache.iceberg.Schema schema = LogTable.SCHEMA;
    long pid = ProcessHandle.current().pid();
    System.out.println("Iceberg GenericParquetWriter, same rows (CPU µs per row):");
    for (int round = 1; round <= rounds; round++) {
      Path file = Files.createTempFile("java-writer", ".parquet");
      Files.delete(file);
      long cpu0 = Proc.cpuNanos(pid);
      try (org.apache.iceberg.io.FileAppender<org.apache.iceberg.data.Record> out =
          org.apache.iceberg.parquet.Parquet.write(org.apache.iceberg.Files.localOutput(file.toFile()))
              .schema(schema)
              .createWriterFunc(type -> org.apache.iceberg.data.parquet.GenericParquetWriter.create(schema, type))
              .set("write.parquet.compression-codec", "zstd")
              .set("write.parquet.compression-level", "1")
              .build()) {
        org.apache.iceberg.data.GenericRecord template = org.apache.iceberg.data.GenericRecord.create(schema);
        for (LogRow r : rows) {
          org.apache.iceberg.data.GenericRecord g = template.copy();
          g.setField(LogTable.TIMESTAMP, micros(r.timestampMicros()));
          g.setField(LogTable.OBSERVED_TIMESTAMP,
              r.observedTimestampMicros() == null ? null : micros(r.observedTimestampMicros()));
          g.setField(LogTable.SEVERITY_NUMBER, r.severityNumber());
          g.setField(LogTable.SEVERITY_TEXT, r.severityText());
          g.setField(LogTable.BODY, r.body());
          g.setField(LogTable.TRACE_ID, r.traceId());
          g.setField(LogTable.SPAN_ID, r.spanId());
          g.setField(LogTable.TRACE_FLAGS, r.traceFlags());
          g.setField(LogTable.EVENT_NAME, r.eventName());
          g.setField(LogTable.SERVICE_NAME, r.serviceName());
          g.setField(LogTable.DEPLOYMENT_ENVIRONMENT, r.deploymentEnvironment());
          g.setField(LogTable.HOST_NAME, r.hostName());
          g.setField(LogTable.RESOURCE_ATTRIBUTES, r.resourceAttributes());
          g.setField(LogTable.SCOPE_ATTRIBUTES, r.scopeAttributes());
          g.setField(LogTable.LOG_ATTRIBUTES, r.logAttributes());
          g.setField(LogTable.SCOPE_NAME, r.scopeName());
          g.setField(LogTable.SCOPE_VERSION, r.scopeVersion());
          g.setField(LogTable.RESOURCE_SCHEMA_URL, r.resourceSchemaUrl());
          g.setField(LogTable.SCOPE_SCHEMA_URL, r.scopeSchemaUrl());
          g.setField(LogTable.DROPPED_ATTRIBUTES_COUNT, r.droppedAttributesCount());
          out.add(g);
        }
      }
      System.out.printf("  round %d %6.2f  %6.1f MiB%n", round, (Proc.cpuNanos(pid) - cpu0) / 1e3 / rows.size(),
          Files.size(file) / 1048576.0);
      Files.delete(file);
    }
  }

  private static java.time.OffsetDateTime micros(long micros) {
    return java.time.Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS)
        .atOffset(java.time.ZoneOffset.UTC);
  }

  /**
   * The staged tables saved to a file, opened with the appender's settings (UTC, its memory
   * limit). Read from a file, not from memory as the appender does: COPY figures may differ a
   * little from the appender's.
   */
  private static Connection openStaged(Path stagingDir) throws Exception {
    Connection c = DriverManager.getConnection("jdbc:duckdb:" + stagingDir.resolve(SAVED));
    try (Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("SET memory_limit = '512MB'");
      s.execute("SET temp_directory = '" + stagingDir.resolve("tmp") + "'");
    }
    return c;
  }

  /** Runs one variant's COPY; prints its figures and returns the CPU µs per row. */
  private static double copy(Connection c, Path dir, String variant, long rows) throws Exception {
    Path out = dir.resolve("out");
    StagingBuffer.deleteRecursively(out);
    Files.createDirectories(out);
    int day;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(day) FROM rows")) {
      rs.next();
      day = rs.getInt(1);
    }
    String sql = VARIANTS.get(variant).apply(ParquetExport.copyDay(
        day, out.resolve("day"), ParquetExport.exportSchema(LogTable.SCHEMA), 512L << 20));
    long pid = ProcessHandle.current().pid();
    long cpu0 = Proc.cpuNanos(pid);
    long t0 = System.nanoTime();
    long bytes = 0;
    try (Statement s = c.createStatement();
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

  private static long stage(LogStaging staging, List<byte[]> values) throws OtlpDecodeException {
    long rows = 0;
    int partition = 0;
    for (byte[] value : values) {
      staging.beginRecord(partition++ % 12);
      for (LogRow row : LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), 0L)) {
        staging.append(row);
        rows++;
      }
    }
    return rows;
  }
}
