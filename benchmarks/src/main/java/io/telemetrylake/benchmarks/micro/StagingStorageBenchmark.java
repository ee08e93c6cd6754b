package io.telemetrylake.benchmarks.micro;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the DuckDB appender costs per row depending on where the rows go, with DuckDB's appender
 * directly (not the appender module's StagingBuffer, whose storage is fixed): the profile of the
 * appender shows most of its staging time in {@code duckdb_appender_flush}, i.e. committing every
 * 2048-row chunk into an on-disk table (WAL writes, fsync, and checkpoints that compress the rows
 * with FSST before they are compressed again into Parquet). The table is a simplified version of the
 * staging {@code rows} table (same value shapes: attributes as JSON text, ids as text).
 *
 * <ul>
 *   <li>{@code file-autocommit}: on-disk database, every appender flush commits (StagingBuffer now)
 *   <li>{@code file-transaction}: on-disk database, one transaction per iteration (per flush)
 *   <li>{@code file-uncompressed}: on-disk database, autocommit, {@code force_compression =
 *       'uncompressed'} (no FSST/dictionary work at checkpoints)
 *   <li>{@code memory}: in-memory database, autocommit
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Payloads.RECORDS_PER_REQUEST)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class StagingStorageBenchmark {
  @Param({"file-autocommit", "file-transaction", "file-uncompressed", "memory"})
  String storage;

  List<List<LogRow>> rows;
  List<List<String>> attributesJson;
  int next;
  Path dir;
  DuckDBConnection connection;
  DuckDBAppender appender;

  @Setup
  public void setUp() throws IOException, SQLException, OtlpDecodeException {
    List<ExportLogsServiceRequest> requests = Payloads.requests("jmh", Defaults.POOL);
    rows = new ArrayList<>();
    attributesJson = new ArrayList<>();
    for (ExportLogsServiceRequest request : requests) {
      List<LogRow> all = new ArrayList<>();
      for (KafkaRecord record : Payloads.kafkaRecords(request.toByteArray())) {
        all.addAll(LogRowMapper.toRows(KafkaRecordFormat.decodeValue(record.value()), 0L));
      }
      rows.add(all);
      attributesJson.add(all.stream().map(r -> json(r.logAttributes())).toList());
    }
    dir = Files.createTempDirectory("jmh-duckdb");
    String url = storage.equals("memory") ? "jdbc:duckdb:" : "jdbc:duckdb:" + dir.resolve("staging.duckdb");
    connection = (DuckDBConnection) DriverManager.getConnection(url);
    try (Statement s = connection.createStatement()) {
      s.execute("SET memory_limit = '1024MB'");
      if (storage.equals("file-uncompressed")) {
        s.execute("SET force_compression = 'uncompressed'");
      }
      s.execute("CREATE TABLE rows (kafka_partition INTEGER, resource_id BIGINT, day INTEGER, ts BIGINT,"
          + " observed_ts BIGINT, severity_number INTEGER, severity_text VARCHAR, body VARCHAR,"
          + " trace_id VARCHAR, span_id VARCHAR, trace_flags INTEGER, event_name VARCHAR,"
          + " log_attributes VARCHAR, dropped_attributes_count INTEGER)");
    }
    begin();
  }

  private void begin() throws SQLException {
    if (storage.equals("file-transaction")) {
      connection.setAutoCommit(false);
    }
    appender = connection.createAppender("main", "rows");
  }

  /** A flush: the appender closed, the transaction committed, the rows deleted (as after a commit). */
  @TearDown(Level.Iteration)
  public void flush() throws SQLException {
    appender.close();
    if (!connection.getAutoCommit()) {
      connection.commit();
      connection.setAutoCommit(true);
    }
    try (Statement s = connection.createStatement()) {
      s.execute("DELETE FROM rows");
      if (!storage.equals("memory")) {
        s.execute("CHECKPOINT");
      }
    }
    begin();
  }

  @TearDown
  public void close() throws IOException, SQLException {
    appender.close();
    connection.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public void appendRows() throws SQLException {
    int i = next;
    next = (i + 1) % Defaults.POOL;
    List<LogRow> request = rows.get(i);
    List<String> json = attributesJson.get(i);
    for (int r = 0; r < request.size(); r++) {
      LogRow row = request.get(r);
      appender.beginRow()
          .append(r & 7)
          .append(1L)
          .append((int) (row.timestampMicros() / 86_400_000_000L))
          .append(row.timestampMicros())
          .append(row.observedTimestampMicros())
          .append(row.severityNumber())
          .append(row.severityText())
          .append(row.body())
          .append(row.traceId())
          .append(row.spanId())
          .append(row.traceFlags())
          .append(row.eventName())
          .append(json.get(r))
          .append(row.droppedAttributesCount())
          .endRow();
    }
  }

  private static String json(Map<String, String> map) {
    StringBuilder out = new StringBuilder("{");
    map.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":\"").append(v).append('"'));
    return out.append('}').toString();
  }
}
