package io.telemetrylake.benchmarks.copy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.appender.stage.MapJson;
import io.telemetrylake.appender.stage.ParquetExport;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.benchmarks.e2e.Proc;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * How rows get into the DuckDB staging table (in memory, as the appender stages), and what a
 * typed {@code MAP} column costs: the comparison issue 14 asked for before choosing the staging
 * path. Stages the same 360,000 rows
 * (one 100 MB size flush) four ways into the {@code rows} table shape of {@code StagingBuffer}
 * (resource columns in their own table, so only {@code log_attributes} is per row):
 *
 * <ul>
 *   <li>{@code appender-json}: DuckDB's Java appender, attributes as JSON text (what the appender does)
 *   <li>{@code appender-map}: the appender's {@code append(Map)} into a {@code MAP(VARCHAR, VARCHAR)}
 *   <li>{@code arrow-json}: Arrow vectors of 65,536 rows, one {@code INSERT ... FROM} C stream each
 *   <li>{@code arrow-map}: the same with an Arrow map vector into the {@code MAP} column
 * </ul>
 *
 * <p>Prints process CPU per row (all threads: Java, JIT, GC, DuckDB), including the final
 * CHECKPOINT. {@code benchmarks/run.sh staging [requests=720] [rounds=3]}.
 */
public final class StagingPaths {
  private static final int ARROW_BATCH = 65_536;
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private StagingPaths() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 720;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<LogRow> rows = new ArrayList<>();
    for (ExportLogsServiceRequest r : Payloads.requests("staging", requests)) {
      for (KafkaRecord k : Payloads.kafkaRecords(r.toByteArray())) {
        rows.addAll(LogRowMapper.toRows(KafkaRecordFormat.decodeValue(k.value()), 0L));
      }
    }
    Path dir = Files.createTempDirectory("staging-paths");
    System.out.printf("%d rows, %d rounds (CPU µs per row, staging + checkpoint)%n", rows.size(), rounds);
    try (BufferAllocator allocator = new RootAllocator()) {
      for (int round = 1; round <= rounds; round++) {
        for (boolean map : new boolean[] {false, true}) {
          String kind = map ? "map" : "json";
          try (DuckDBConnection c = open(dir.resolve("a-" + kind), map)) {
            report(round, "appender-" + kind, rows.size(), c, () -> viaAppender(c, rows, map));
          }
          try (DuckDBConnection c = open(dir.resolve("b-" + kind), map)) {
            report(round, "arrow-" + kind, rows.size(), c, () -> viaArrow(c, allocator, rows, map));
          }
        }
      }
      mapCosts(dir, rows.size());
    } finally {
      io.telemetrylake.appender.stage.StagingBuffer.deleteRecursively(dir);
    }
  }

  /**
   * What building a {@code MAP} costs DuckDB: the same five-entry maps written to Parquet from a
   * stored {@code MAP} column, from JSON text by the cast the COPY uses, and by two other routes
   * (JSON parsed to lists, then {@code map_from_entries} / {@code map()}), against the JSON text
   * itself. Every route that builds a map checks its keys row by row.
   */
  private static void mapCosts(Path dir, int rows) throws Exception {
    System.out.println("writing one 5-entry map column to Parquet (CPU µs per row):");
    try (DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE m AS SELECT MAP {'log.record.uid': md5(i::VARCHAR), 'http.request.method': 'GET',"
          + " 'http.route': '/api/v1/items/' || (i % 50)::VARCHAR, 'http.response.status_code':"
          + " (200 + i % 5)::VARCHAR, 'duration_ms': (i % 997)::VARCHAR} AS a FROM range(" + rows + ") t(i)");
      s.execute("CREATE TABLE j AS SELECT to_json(a)::VARCHAR AS obj, to_json({'k': map_keys(a),"
          + " 'v': map_values(a)})::VARCHAR AS kv FROM m");
      Map<String, String> routes = new java.util.LinkedHashMap<>();
      routes.put("stored MAP", "SELECT a FROM m");
      routes.put("JSON text as is", "SELECT obj AS a FROM j");
      routes.put("JSON -> MAP cast (the COPY's)", "SELECT CAST(CAST(obj AS JSON) AS MAP(VARCHAR, VARCHAR)) AS a FROM j");
      routes.put("JSON -> lists, no map", "SELECT json_transform(kv, '{\"k\":[\"VARCHAR\"],\"v\":[\"VARCHAR\"]}') AS a FROM j");
      routes.put("JSON -> lists -> map()", "SELECT map(x.k, x.v) AS a FROM (SELECT json_transform(kv,"
          + " '{\"k\":[\"VARCHAR\"],\"v\":[\"VARCHAR\"]}') AS x FROM j)");
      long pid = ProcessHandle.current().pid();
      for (Map.Entry<String, String> route : routes.entrySet()) {
        Path out = dir.resolve("map-" + Math.abs(route.getKey().hashCode()) + ".parquet");
        long cpu0 = Proc.cpuNanos(pid);
        // row groups as the flush writes them
        s.execute("COPY (" + route.getValue() + ") TO '" + out + "' (FORMAT parquet, COMPRESSION zstd,"
            + " COMPRESSION_LEVEL 1, ROW_GROUP_SIZE " + ParquetExport.ROW_GROUP_ROWS + ")");
        System.out.printf("  %-30s %6.2f%n", route.getKey(), (Proc.cpuNanos(pid) - cpu0) / 1e3 / rows);
      }
    }
  }

  private interface Stage {
    void run() throws Exception;
  }

  private static void report(int round, String name, int rows, DuckDBConnection c, Stage stage)
      throws Exception {
    long pid = ProcessHandle.current().pid();
    long cpu0 = Proc.cpuNanos(pid);
    stage.run();
    try (Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
    }
    System.out.printf("  round %d %-14s %6.2f%n", round, name, (Proc.cpuNanos(pid) - cpu0) / 1e3 / rows);
  }

  private static DuckDBConnection open(Path dir, boolean map) throws Exception {
    io.telemetrylake.appender.stage.StagingBuffer.deleteRecursively(dir);
    Files.createDirectories(dir);
    // in memory, one thread, spilling to tmp/: as the appender stages (StagingDatabase)
    DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = c.createStatement()) {
      s.execute("SET threads = 1");
      s.execute("SET memory_limit = '512MB'");
      s.execute("SET temp_directory = '" + dir.resolve("tmp") + "'");
      s.execute("CREATE TABLE rows (kafka_partition INTEGER, resource_id BIGINT, day INTEGER, ts BIGINT,"
          + " observed_ts BIGINT, severity_number INTEGER, severity_text VARCHAR, body VARCHAR,"
          + " trace_id VARCHAR, span_id VARCHAR, trace_flags INTEGER, event_name VARCHAR,"
          + " log_attributes " + (map ? "MAP(VARCHAR, VARCHAR)" : "VARCHAR") + ", dropped_attributes_count INTEGER)");
    }
    return c;
  }

  private static void viaAppender(DuckDBConnection c, List<LogRow> rows, boolean map) throws Exception {
    try (DuckDBAppender a = c.createAppender("main", "rows")) {
      int n = 0;
      for (LogRow row : rows) {
        a.beginRow().append(n % 12).append((long) (n++ / 250))
            .append((int) Math.floorDiv(row.timestampMicros(), MICROS_PER_DAY)).append(row.timestampMicros());
        if (row.observedTimestampMicros() == null) {
          a.appendNull();
        } else {
          a.append((long) row.observedTimestampMicros());
        }
        a.append(row.severityNumber()).append(row.severityText()).append(row.body())
            .append(row.traceId()).append(row.spanId()).append(row.traceFlags()).append(row.eventName());
        if (map) {
          a.append(row.logAttributes());
        } else {
          a.append(MapJson.encode(row.logAttributes()));
        }
        a.append(row.droppedAttributesCount()).endRow();
      }
    }
  }

  private static Schema arrowSchema(boolean map) {
    Field attributes;
    if (map) {
      Field key = new Field("key", FieldType.notNullable(new ArrowType.Utf8()), null);
      Field value = new Field("value", FieldType.nullable(new ArrowType.Utf8()), null);
      Field entries = new Field("entries", FieldType.notNullable(new ArrowType.Struct()), List.of(key, value));
      attributes = new Field("log_attributes", FieldType.nullable(new ArrowType.Map(false)), List.of(entries));
    } else {
      attributes = utf8("log_attributes");
    }
    return new Schema(List.of(int32("kafka_partition"), int64("resource_id"), int32("day"), int64("ts"),
        int64("observed_ts"), int32("severity_number"), utf8("severity_text"), utf8("body"), utf8("trace_id"),
        utf8("span_id"), int32("trace_flags"), utf8("event_name"), attributes, int32("dropped_attributes_count")));
  }

  private static void viaArrow(DuckDBConnection c, BufferAllocator allocator, List<LogRow> rows, boolean map)
      throws Exception {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(arrowSchema(map), allocator)) {
      for (int from = 0; from < rows.size(); from += ARROW_BATCH) {
        fill(root, rows, from, Math.min(rows.size(), from + ARROW_BATCH));
        try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
            OneBatch reader = new OneBatch(allocator, root)) {
          Data.exportArrayStream(allocator, reader, stream);
          c.registerArrowStream("batch", stream);
          try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO rows SELECT * FROM batch");
          }
        }
      }
    }
  }

  private static void fill(VectorSchemaRoot root, List<LogRow> rows, int from, int to) {
    root.clear();
    root.allocateNew();
    for (int r = from; r < to; r++) {
      int i = r - from;
      LogRow row = rows.get(r);
      ((IntVector) root.getVector(0)).setSafe(i, r % 12);
      ((BigIntVector) root.getVector(1)).setSafe(i, r / 250);
      ((IntVector) root.getVector(2)).setSafe(i, (int) Math.floorDiv(row.timestampMicros(), MICROS_PER_DAY));
      ((BigIntVector) root.getVector(3)).setSafe(i, row.timestampMicros());
      BigIntVector observed = (BigIntVector) root.getVector(4);
      if (row.observedTimestampMicros() == null) {
        observed.setNull(i);
      } else {
        observed.setSafe(i, row.observedTimestampMicros());
      }
      ((IntVector) root.getVector(5)).setSafe(i, row.severityNumber());
      text(root, 6, i, row.severityText());
      text(root, 7, i, row.body());
      text(root, 8, i, row.traceId());
      text(root, 9, i, row.spanId());
      ((IntVector) root.getVector(10)).setSafe(i, row.traceFlags());
      text(root, 11, i, row.eventName());
      if (root.getVector(12) instanceof MapVector m) {
        map(m, i, row.logAttributes());
      } else {
        text(root, 12, i, MapJson.encode(row.logAttributes()));
      }
      ((IntVector) root.getVector(13)).setSafe(i, row.droppedAttributesCount());
    }
    root.setRowCount(to - from);
  }

  private static void text(VectorSchemaRoot root, int column, int i, String s) {
    VarCharVector v = (VarCharVector) root.getVector(column);
    if (s == null) {
      v.setNull(i);
    } else {
      v.setSafe(i, s.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void map(MapVector m, int i, Map<String, String> values) {
    StructVector entries = (StructVector) m.getDataVector();
    VarCharVector keys = (VarCharVector) entries.getChild("key");
    VarCharVector vals = (VarCharVector) entries.getChild("value");
    int j = m.startNewValue(i);
    for (Map.Entry<String, String> e : values.entrySet()) {
      entries.setIndexDefined(j);
      keys.setSafe(j, e.getKey().getBytes(StandardCharsets.UTF_8));
      if (e.getValue() == null) {
        vals.setNull(j);
      } else {
        vals.setSafe(j, e.getValue().getBytes(StandardCharsets.UTF_8));
      }
      j++;
    }
    m.endValue(i, values.size());
  }

  private static Field utf8(String name) {
    return new Field(name, FieldType.nullable(new ArrowType.Utf8()), null);
  }

  private static Field int32(String name) {
    return new Field(name, FieldType.nullable(new ArrowType.Int(32, true)), null);
  }

  private static Field int64(String name) {
    return new Field(name, FieldType.nullable(new ArrowType.Int(64, true)), null);
  }

  /** A reader that hands DuckDB one filled batch. */
  private static final class OneBatch extends ArrowReader {
    private final VectorSchemaRoot source;
    private boolean done;

    OneBatch(BufferAllocator allocator, VectorSchemaRoot source) {
      super(allocator);
      this.source = source;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      if (done) {
        return false;
      }
      done = true;
      try (var batch = new VectorUnloader(source).getRecordBatch()) {
        new VectorLoader(getVectorSchemaRoot()).load(batch);
      }
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    @Override
    protected Schema readSchema() {
      return source.getSchema();
    }
  }
}
