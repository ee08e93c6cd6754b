package io.telemetrylake.appender.stage;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.lang.management.ManagementFactory;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * How fast can rows get into DuckDB? A runnable measurement, not a test: compares appending the
 * three attribute maps as {@code MAP} values with appending them as JSON text (converted to maps
 * by DuckDB at COPY time), plus a no-attributes baseline, and times the Parquet COPY of each.
 *
 * <p>Run after {@code mvn -pl appender test-compile}, from {@code appender/}: {@code java -cp
 * target/classes:target/test-classes:$(cat target/appender.classpath)
 * io.telemetrylake.appender.stage.StagingBenchmark [rows] [rounds]}. Reports process CPU time (the
 * machine is shared; wall time is noisy). Results are in the README.
 */
public final class StagingBenchmark {
  private static final String COLUMNS =
      "kafka_partition INTEGER, ts BIGINT, observed_ts BIGINT, severity_number INTEGER,"
          + " severity_text VARCHAR, body VARCHAR, trace_id VARCHAR, span_id VARCHAR,"
          + " trace_flags INTEGER, event_name VARCHAR, service_name VARCHAR,"
          + " deployment_environment VARCHAR, host_name VARCHAR, %s, scope_name VARCHAR,"
          + " scope_version VARCHAR, resource_schema_url VARCHAR, scope_schema_url VARCHAR,"
          + " dropped_attributes_count INTEGER";

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private StagingBenchmark() {}

  /**
   * CPU time of the whole process (Java, GC, JIT and DuckDB's threads): the machine is shared and
   * wall time swings 2-3x between runs, CPU time much less.
   */
  private static long cpu() {
    return OS.getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<LogRow> data = generate(rows);
    Path dir = Files.createTempDirectory("staging-bench");
    System.out.printf("rows=%d, rounds=%d, dir=%s%n", rows, rounds, dir);
    for (int round = 0; round < rounds; round++) {
      run(dir, "map-columns", data, "resource_attributes MAP(VARCHAR, VARCHAR),"
          + " scope_attributes MAP(VARCHAR, VARCHAR), log_attributes MAP(VARCHAR, VARCHAR)",
          StagingBenchmark::appendMaps, "resource_attributes");
      run(dir, "json-text", data, "resource_attributes VARCHAR, scope_attributes VARCHAR,"
          + " log_attributes VARCHAR", StagingBenchmark::appendJson,
          "CAST(resource_attributes::JSON AS MAP(VARCHAR, VARCHAR))");
      run(dir, "json-text+transform", data, "resource_attributes VARCHAR, scope_attributes VARCHAR,"
          + " log_attributes VARCHAR", StagingBenchmark::appendJson,
          "json_transform(resource_attributes, '\"MAP(VARCHAR, VARCHAR)\"')");
      runResourceTable(dir, data, false);
      runResourceTable(dir, data, true);
      runResourceTableSeparated(dir, data);
      runRowJson(dir, data);
      runNdjsonFile(dir, data);
      run(dir, "no-attributes", data, "resource_attributes VARCHAR, scope_attributes VARCHAR,"
          + " log_attributes VARCHAR", StagingBenchmark::appendNoMaps, "resource_attributes");
    }
    StagingBuffer.deleteRecursively(dir);
  }

  interface RowAppender {
    void append(DuckDBAppender a, LogRow r, Function<Map<String, String>, String> json)
        throws SQLException;
  }

