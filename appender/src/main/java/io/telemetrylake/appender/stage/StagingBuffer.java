package io.telemetrylake.appender.stage;

import io.telemetrylake.table.LogRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.Schema;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The rows waiting for the next flush, in a DuckDB database file on disk (not on the Java heap).
 *
 * <p>Layout, chosen by measurement (see the README and {@code benchmarks/run.sh staging}): the values every
 * row of one resource and scope shares go once per Kafka record into {@code resources}; each log
 * record goes into {@code rows} with its resource's id. Attribute maps are JSON text and trace/span
 * ids UUID/BIGINT, because the DuckDB appender writes every string of 12 bytes or more with a native
 * call, and MAP values element by element; {@link ParquetExport} turns both back at COPY time,
 * after the sort (see docs/BENCHMARKS.md for the measured alternatives).
 *
 * <p>Staging is disposable: the committed offsets live in the Iceberg table, so the file is wiped
 * at start-up and whatever it held is consumed again. Used by one thread at a time: the poll loop
 * while it stages, its flush thread after {@link #seal()} (DuckDB's appenders are confined to the
 * thread that creates them, so they are created on first use).
 */
public final class StagingBuffer implements AutoCloseable {
  public static final String DATABASE_FILE = "staging.duckdb";
  static final long MICROS_PER_DAY = 86_400_000_000L;

  private final Path dir;
  private final DuckDBConnection connection;
  private DuckDBAppender resources;
  private DuckDBAppender rows;
  private long nextResourceId = 1;
  private int partition;
  private LogRow lastResourceRow;
  private long lastResourceId;

  private StagingBuffer(Path dir, DuckDBConnection connection) {
    this.dir = dir;
    this.connection = connection;
  }

