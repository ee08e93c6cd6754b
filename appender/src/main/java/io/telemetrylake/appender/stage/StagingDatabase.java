package io.telemetrylake.appender.stage;

import io.telemetrylake.signal.Signal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.duckdb.DuckDBConnection;

/**
 * One DuckDB instance for the staging buffers of every signal, each buffer an in-memory database of
 * its own attached to it. DuckDB's buffer manager holds their rows outside the Java heap and writes
 * them to {@code dir/tmp} on disk past the memory limit, so a large or stuck batch is bounded by
 * the disk, not by memory; no write-ahead log is written, because staging is disposable (the
 * committed offsets live in the table). Measured against a database file per buffer: 12-25 %
 * less staging time (docs/BENCHMARKS.md). The buffers share one memory limit: the buffer being
 * flushed may use what the one being filled does not need, where separate instances gave each a
 * fixed half and the COPY of a full batch spilled or ran out of memory in its half (measured,
 * docs/BENCHMARKS.md). The same holds between signals: with an instance per signal, an idle
 * signal's half sat unused while the busy one's freed blocks were given back to the OS for lack
 * of headroom and faulted in again. The instance closes with the last of its buffers.
 */
public final class StagingDatabase {
  /** True once the last buffer has closed the instance. */
  synchronized boolean isClosed() throws SQLException {
    return root.isClosed();
  }

  /** What a buffer does around closing its connection. */
  interface Release {
    Release NONE = new Release() {};

    default void beforeClose(DuckDBConnection connection) throws SQLException {}

    default void afterClose() {}
  }

  private final DuckDBConnection root;
  private int open;
  private int attached;

  private StagingDatabase(DuckDBConnection root) {
    this.root = root;
  }

  /**
   * An instance with {@code memoryLimitMb} for all of its buffers, spilling to {@code dir/tmp}
   * (emptied first).
   */
  public static StagingDatabase open(Path dir, long memoryLimitMb) {
    try {
      Files.createDirectories(dir);
      StagingBuffer.deleteRecursively(dir.resolve("tmp"));
      DuckDBConnection root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = root.createStatement()) {
        configure(s, memoryLimitMb, dir.resolve("tmp"));
      }
      return new StagingDatabase(root);
    } catch (SQLException e) {
      throw new StagingException("cannot open the staging database in " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the staging directory " + dir, e);
    }
  }

  static void configure(Statement s, long memoryLimitMb, Path tmp) throws SQLException {
    // The export builds its instants with make_timestamptz (no zone involved); UTC keeps any
    // zone-dependent expression a future export might use on the same instants.
    s.execute("SET TimeZone = 'UTC'");
    s.execute("SET memory_limit = '" + memoryLimitMb + "MB'");
    // Blocks come from DuckDB's own pool and freed ones are reused: every flush frees and then
    // re-fills the whole buffer, and through the general allocator a quarter of the appender's
    // page faults were those blocks being faulted in again, ~1 µs/record of kernel time on a
    // 2-core VM (docs/BENCHMARKS.md). What DuckDB counts against memory_limit is unchanged; it
    // keeps freed blocks only while they fit under it next to the live ones.
    s.execute("SET block_allocator_memory = '" + memoryLimitMb + "MB'");
    s.execute("SET temp_directory = '" + StagingBuffer.sqlString(tmp.toString()) + "'");
    // One DuckDB thread per instance: the COPY runs on the flush thread while the poll thread
    // stages, so both cores are busy anyway; a second DuckDB thread only split the sort and the
    // Parquet write into two shares that each buffered (and, for wide spans, spilled) their own.
    // Measured: logs -20 % appender CPU per record, spans 12.5 instead of 31.2 µs of COPY CPU
    // (docs/BENCHMARKS.md).
    s.execute("SET threads = 1");
    // No checkpoint on commit: an in-memory database's checkpoint only re-compresses the staged
    // row groups, which the next flush deletes anyway (3 % of the appender's CPU, measured,
    // docs/BENCHMARKS.md); clear() checkpoints after its DELETE to give the memory back.
    s.execute("SET checkpoint_threshold = '1TB'");
  }

  /**
   * A fresh staging buffer of {@code signal} with its export directory in {@code dir} (files an
   * earlier run left there are deleted), attached to this instance; its own connection, so one
   * thread may stage into it while another flushes a sibling.
   */
  public synchronized StagingBuffer buffer(Signal<?> signal, Path dir) {
    String alias = "staging_" + ++attached;
    try {
      StagingBuffer.prepare(dir);
      DuckDBConnection connection = root.duplicate();
      try (Statement s = connection.createStatement()) {
        s.execute("ATTACH ':memory:' AS " + alias);
        s.execute("USE " + alias);
        s.execute("SET TimeZone = 'UTC'");
      }
      StagingBuffer buffer = StagingBuffer.layout(signal, dir, connection);
      buffer.onClose(new Release() {
        @Override
        public void beforeClose(DuckDBConnection c) throws SQLException {
          try (Statement s = c.createStatement()) {
            s.execute("USE memory");
            s.execute("DETACH " + alias);
          }
        }

        @Override
        public void afterClose() {
          released();
        }
      });
      open++;
      return buffer;
    } catch (SQLException e) {
      throw new StagingException("cannot open the staging database in " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the staging directory " + dir, e);
    }
  }

  private synchronized void released() {
    if (--open == 0) {
      try {
        root.close();
      } catch (SQLException e) {
        throw new StagingException("cannot close the staging database", e);
      }
    }
  }
}