  private static void run(
      Path dir, String name, List<LogRow> data, String mapColumns, RowAppender rowAppender,
      String resourceExpr) throws Exception {
    Path db = dir.resolve(name + ".duckdb");
    Files.deleteIfExists(db);
    Files.deleteIfExists(dir.resolve(name + ".duckdb.wal"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE staged (" + String.format(COLUMNS, mapColumns) + ")");
      Map<Map<String, String>, String> cache = new IdentityHashMap<>();
      long t0 = cpu();
      try (DuckDBAppender a = ((DuckDBConnection) c).createAppender("main", "staged")) {
        for (LogRow r : data) {
          rowAppender.append(a, r, m -> cached(cache, m));
          if (cache.size() > 1000) {
            cache.clear();
          }
        }
        a.flush();
      }
      s.execute("CHECKPOINT");
      long t1 = cpu();
      long w1 = System.nanoTime();
      String copy =
          "COPY (SELECT make_timestamp(ts)::TIMESTAMPTZ AS timestamp, "
              + resourceExpr.replace("resource_attributes", "resource_attributes")
              + " AS resource_attributes, "
              + resourceExpr.replace("resource_attributes", "scope_attributes")
              + " AS scope_attributes, "
              + resourceExpr.replace("resource_attributes", "log_attributes")
              + " AS log_attributes, * EXCLUDE (ts, resource_attributes, scope_attributes,"
              + " log_attributes) FROM staged ORDER BY service_name, ts) TO '"
              + dir.resolve(name + ".parquet") + "' (FORMAT parquet, COMPRESSION zstd)";
      s.execute("SET TimeZone='UTC'");
      s.execute(copy);
      report(s, name, data.size(), db, t0, t1, w1);
    }
  }

  private static String cached(Map<Map<String, String>, String> cache, Map<String, String> m) {
    return cache.computeIfAbsent(m, MapJson::encode);
  }

  private static void appendCommon(DuckDBAppender a, LogRow r) throws SQLException {
    a.append(0).append(r.timestampMicros()).append(r.observedTimestampMicros())
        .append(r.severityNumber()).append(r.severityText()).append(r.body())
        .append(r.traceId()).append(r.spanId()).append(r.traceFlags()).append(r.eventName())
        .append(r.serviceName()).append(r.deploymentEnvironment()).append(r.hostName());
  }

  private static void appendTail(DuckDBAppender a, LogRow r) throws SQLException {
    a.append(r.scopeName()).append(r.scopeVersion()).append(r.resourceSchemaUrl())
        .append(r.scopeSchemaUrl()).append(r.droppedAttributesCount());
  }

  private static void appendMaps(
      DuckDBAppender a, LogRow r, Function<Map<String, String>, String> json) throws SQLException {
    a.beginRow();
    appendCommon(a, r);
    a.append(r.resourceAttributes()).append(r.scopeAttributes()).append(r.logAttributes());
    appendTail(a, r);
    a.endRow();
  }

  private static void appendJson(
      DuckDBAppender a, LogRow r, Function<Map<String, String>, String> json) throws SQLException {
    a.beginRow();
    appendCommon(a, r);
    a.append(json.apply(r.resourceAttributes())).append(json.apply(r.scopeAttributes()))
        .append(MapJson.encode(r.logAttributes()));
    appendTail(a, r);
    a.endRow();
  }

  private static void appendNoMaps(
      DuckDBAppender a, LogRow r, Function<Map<String, String>, String> json) throws SQLException {
    a.beginRow();
    appendCommon(a, r);
    a.appendNull().appendNull().appendNull();
    appendTail(a, r);
    a.endRow();
  }


  private static final String ROW_STRUCT =
      "{\"p\":\"INTEGER\",\"ts\":\"BIGINT\",\"ots\":\"BIGINT\",\"sn\":\"INTEGER\",\"st\":\"VARCHAR\","
          + "\"b\":\"VARCHAR\",\"tid\":\"VARCHAR\",\"sid\":\"VARCHAR\",\"tf\":\"INTEGER\","
          + "\"ev\":\"VARCHAR\",\"svc\":\"VARCHAR\",\"env\":\"VARCHAR\",\"host\":\"VARCHAR\","
          + "\"ra\":\"MAP(VARCHAR, VARCHAR)\",\"sa\":\"MAP(VARCHAR, VARCHAR)\","
          + "\"la\":\"MAP(VARCHAR, VARCHAR)\",\"scn\":\"VARCHAR\",\"scv\":\"VARCHAR\","
          + "\"rsu\":\"VARCHAR\",\"ssu\":\"VARCHAR\",\"dac\":\"INTEGER\"}";

  /** Per-resource values in their own table, joined back at COPY time. */
  private static void runResourceTable(Path dir, List<LogRow> data, boolean binaryIds)
      throws Exception {
    String name = binaryIds ? "resource-table+ids" : "resource-table";
    Path db = fresh(dir, name);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE res (id BIGINT, service_name VARCHAR, deployment_environment VARCHAR,"
          + " host_name VARCHAR, resource_attributes VARCHAR, scope_attributes VARCHAR,"
          + " scope_name VARCHAR, scope_version VARCHAR, resource_schema_url VARCHAR,"
          + " scope_schema_url VARCHAR)");
      s.execute("CREATE TABLE staged (kafka_partition INTEGER, res_id BIGINT, ts BIGINT,"
          + " observed_ts BIGINT, severity_number INTEGER, severity_text VARCHAR, body VARCHAR,"
          + (binaryIds ? " trace_id UUID, span_id BIGINT," : " trace_id VARCHAR, span_id VARCHAR,")
          + " trace_flags INTEGER, event_name VARCHAR,"
          + " log_attributes VARCHAR, dropped_attributes_count INTEGER)");
      long t0 = cpu();
      try (DuckDBAppender ra = ((DuckDBConnection) c).createAppender("main", "res");
          DuckDBAppender a = ((DuckDBConnection) c).createAppender("main", "staged")) {
        Map<String, String> lastResource = null;
        Map<String, String> lastScope = null;
        long id = 0;
        for (LogRow r : data) {
          if (r.resourceAttributes() != lastResource || r.scopeAttributes() != lastScope) {
            lastResource = r.resourceAttributes();
            lastScope = r.scopeAttributes();
            id++;
            ra.beginRow().append(id).append(r.serviceName()).append(r.deploymentEnvironment())
                .append(r.hostName()).append(MapJson.encode(lastResource))
                .append(MapJson.encode(lastScope)).append(r.scopeName()).append(r.scopeVersion())
                .append(r.resourceSchemaUrl()).append(r.scopeSchemaUrl()).endRow();
          }
          a.beginRow().append(0).append(id).append(r.timestampMicros())
              .append(r.observedTimestampMicros()).append(r.severityNumber())
              .append(r.severityText()).append(r.body());
          if (binaryIds) {
            String tid = r.traceId();
            a.appendUUID(hexLong(tid, 0), hexLong(tid, 16)).append(hexLong(r.spanId(), 0));
          } else {
            a.append(r.traceId()).append(r.spanId());
          }
          a.append(r.traceFlags()).append(r.eventName())
              .append(MapJson.encode(r.logAttributes())).append(r.droppedAttributesCount())
              .endRow();
        }
        a.flush();
        ra.flush();
      }
      s.execute("CHECKPOINT");
      long t1 = cpu();
      long w1 = System.nanoTime();
      s.execute("SET TimeZone='UTC'");
      s.execute("COPY (SELECT make_timestamp(ts)::TIMESTAMPTZ AS timestamp,"
          + " CAST(res.resource_attributes::JSON AS MAP(VARCHAR, VARCHAR)) AS ra,"
          + " CAST(res.scope_attributes::JSON AS MAP(VARCHAR, VARCHAR)) AS sa,"
          + " CAST(log_attributes::JSON AS MAP(VARCHAR, VARCHAR)) AS la,"
          + " res.* EXCLUDE (id, resource_attributes, scope_attributes),"
          + (binaryIds ? " replace(trace_id::VARCHAR, '-', '') AS tid, printf('%016x', span_id) AS sid,"
              + " staged.* EXCLUDE (ts, log_attributes, res_id, trace_id, span_id)"
              : " staged.* EXCLUDE (ts, log_attributes, res_id)")
          + " FROM staged JOIN res ON staged.res_id = res.id ORDER BY res.service_name, ts) TO '"
          + dir.resolve(name + ".parquet") + "' (FORMAT parquet, COMPRESSION zstd)");
      report(s, name, data.size(), db, t0, t1, w1);
    }
  }

