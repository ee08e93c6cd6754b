package io.telemetrylake.tools.query;

import io.telemetrylake.table.TraceTable;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `lake query --signal traces` on a traces table of two files (Iceberg's in-memory catalog, Parquet
 * written by DuckDB with the table's field ids): the trace-id filter prunes files and rows, and
 * without SQL one trace prints as a span tree.
 */
class QueryTracesTest {
  private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli() * 1000;
  static final String TRACE_A = "0af7651916cd43dd8448eb211c80319c";
  static final String TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String TRACE_C = "f0000000000000000000000000000001";

  @TempDir Path tmp;
  private InMemoryCatalog catalog;
  private Table table;

  @BeforeEach
  void createTable() throws Exception {
    catalog = new InMemoryCatalog();
    catalog.initialize("test", Map.of());
    catalog.createNamespace(Namespace.of("otel"));
    table = catalog.buildTable(TableIdentifier.of(Namespace.of("otel"), "traces-" + UUID.randomUUID()), TraceTable.SCHEMA)
        .withPartitionSpec(TraceTable.DEFINITION.partitionSpec()).create();
    // file 1: trace A (frontend -> checkout, checkout's SQL failed) and trace B's root;
    // file 2: trace C, whose ids sort after every id of file 1
    addFile(List.of(
        // trace, span, parent, name, service, kind, start offset µs, duration µs, status, message
        row(TRACE_A, "00000000000000a1", null, "POST /api/checkout", "frontend", "SERVER", 0, 90_000, "ERROR", "HTTP 500"),
        row(TRACE_A, "00000000000000a3", "00000000000000a2", "POST /api/checkout", "checkout", "SERVER", 2_000, 60_000, "ERROR", "statement timeout"),
        row(TRACE_A, "00000000000000a2", "00000000000000a1", "POST", "frontend", "CLIENT", 1_000, 70_000, "ERROR", "answered 500"),
        row(TRACE_A, "00000000000000a4", "00000000000000a3", "INSERT orders", "checkout", "CLIENT", 3_000, 50_000, "ERROR", "statement timeout"),
        row(TRACE_A, "00000000000000a5", "00000000000000a1", "render page", "frontend", "INTERNAL", 75_000, 5_000, "UNSET", null),
        row(TRACE_B, "00000000000000b1", null, "GET /api/search", "search", "SERVER", 500, 10_000, "UNSET", null)));
    addFile(List.of(
        row(TRACE_C, "00000000000000c1", null, "GET /", "frontend", "SERVER", 3_600_000_000L, 1_000, "UNSET", null)));
  }

  @AfterEach
  void close() throws Exception {
    catalog.close();
  }

  private static String row(String trace, String span, String parent, String name, String service, String kind,
      long startOffsetMicros, long durationMicros, String status, String message) {
    return "(" + q(trace) + ", " + q(span) + ", " + q(parent) + ", " + q(name) + ", " + q(service) + ", "
        + q("SPAN_KIND_" + kind) + ", " + (T0 + startOffsetMicros) + ", " + durationMicros * 1000 + ", "
        + q("STATUS_CODE_" + status) + ", " + q(message) + ")";
  }

  private static String q(String s) {
    return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
  }

  private static final String[] COLUMNS = {
    "trace_id", "span_id", "parent_span_id", "span_name", "service_name", "span_kind", "timestamp", "duration",
    "status_code", "status_message"
  };

  private void addFile(List<String> rows) throws Exception {
    Path local = tmp.resolve(UUID.randomUUID() + ".parquet");
    Map<String, Integer> fieldIds = new HashMap<>();
    StringBuilder ids = new StringBuilder("{");
    for (String column : COLUMNS) {
      int id = table.schema().findField(column).fieldId();
      fieldIds.put(column, id);
      ids.append(ids.length() == 1 ? "" : ", ").append('"').append(column).append("\": ").append(id);
    }
    ids.append('}');
    String select = "SELECT trace_id, span_id, parent_span_id, span_name, service_name, span_kind,"
        + " make_timestamptz(ts::BIGINT) AS \"timestamp\", duration::BIGINT AS duration, status_code, status_message"
        + " FROM (VALUES " + String.join(", ", rows) + ")"
        + " t(trace_id, span_id, parent_span_id, span_name, service_name, span_kind, ts, duration, status_code, status_message)";
    Metrics metrics;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (" + select + ") TO '" + local + "' (FORMAT parquet, FIELD_IDS " + ids + ")");
      try (ResultSet r = s.executeQuery("SELECT count(*), min(trace_id), max(trace_id), min(service_name), max(service_name),"
          + " epoch_us(min(\"timestamp\")), epoch_us(max(\"timestamp\")) FROM (" + select + ")")) {
        r.next();
        Types.StringType string = Types.StringType.get();
        Types.TimestampType ts = Types.TimestampType.withZone();
        metrics = new Metrics(r.getLong(1), null, null, null, null,
            Map.of(fieldIds.get("trace_id"), Conversions.toByteBuffer(string, r.getString(2)),
                fieldIds.get("service_name"), Conversions.toByteBuffer(string, r.getString(4)),
                fieldIds.get("timestamp"), Conversions.toByteBuffer(ts, r.getLong(6))),
            Map.of(fieldIds.get("trace_id"), Conversions.toByteBuffer(string, r.getString(3)),
                fieldIds.get("service_name"), Conversions.toByteBuffer(string, r.getString(5)),
                fieldIds.get("timestamp"), Conversions.toByteBuffer(ts, r.getLong(7))));
      }
    }
    PartitionData partition = new PartitionData(table.spec().partitionType());
    partition.set(0, (int) (T0 / 86_400_000_000L));
    String location = table.location() + "/data/" + local.getFileName();
    try (OutputStream out = table.io().newOutputFile(location).create()) {
      Files.copy(local, out);
    }
    table.newAppend().appendFile(DataFiles.builder(table.spec())
        .withPath(location).withFormat(FileFormat.PARQUET).withFileSizeInBytes(Files.size(local))
        .withPartition(partition).withMetrics(metrics).build()).commit();
  }

  /** stdout and stderr of {@code lake query --signal traces <args>}. */
  private String[] query(String... args) throws Exception {
    QueryCommand q = new QueryCommand();
    List<String> all = new ArrayList<>(List.of("--signal", "traces"));
    all.addAll(List.of(args));
    new CommandLine(q).parseArgs(all.toArray(String[]::new));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    q.run(table, q.rowFilter(), Files.createTempDirectory(tmp, "q"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void printsOneTraceAsATreeInTimeOrder() throws Exception {
    String[] r = query("--trace-id", TRACE_A.toUpperCase());

    assertThat(r[1]).startsWith("1 of 2 data files");
    List<String> lines = r[0].lines().toList();
    assertThat(lines.get(0)).isEqualTo("trace " + TRACE_A + ": 5 spans in 2 services, 90.000 ms, 4 errors");
    assertThat(lines.get(1)).startsWith("span").contains("service", "kind", "duration ms", "status", "span_id", "parent_span_id");
    assertThat(lines.subList(3, 8)).satisfiesExactly(
        l -> assertThat(l).startsWith("POST /api/checkout ").contains("| frontend", "| SERVER", "| 0.000 ", "| 90.000 ", "ERROR: HTTP 500", "00000000000000a1"),
        l -> assertThat(l).startsWith("├─ POST ").contains("| CLIENT", "| 1.000 ", "00000000000000a2 | 00000000000000a1"),
        l -> assertThat(l).startsWith("│  └─ POST /api/checkout ").contains("| checkout", "| SERVER", "00000000000000a3 | 00000000000000a2"),
        l -> assertThat(l).startsWith("│     └─ INSERT orders ").contains("| CLIENT", "ERROR: statement timeout", "00000000000000a4"),
        l -> assertThat(l).startsWith("└─ render page ").contains("| INTERNAL", "| UNSET", "00000000000000a5"));
    assertThat(lines.get(8)).isEqualTo("(5 rows)");
    assertThat(r[0]).doesNotContain("00000000000000b1", "00000000000000c1");
  }

  @Test
  void runsSqlOverTheTracesViewWithTheFiltersApplied() throws Exception {
    String[] all = query("SELECT count(*) AS n FROM traces");
    String[] oneTrace = query("--trace-id", TRACE_A, "--max-width", "200", "SELECT string_agg(span_id, ',' ORDER BY span_id) AS ids FROM traces");
    String[] oneService = query("--service", "frontend", "SELECT count(*) AS n FROM traces");

    assertThat(all[0]).containsPattern("(?m)^7\\s*$");
    assertThat(all[1]).startsWith("2 of 2 data files");
    assertThat(oneTrace[0]).contains("00000000000000a1,00000000000000a2,00000000000000a3,00000000000000a4,00000000000000a5");
    assertThat(oneService[0]).containsPattern("(?m)^4\\s*$");
  }

  @Test
  void countsSpansByDefault() throws Exception {
    String[] r = query();

    assertThat(r[0]).startsWith("spans").containsPattern("(?m)^7\\s*$");
  }

  @Test
  void saysWhenTheTraceIsNotThere() throws Exception {
    // no file can hold this id: the empty view still has the table's columns, lists of structs included
    String[] r = query("--trace-id", "00000000000000000000000000000001");

    assertThat(r[1]).startsWith("0 of 2 data files");
    assertThat(r[0].strip()).isEqualTo("trace 00000000000000000000000000000001: no spans found");
  }

  @Test
  void combinesTheTraceIdWithTimeFilters() throws Exception {
    // trace A's spans start at T0 + 0 .. 75 ms; only those from 2 ms on are kept
    String[] r = query("--trace-id", TRACE_A, "--since", Instant.ofEpochMilli(T0 / 1000 + 2).toString());

    assertThat(r[0]).contains("3 spans in 2 services", "2 spans whose parent is not in the result");
  }
}