  /**
   * Opens a fresh staging database in {@code dir} (created if missing; an earlier database there
   * is deleted, other files are left alone).
   *
   * @param memoryLimitMb DuckDB's memory limit; larger sorts spill to {@code dir/tmp}
   */
  public static StagingBuffer open(Path dir, long memoryLimitMb) {
    try {
      Files.createDirectories(dir);
      for (String name : List.of(DATABASE_FILE, DATABASE_FILE + ".wal")) {
        Files.deleteIfExists(dir.resolve(name));
      }
      deleteRecursively(dir.resolve("tmp"));
      deleteRecursively(dir.resolve(ParquetExport.EXPORT_DIR));
      DuckDBConnection connection =
          (DuckDBConnection)
              DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(DATABASE_FILE));
      try (Statement s = connection.createStatement()) {
        // Parquet timestamps are UTC instants: cast naive micros to TIMESTAMPTZ in UTC.
        s.execute("SET TimeZone = 'UTC'");
        s.execute("SET memory_limit = '" + memoryLimitMb + "MB'");
        s.execute("SET temp_directory = '" + sqlString(dir.resolve("tmp").toString()) + "'");
        s.execute(
            "CREATE TABLE resources (kafka_partition INTEGER, id BIGINT, service_name VARCHAR,"
                + " deployment_environment VARCHAR, host_name VARCHAR,"
                + " resource_attributes VARCHAR, scope_attributes VARCHAR, scope_name VARCHAR,"
                + " scope_version VARCHAR, resource_schema_url VARCHAR, scope_schema_url VARCHAR)");
        s.execute(
            "CREATE TABLE rows (kafka_partition INTEGER, resource_id BIGINT, day INTEGER,"
                + " ts BIGINT, observed_ts BIGINT, severity_number INTEGER,"
                + " severity_text VARCHAR, body VARCHAR, trace_id UUID, trace_id_text VARCHAR,"
                + " span_id BIGINT, span_id_text VARCHAR, trace_flags INTEGER,"
                + " event_name VARCHAR, log_attributes VARCHAR, dropped_attributes_count INTEGER)");
      }
      return new StagingBuffer(dir, connection);
    } catch (SQLException e) {
      throw new StagingException("cannot open the staging database in " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the staging directory " + dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The rows that follow belong to one Kafka record of {@code partition}. */
  public void beginRecord(int partition) {
    this.partition = partition;
    // resource rows are never shared across records, so dropping a partition never orphans a row
    this.lastResourceRow = null;
  }

  public void append(LogRow row) {
    try {
      if (rows == null) {
        openAppenders();
      }
      long resourceId = resourceIdFor(row);
      DuckDBAppender a = rows;
      a.beginRow()
          .append(partition)
          .append(resourceId)
          .append((int) Math.floorDiv(row.timestampMicros(), MICROS_PER_DAY))
          .append(row.timestampMicros())
          .append(row.observedTimestampMicros())
          .append(row.severityNumber())
          .append(row.severityText())
          .append(row.body());
      String traceId = row.traceId();
      if (HexIds.isCanonical(traceId, HexIds.TRACE_HEX_LENGTH)) {
        a.appendUUID(HexIds.parseLong(traceId, 0), HexIds.parseLong(traceId, 16)).appendNull();
      } else {
        a.appendNull().append(traceId);
      }
      String spanId = row.spanId();
      if (HexIds.isCanonical(spanId, HexIds.SPAN_HEX_LENGTH)) {
        a.append(HexIds.parseLong(spanId, 0)).appendNull();
      } else {
        a.appendNull().append(spanId);
      }
      a.append(row.traceFlags())
          .append(row.eventName())
          .append(MapJson.encode(row.logAttributes()))
          .append(row.droppedAttributesCount())
          .endRow();
    } catch (SQLException e) {
      throw new StagingException("cannot append a row to the staging table", e);
    }
  }

  /** Reuses the previous resource row while the row shares all of its (identical) objects. */
  private long resourceIdFor(LogRow row) throws SQLException {
    LogRow last = lastResourceRow;
    if (last != null
        && last.resourceAttributes() == row.resourceAttributes()
        && last.scopeAttributes() == row.scopeAttributes()
        && last.serviceName() == row.serviceName()
        && last.deploymentEnvironment() == row.deploymentEnvironment()
        && last.hostName() == row.hostName()
        && last.scopeName() == row.scopeName()
        && last.scopeVersion() == row.scopeVersion()
        && last.resourceSchemaUrl() == row.resourceSchemaUrl()
        && last.scopeSchemaUrl() == row.scopeSchemaUrl()) {
      return lastResourceId;
    }
    long id = nextResourceId++;
    resources
        .beginRow()
        .append(partition)
        .append(id)
        .append(row.serviceName())
        .append(row.deploymentEnvironment())
        .append(row.hostName())
        .append(MapJson.encode(row.resourceAttributes()))
        .append(MapJson.encode(row.scopeAttributes()))
        .append(row.scopeName())
        .append(row.scopeVersion())
        .append(row.resourceSchemaUrl())
        .append(row.scopeSchemaUrl())
        .endRow();
    lastResourceRow = row;
    lastResourceId = id;
    return id;
  }

  /** Makes every appended row visible to queries (the appenders buffer up to a chunk). */
  void flushAppenders() {
    if (rows == null) {
      return;
    }
    try {
      resources.flush();
      rows.flush();
    } catch (SQLException e) {
      throw new StagingException("cannot flush the staging appenders", e);
    }
  }

  /**
   * Writes out and closes the appenders, so that another thread may use this buffer next (a
   * flush): DuckDB's appenders belong to the thread that created them. The next append opens new
   * ones.
   */
  public void seal() {
    try {
      closeAppenders();
    } catch (SQLException e) {
      throw new StagingException("cannot flush the staging appenders", e);
    }
  }

  /** Deletes the staged rows of these partitions (lost, revoked or fenced). */
  public void dropPartitions(Collection<Integer> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    flushAppenders();
    String list = partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
    try (Statement s = connection.createStatement()) {
      s.execute("DELETE FROM rows WHERE kafka_partition IN (" + list + ")");
      s.execute("DELETE FROM resources WHERE kafka_partition IN (" + list + ")");
    } catch (SQLException e) {
      throw new StagingException("cannot drop staged rows of partitions " + partitions, e);
    }
    lastResourceRow = null;
  }

  /** Empties the buffer after a commit. */
  public void clear() {
    try {
      closeAppenders();
      try (Statement s = connection.createStatement()) {
        s.execute("DELETE FROM rows");
        s.execute("DELETE FROM resources");
        // give the space back to the file's free list now rather than at some later checkpoint
        s.execute("CHECKPOINT");
      }
    } catch (SQLException e) {
      throw new StagingException("cannot clear the staging tables", e);
    }
    lastResourceRow = null;
  }

  /** Rows now in the staging table (appended ones included). */
  public long countRows() {
    flushAppenders();
    return queryLong("SELECT count(*) FROM rows");
  }

  /** The distinct {@code day(timestamp)} values (days since 1970-01-01 UTC) of the staged rows. */
  List<Integer> days() {
    List<Integer> days = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT DISTINCT day FROM rows ORDER BY day")) {
      while (rs.next()) {
        days.add(rs.getInt(1));
      }
    } catch (SQLException e) {
      throw new StagingException("cannot list the staged days", e);
    }
    return days;
  }

  /**
   * Writes every staged row to Parquet under {@code <staging>/export/<name>/day=<d>/}, one COPY
   * per day ({@link ParquetExport}).
   *
   * @param tableSchema the table's current schema (field ids)
   * @throws IllegalStateException when the files do not hold exactly the staged rows
   */
  public List<ExportedFile> export(String name, long targetFileBytes, Schema tableSchema) {
    Schema schema = ParquetExport.exportSchema(tableSchema);
    flushAppenders();
    Path root = dir.resolve(ParquetExport.EXPORT_DIR).resolve(name);
    List<ExportedFile> files = new ArrayList<>();
    try {
      deleteRecursively(root);
      Files.createDirectories(root);
      long staged = countRows();
      long written = 0;
      try (Statement s = connection.createStatement()) {
        for (int day : days()) {
          String copy = ParquetExport.copyDay(day, root.resolve("day=" + day), schema, targetFileBytes);
          try (ResultSet rs = s.executeQuery(copy)) {
            while (rs.next()) {
              long count = rs.getLong("count");
              files.add(new ExportedFile(
                  Path.of(rs.getString("filename")), day, count, rs.getLong("file_size_bytes")));
              written += count;
            }
          }
        }
      }
      if (written != staged) {
        throw new IllegalStateException(
            "Parquet export wrote " + written + " rows but " + staged + " are staged");
      }
      return files;
    } catch (SQLException e) {
      throw new StagingException("cannot write the staged rows as Parquet", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the export directory " + root, e);
    }
  }

  /** Removes the local files of an export once they are uploaded (or abandoned). */
  public void deleteExport(String name) {
    try {
      deleteRecursively(dir.resolve(ParquetExport.EXPORT_DIR).resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the local export " + name, e);
    }
  }

  private long queryLong(String sql) {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new StagingException("staging query failed: " + sql, e);
    }
  }

  private void openAppenders() throws SQLException {
    resources = connection.createAppender("main", "resources");
    rows = connection.createAppender("main", "rows");
  }

  private void closeAppenders() throws SQLException {
    if (rows != null) {
      rows.close();
      rows = null;
    }
    if (resources != null) {
      resources.close();
      resources = null;
    }
  }

  @Override
  public void close() {
    try {
      closeAppenders();
      connection.close();
    } catch (SQLException e) {
      throw new StagingException("cannot close the staging database", e);
    }
  }

  static String sqlString(String s) {
    return s.replace("'", "''");
  }

  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
