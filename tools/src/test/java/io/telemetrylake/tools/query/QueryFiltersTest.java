package io.telemetrylake.tools.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.table.LogTable;
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
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `lake query`'s filters on a table of several files, each holding several services and times
 * (Iceberg's in-memory catalog, Parquet files written by DuckDB with the table's field ids).
 */
class QueryFiltersTest {
  private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli() * 1000;
  private static final long HOUR = 3_600_000_000L;

  @TempDir Path tmp;
  private InMemoryCatalog catalog;
  private Table table;

  @BeforeEach
  void createTable() throws Exception {
    catalog = new InMemoryCatalog();
    catalog.initialize("test", Map.of());
    catalog.createNamespace(Namespace.of("otel"));
    table = catalog.buildTable(TableIdentifier.of(Namespace.of("otel"), "logs-" + UUID.randomUUID()), LogTable.SCHEMA)
        .withPartitionSpec(LogTable.partitionSpec()).create();
    // file 1: checkout and cart at T0 .. T0+9s; file 2: checkout and search at T0+1h ..;
    // file 3: search only at T0+2h ..
    addFile("(VALUES ('checkout', 0), ('cart', 1), ('checkout', 2))", 0);
    addFile("(VALUES ('checkout', 0), ('search', 1))", HOUR);
    addFile("(VALUES ('search', 0), ('search', 1))", 2 * HOUR);
  }

  @AfterEach
  void close() throws Exception {
    catalog.close();
  }

  private void addFile(String rows, long offsetMicros) throws Exception {
    Path local = tmp.resolve(UUID.randomUUID() + ".parquet");
    String ids = "{\"timestamp\": " + table.schema().findField("timestamp").fieldId()
        + ", \"service_name\": " + table.schema().findField("service_name").fieldId()
        + ", \"body\": " + table.schema().findField("body").fieldId() + "}";
    String select = "SELECT make_timestamptz((" + (T0 + offsetMicros) + " + n * 1000000)::BIGINT) AS \"timestamp\","
        + " svc AS service_name, svc || ' ' || n AS body FROM " + rows + " t(svc, n)";
    Metrics metrics;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (" + select + ") TO '" + local + "' (FORMAT parquet, FIELD_IDS " + ids + ")");
      // the bounds Iceberg prunes with, as the appender's footer metrics would give them
      try (ResultSet r = s.executeQuery("SELECT count(*), min(service_name), max(service_name),"
          + " epoch_us(min(\"timestamp\")), epoch_us(max(\"timestamp\")) FROM (" + select + ")")) {
        r.next();
        int svc = table.schema().findField("service_name").fieldId();
        int ts = table.schema().findField("timestamp").fieldId();
        Type tsType = table.schema().findType("timestamp");
        metrics = new Metrics(r.getLong(1), null, null, null, null,
            Map.of(svc, Conversions.toByteBuffer(Types.StringType.get(), r.getString(2)),
                ts, Conversions.toByteBuffer(tsType, r.getLong(4))),
            Map.of(svc, Conversions.toByteBuffer(Types.StringType.get(), r.getString(3)),
                ts, Conversions.toByteBuffer(tsType, r.getLong(5))));
      }
    }
    PartitionData partition = new PartitionData(table.spec().partitionType());
    partition.set(0, (int) ((T0 + offsetMicros) / 86_400_000_000L));
    String location = table.location() + "/data/" + local.getFileName();
    try (OutputStream out = table.io().newOutputFile(location).create()) {
      Files.copy(local, out);
    }
    table.newAppend().appendFile(DataFiles.builder(table.spec())
        .withPath(location).withFormat(FileFormat.PARQUET).withFileSizeInBytes(Files.size(local))
        .withPartition(partition)
        .withMetrics(metrics)
        .build()).commit();
  }

  /** stdout and stderr of one query. */
  private String[] query(RowFilter filter, String sql) throws Exception {
    QueryCommand q = new QueryCommand();
    q.sql = sql;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path dir = Files.createTempDirectory(tmp, "q");
    q.run(table, filter, dir, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  private static final String BODIES = "SELECT string_agg(body, ',' ORDER BY body) AS bodies FROM logs";

  @Test
  void serviceReturnsOnlyThatServicesRows() throws Exception {
    String[] r = query(new RowFilter("checkout", null, null), BODIES);

    assertThat(r[0]).contains("checkout 0,checkout 0,checkout 2").doesNotContain("cart").doesNotContain("search");
    assertThat(r[1]).startsWith("2 of 3 data files");
  }

  @Test
  void sinceIsInclusive() throws Exception {
    String[] r = query(new RowFilter(null, T0 + HOUR + 1_000_000, null), BODIES);

    assertThat(r[0]).contains("search 0,search 1,search 1").doesNotContain("checkout").doesNotContain("cart");
    assertThat(r[1]).startsWith("2 of 3 data files");
  }

  @Test
  void untilIsExclusive() throws Exception {
    // file 2 is read; its row at exactly the bound (search 1, T0 + 1h + 1s) is not before it
    String[] r = query(new RowFilter(null, null, T0 + HOUR + 1_000_000), BODIES);

    assertThat(r[0]).contains("cart 1,checkout 0,checkout 0,checkout 2").doesNotContain("search");
    assertThat(r[1]).startsWith("2 of 3 data files");
  }

  @Test
  void filtersCombine() throws Exception {
    String[] r = query(new RowFilter("search", T0 + HOUR, T0 + 2 * HOUR + 1_000_000), "SELECT count(*) AS n FROM logs");

    // search 1 of file 2 and search 0 of file 3
    assertThat(r[0]).containsPattern("(?m)^2\\s*$");
    assertThat(r[1]).startsWith("2 of 3 data files");
  }

  @Test
  void noFilterReadsEverything() throws Exception {
    String[] r = query(RowFilter.NONE, "SELECT count(*) AS n FROM logs");

    assertThat(r[0]).containsPattern("(?m)^7\\s*$");
    assertThat(r[1]).startsWith("3 of 3 data files");
  }
}