  /**
   * Like resource-table+ids, but maps as one text of keys and values separated by U+001F, which
   * DuckDB splits with string_split and rebuilds with map(keys, values): no JSON parsing.
   */
  private static void runResourceTableSeparated(Path dir, List<LogRow> data) throws Exception {
    String name = "resource-table+ids+sep";
    Path db = fresh(dir, name);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE res (id BIGINT, service_name VARCHAR, deployment_environment VARCHAR,"
          + " host_name VARCHAR, resource_attributes VARCHAR, scope_attributes VARCHAR,"
          + " scope_name VARCHAR, scope_version VARCHAR, resource_schema_url VARCHAR,"
          + " scope_schema_url VARCHAR)");
      s.execute("CREATE TABLE staged (kafka_partition INTEGER, res_id BIGINT, ts BIGINT,"
          + " observed_ts BIGINT, severity_number INTEGER, severity_text VARCHAR, body VARCHAR,"
          + " trace_id UUID, span_id BIGINT, trace_flags INTEGER, event_name VARCHAR,"
          + " log_attributes VARCHAR, dropped_attributes_count INTEGER)");
      long t0 = cpu();
      StringBuilder sb = new StringBuilder(256);
      try (DuckDBAppender ra = ((DuckDBConnection) c).createAppender("main", "res");
          DuckDBAppender a = ((DuckDBConnection) c).createAppender("main", "staged")) {
        Map<String, String> lastResource = null;
        Map<String, String> lastScope = null;
        long id = 0;
        for (LogRow r : data) {
          if (r.resourceAttributes() != lastResource || r.scopeAttributes() != lastScope) {
            lastResource = r.resourceAttributes();
            lastScope = r.scopeAttributes();
            id++;
            ra.beginRow().append(id).append(r.serviceName()).append(r.deploymentEnvironment())
                .append(r.hostName()).append(separated(lastResource, sb))
                .append(separated(lastScope, sb)).append(r.scopeName()).append(r.scopeVersion())
                .append(r.resourceSchemaUrl()).append(r.scopeSchemaUrl()).endRow();
          }
          a.beginRow().append(0).append(id).append(r.timestampMicros())
              .append(r.observedTimestampMicros()).append(r.severityNumber())
              .append(r.severityText()).append(r.body());
          String tid = r.traceId();
          a.appendUUID(hexLong(tid, 0), hexLong(tid, 16)).append(hexLong(r.spanId(), 0));
          a.append(r.traceFlags()).append(r.eventName())
              .append(separated(r.logAttributes(), sb)).append(r.droppedAttributesCount())
              .endRow();
        }
        a.flush();
        ra.flush();
      }
      s.execute("CHECKPOINT");
      long t1 = cpu();
      long w1 = System.nanoTime();
      s.execute("SET TimeZone='UTC'");
      s.execute("CREATE MACRO sep_map(s) AS CASE WHEN s IS NULL THEN MAP {}::MAP(VARCHAR, VARCHAR)"
          + " ELSE (SELECT map(list_slice(l, 1, len(l), 2), list_slice(l, 2, len(l), 2))"
          + " FROM (SELECT string_split(s, chr(31)) AS l)) END");
      s.execute("COPY (SELECT make_timestamp(ts)::TIMESTAMPTZ AS timestamp,"
          + " sep_map(res.resource_attributes) AS ra, sep_map(res.scope_attributes) AS sa,"
          + " sep_map(log_attributes) AS la,"
          + " res.* EXCLUDE (id, resource_attributes, scope_attributes),"
          + " replace(trace_id::VARCHAR, '-', '') AS tid, printf('%016x', span_id) AS sid,"
          + " staged.* EXCLUDE (ts, log_attributes, res_id, trace_id, span_id)"
          + " FROM staged JOIN res ON staged.res_id = res.id ORDER BY res.service_name, ts) TO '"
          + dir.resolve(name + ".parquet") + "' (FORMAT parquet, COMPRESSION zstd)");
      report(s, name, data.size(), db, t0, t1, w1);
    }
  }

  private static String separated(Map<String, String> map, StringBuilder sb) {
    if (map.isEmpty()) {
      return null;
    }
    sb.setLength(0);
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (sb.length() > 0) {
        sb.append('\u001f');
      }
      sb.append(e.getKey()).append('\u001f').append(e.getValue());
    }
    return sb.toString();
  }

  /** The whole row as one JSON text value; DuckDB parses it at COPY time. */
  private static void runRowJson(Path dir, List<LogRow> data) throws Exception {
    Path db = fresh(dir, "row-json");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE staged (kafka_partition INTEGER, j VARCHAR)");
      long t0 = cpu();
      StringBuilder sb = new StringBuilder(1024);
      try (DuckDBAppender a = ((DuckDBConnection) c).createAppender("main", "staged")) {
        for (LogRow r : data) {
          sb.setLength(0);
          rowJson(r, sb);
          a.beginRow().append(0).append(sb.toString()).endRow();
        }
        a.flush();
      }
      s.execute("CHECKPOINT");
      long t1 = cpu();
      long w1 = System.nanoTime();
      s.execute("SET TimeZone='UTC'");
      s.execute("COPY (SELECT make_timestamp(r.ts)::TIMESTAMPTZ AS timestamp, r.* EXCLUDE (ts)"
          + " FROM (SELECT unnest(json_transform(j, '" + ROW_STRUCT + "')) FROM staged) r"
          + " ORDER BY r.svc, r.ts) TO '" + dir.resolve("row-json.parquet")
          + "' (FORMAT parquet, COMPRESSION zstd)");
      report(s, "row-json", data.size(), db, t0, t1, w1);
    }
  }

  /** Rows written as NDJSON to a local file, bulk-loaded into a typed table by read_ndjson. */
  private static void runNdjsonFile(Path dir, List<LogRow> data) throws Exception {
    Path db = fresh(dir, "ndjson-file");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE staged (p INTEGER, ts BIGINT, ots BIGINT, sn INTEGER, st VARCHAR,"
          + " b VARCHAR, tid VARCHAR, sid VARCHAR, tf INTEGER, ev VARCHAR, svc VARCHAR,"
          + " env VARCHAR, host VARCHAR, ra MAP(VARCHAR, VARCHAR), sa MAP(VARCHAR, VARCHAR),"
          + " la MAP(VARCHAR, VARCHAR), scn VARCHAR, scv VARCHAR, rsu VARCHAR, ssu VARCHAR,"
          + " dac INTEGER)");
      long t0 = cpu();
      int chunkRows = 100_000;
      StringBuilder sb = new StringBuilder(1024);
      java.io.Writer w = null;
      Path chunk = dir.resolve("chunk.ndjson");
      int inChunk = 0;
      for (int i = 0; i <= data.size(); i++) {
        if (i == data.size() || inChunk == chunkRows) {
          w.close();
          s.execute("INSERT INTO staged SELECT * FROM read_ndjson('" + chunk
              + "', columns=" + ROW_STRUCT.replace('"', '\'') + ")");
          Files.delete(chunk);
          w = null;
          inChunk = 0;
          if (i == data.size()) {
            break;
          }
        }
        if (w == null) {
          w = Files.newBufferedWriter(chunk, java.nio.charset.StandardCharsets.UTF_8);
        }
        sb.setLength(0);
        rowJson(data.get(i), sb);
        sb.append('\n');
        w.append(sb);
        inChunk++;
      }
      s.execute("CHECKPOINT");
      long t1 = cpu();
      long w1 = System.nanoTime();
      s.execute("SET TimeZone='UTC'");
      s.execute("COPY (SELECT make_timestamp(ts)::TIMESTAMPTZ AS timestamp, * EXCLUDE (ts)"
          + " FROM staged ORDER BY svc, ts) TO '" + dir.resolve("ndjson-file.parquet")
          + "' (FORMAT parquet, COMPRESSION zstd)");
      report(s, "ndjson-file", data.size(), db, t0, t1, w1);
    }
  }

  private static void rowJson(LogRow r, StringBuilder sb) {
    sb.append("{\"p\":0,\"ts\":").append(r.timestampMicros());
    sb.append(",\"ots\":").append(r.observedTimestampMicros());
    sb.append(",\"sn\":").append(r.severityNumber());
    str(sb, "st", r.severityText());
    str(sb, "b", r.body());
    str(sb, "tid", r.traceId());
    str(sb, "sid", r.spanId());
    sb.append(",\"tf\":").append(r.traceFlags());
    str(sb, "ev", r.eventName());
    str(sb, "svc", r.serviceName());
    str(sb, "env", r.deploymentEnvironment());
    str(sb, "host", r.hostName());
    sb.append(",\"ra\":").append(MapJson.encode(r.resourceAttributes()));
    sb.append(",\"sa\":").append(MapJson.encode(r.scopeAttributes()));
    sb.append(",\"la\":").append(MapJson.encode(r.logAttributes()));
    str(sb, "scn", r.scopeName());
    str(sb, "scv", r.scopeVersion());
    str(sb, "rsu", r.resourceSchemaUrl());
    str(sb, "ssu", r.scopeSchemaUrl());
    sb.append(",\"dac\":").append(r.droppedAttributesCount()).append('}');
  }

  private static void str(StringBuilder sb, String key, String value) {
    sb.append(",\"").append(key).append("\":");
    if (value == null) {
      sb.append("null");
    } else {
      String quoted = MapJson.encode(Map.of("", value));
      sb.append(quoted, 4, quoted.length() - 1);
    }
  }

  private static long hexLong(String hex, int from) {
    long v = 0;
    for (int i = from; i < from + 16; i++) {
      v = (v << 4) | Character.digit(hex.charAt(i), 16);
    }
    return v;
  }

  private static Path fresh(Path dir, String name) throws Exception {
    Path db = dir.resolve(name + ".duckdb");
    Files.deleteIfExists(db);
    Files.deleteIfExists(dir.resolve(name + ".duckdb.wal"));
    return db;
  }

  private static void report(Statement s, String name, int rows, Path db, long t0, long t1, long w1)
      throws Exception {
    long w2 = System.nanoTime();
    long t2 = cpu();
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM staged")) {
      rs.next();
      if (rs.getLong(1) != rows) {
        throw new IllegalStateException(name + ": staged " + rs.getLong(1) + " of " + rows);
      }
    }
    double stageS = (t1 - t0) / 1e9;
    System.out.printf(
        "%-22s stage %6.2f s cpu = %8.0f rows/s   copy %5.2f s cpu %5.2f s wall"
            + "   stage+copy %8.0f rows/cpu-s   db %4d MB%n",
        name, stageS, rows / stageS, (t2 - t1) / 1e9, (w2 - w1) / 1e9,
        rows / ((t2 - t0) / 1e9), Files.size(db) >> 20);
  }

  /**
   * Kafka record values shaped like real SDK output (one resource of 50 records each, 7 resource
   * attributes, 4 attributes per record), decoded and mapped to rows the way the appender does it;
   * prints what that costs, since it runs on the same thread as the staging.
   */
  static List<LogRow> generate(int rows) throws Exception {
    List<byte[]> values = new ArrayList<>();
    long t = 1_763_000_000_000_000_000L;
    for (int i = 0; i < rows; i += 50) {
      Resource.Builder resource = Resource.newBuilder()
          .addAttributes(kv("service.name", "svc-" + (i / 50) % 20))
          .addAttributes(kv("service.version", "1.2." + (i % 7)))
          .addAttributes(kv("host.name", "host-" + (i / 50) % 13))
          .addAttributes(kv("deployment.environment.name", "prod"))
          .addAttributes(kv("telemetry.sdk.language", "java"))
          .addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
          .addAttributes(kv("telemetry.sdk.version", "1.67.0"))
          .addAttributes(kv("process.pid", Integer.toString(1000 + i % 500)));
      ScopeLogs.Builder scope = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder()
          .setName("com.example.Handler").setVersion("1.0").addAttributes(kv("scope.kind", "logger")));
      for (int k = i; k < Math.min(rows, i + 50); k++) {
        scope.addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(t + k * 1_000_000L).setObservedTimeUnixNano(t + k * 1_000_000L + 5000)
            .setSeverityNumberValue(9).setSeverityText("INFO")
            .setBody(AnyValue.newBuilder().setStringValue(
                "request handled in " + (k % 997) + " ms for item " + k))
            .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(
                String.format("%016x%016x", k * 7919L, k * 104729L))))
            .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(
                String.format("%016x", k * 1299709L))))
            .setFlags(1)
            .addAttributes(kv("http.method", k % 3 == 0 ? "GET" : "POST"))
            .addAttributes(kv("http.route", "/api/v1/items/{id}"))
            .addAttributes(kv("user.id", "u-" + (k * 7919L) % 100_000))
            .addAttributes(kv("thread.name", "worker-" + k % 16)));
      }
      values.add(ExportLogsServiceRequest.newBuilder().addResourceLogs(
          ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope)).build().toByteArray());
    }
    List<LogRow> out = new ArrayList<>(rows);
    for (int round = 0; round < 3; round++) {
      out.clear();
      long c0 = cpu();
      for (byte[] value : values) {
        LogRowMapper.forEachRow(ExportLogsServiceRequest.parseFrom(value), 0L, out::add);
      }
      double s = (cpu() - c0) / 1e9;
      System.out.printf("decode+map             %6.2f s cpu = %8.0f rows/s (%d Kafka values)%n",
          s, out.size() / s, values.size());
    }
    return out;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
