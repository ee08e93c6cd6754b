package io.telemetrylake.appender.stage;

import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.table.TableDefinition;
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
import org.duckdb.DuckDBConnection;

/**
 * The rows waiting for the next flush, in a DuckDB database outside the Java heap that spills to
 * disk past its memory limit ({@link StagingDatabase}).
 * What every signal's staging shares: the database, clearing and dropping partitions, counting,
 * and the export loop (one COPY per day). The tables, how a Kafka record is appended and the COPY
 * are the signal's ({@link LogStaging}, {@link SpanStaging}).
 *
 * <p>Staging is disposable: the committed offsets live in the Iceberg table, so whatever a
 * stopped appender held is consumed again. Used by one thread at a time: the poll loop
 * while it stages, its flush thread after {@link #seal()} (DuckDB's appenders are confined to the
 * thread that creates them, so they are created on first use).
 */
public abstract class StagingBuffer implements AutoCloseable {
  /** The database file of versions that staged on disk; deleted at start-up if found. */
  static final String DATABASE_FILE = "staging.duckdb";
  static final long MICROS_PER_DAY = 86_400_000_000L;

  protected final Path dir;
  protected final DuckDBConnection connection;
  /** Run on the buffer's connection before it closes (detaches a shared database's file). */
  private StagingDatabase.Release release = StagingDatabase.Release.NONE;
  /** True while a transaction of {@link #beginStaging()} is open. */
  private boolean staging;

  protected StagingBuffer(Path dir, DuckDBConnection connection) {
    this.dir = dir;
    this.connection = connection;
  }

  /** A logs staging buffer; see {@link #open(Signal, Path, long)}. */
  public static LogStaging open(Path dir, long memoryLimitMb) {
    return (LogStaging) open(Signals.LOGS, dir, memoryLimitMb);
  }

  /**
   * Opens a fresh staging buffer for {@code signal} in {@code dir} (created if missing; what an
   * earlier run staged or exported there is deleted, other files are left alone), in a DuckDB
   * instance of its own (in memory, spilling to {@code dir/tmp}). The appender's buffers share
   * one instance per signal instead ({@link StagingDatabase}).
   *
   * @param memoryLimitMb DuckDB's memory limit; larger sorts spill to {@code dir/tmp}
   */
  public static StagingBuffer open(Signal<?> signal, Path dir, long memoryLimitMb) {
    try {
      prepare(dir);
      DuckDBConnection connection =
          (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = connection.createStatement()) {
        StagingDatabase.configure(s, memoryLimitMb, dir.resolve("tmp"));
      }
      return layout(signal, dir, connection);
    } catch (SQLException e) {
      throw new StagingException("cannot open the staging database in " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the staging directory " + dir, e);
    }
  }

  /**
   * Creates {@code dir} and deletes what an earlier run left there: spill files ({@code tmp/}),
   * an export, and the database file of versions that staged in one.
   */
  static void prepare(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : List.of(DATABASE_FILE, DATABASE_FILE + ".wal")) {
      Files.deleteIfExists(dir.resolve(name));
    }
    deleteRecursively(dir.resolve("tmp"));
    deleteRecursively(dir.resolve(ParquetExport.EXPORT_DIR));
  }

  /** Creates the signal's staging tables on {@code connection} (its current database). */
  static StagingBuffer layout(Signal<?> signal, Path dir, DuckDBConnection connection) throws SQLException {
    List<String> ddl;
    StagingBuffer buffer;
    if (signal == Signals.LOGS) {
      ddl = LogStaging.DDL;
      buffer = new LogStaging(dir, connection);
    } else if (signal == Signals.TRACES) {
      ddl = SpanStaging.DDL;
      buffer = new SpanStaging(dir, connection);
    } else {
      throw new IllegalArgumentException("no staging layout for signal " + signal.name());
    }
    try (Statement s = connection.createStatement()) {
      for (String statement : ddl) {
        s.execute(statement);
      }
    }
    return buffer;
  }

  void onClose(StagingDatabase.Release release) {
    this.release = release;
  }

  public Path dir() {
    return dir;
  }

  /**
   * Decodes one Kafka record value of {@code partition} whole, then stages its rows: a value that
   * does not decode stages nothing.
   *
   * @param fallbackTimeMicros the rows' time when the OTLP items carry none
   * @return the rows staged
   */
  public abstract int stage(int partition, byte[] value, long fallbackTimeMicros) throws OtlpDecodeException;

  /** The table this staging is shaped for: what the COPY sorts by and writes. */
  public abstract TableDefinition definition();

  /** The staging tables; the first holds one row per table row, with {@code day} and {@code kafka_partition}. */
  protected abstract List<String> tables();

  /** Writes what the appenders buffer into their tables. */
  protected abstract void flushAppenderBuffers() throws SQLException;

  /** Closes the appenders (the next append opens new ones on the calling thread). */
  protected abstract void closeAppenders() throws SQLException;

  /**
   * Opens the transaction the appenders stage in until {@link #seal()} (or a clear or close).
   * DuckDB's Java appender runs an {@code INSERT} per 2,048-row chunk; in autocommit mode each
   * one committed, which copied its rows a second time from the transaction's storage into the
   * table and let the commit start an in-memory checkpoint. One transaction per filling hands
   * the table its row groups whole at the commit (docs/BENCHMARKS.md).
   */
  protected final void beginStaging() throws SQLException {
    if (!staging) {
      try (Statement s = connection.createStatement()) {
        s.execute("BEGIN TRANSACTION");
      }
      staging = true;
    }
  }

  /** Closes the appenders and commits what they staged. */
  private void endStaging() throws SQLException {
    closeAppenders();
    if (staging) {
      staging = false;
      try (Statement s = connection.createStatement()) {
        s.execute("COMMIT");
      } catch (SQLException e) {
        // a failed append aborted the transaction: it must end before the connection is reused
        try (Statement s = connection.createStatement()) {
          s.execute("ROLLBACK");
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
    }
  }

  /** Forgets any per-resource state kept between appends (the resource's rows may be gone). */
  protected abstract void forgetResource();

  /** The COPY writing one day's rows to Parquet under {@code target}, sorted, with field ids. */
  protected abstract String copyDay(int day, Path target, Schema exportSchema, long targetFileBytes);

  /** The written columns as the table defines them (field ids from the table). */
  protected abstract Schema exportSchema(Schema tableSchema);

  private String rowsTable() {
    return tables().get(0);
  }

  /** Makes every appended row visible to queries (the appenders buffer up to a chunk). */
  void flushAppenders() {
    try {
      flushAppenderBuffers();
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
      endStaging();
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
      for (String table : tables()) {
        s.execute("DELETE FROM " + table + " WHERE kafka_partition IN (" + list + ")");
      }
    } catch (SQLException e) {
      throw new StagingException("cannot drop staged rows of partitions " + partitions, e);
    }
    forgetResource();
  }

  /** Empties the buffer after a commit. */
  public void clear() {
    try {
      endStaging();
      try (Statement s = connection.createStatement()) {
        for (String table : tables()) {
          s.execute("DELETE FROM " + table);
        }
        // a DELETE only marks rows; the checkpoint gives their memory (and spill blocks) back
        s.execute("CHECKPOINT");
      }
    } catch (SQLException e) {
      throw new StagingException("cannot clear the staging tables", e);
    }
    forgetResource();
  }

  /** Rows now in the staging table (appended ones included). */
  public long countRows() {
    flushAppenders();
    return queryLong("SELECT count(*) FROM " + rowsTable());
  }

  /** The distinct {@code day(timestamp)} values (days since 1970-01-01 UTC) of the staged rows. */
  List<Integer> days() {
    List<Integer> days = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT DISTINCT day FROM " + rowsTable() + " ORDER BY day")) {
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
   * per day ({@link #copyDay}).
   *
   * @param tableSchema the table's current schema (field ids)
   * @throws IllegalStateException when the files do not hold exactly the staged rows
   */
  public List<ExportedFile> export(String name, long targetFileBytes, Schema tableSchema) {
    Schema schema = exportSchema(tableSchema);
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
          String copy = copyDay(day, root.resolve("day=" + day), schema, targetFileBytes);
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

  /**
   * Copies the staged tables into a new DuckDB database file, to inspect a batch or run its COPY
   * again ({@code benchmarks/run.sh copy}).
   */
  public void saveTo(Path file) {
    seal(); // ATTACH and COPY FROM DATABASE read committed rows, outside the staging transaction
    try (Statement s = connection.createStatement()) {
      String current;
      try (ResultSet rs = s.executeQuery("SELECT current_database()")) {
        rs.next();
        current = rs.getString(1);
      }
      s.execute("ATTACH '" + sqlString(file.toString()) + "' AS saved_staging");
      try {
        s.execute("COPY FROM DATABASE " + current + " TO saved_staging");
      } finally {
        s.execute("DETACH saved_staging");
      }
    } catch (SQLException e) {
      throw new StagingException("cannot save the staged tables to " + file, e);
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

  @Override
  public void close() {
    try {
      endStaging();
      release.beforeClose(connection);
      connection.close();
    } catch (SQLException e) {
      throw new StagingException("cannot close the staging database", e);
    } finally {
      release.afterClose();
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
