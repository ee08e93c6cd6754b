package io.telemetrylake.appender.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.testing.Samples;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingDatabaseTest {
  @TempDir Path dir;

  @Test
  void buffersOfOneInstanceShareItsMemoryLimitAndKeepTheirRowsApart() throws Exception {
    StagingDatabase db = StagingDatabase.open(dir, 300);
    StagingBuffer first = db.buffer(Signals.LOGS, dir.resolve("buffer-1"));
    StagingBuffer second = db.buffer(Signals.LOGS, dir.resolve("buffer-2"));
    try {
      int perRecord = LogRowMapper.toRows(Samples.sampleRequest(), 0).size();
      stage(first, 0);
      stage(first, 1);
      stage(second, 2);

      assertThat(first.countRows()).isEqualTo(2L * perRecord);
      assertThat(second.countRows()).isEqualTo(perRecord);
      assertThat(memoryLimit(first)).isEqualTo(memoryLimit(second)).startsWith("286");
      // freed blocks are kept for reuse, up to the memory limit
      assertThat(setting(first, "block_allocator_memory")).isEqualTo(setting(second, "block_allocator_memory"))
          .startsWith("286");
      // one DuckDB thread: the COPY shares the machine with the poll thread's staging
      assertThat(setting(first, "threads")).isEqualTo(setting(second, "threads")).isEqualTo("1");
      // in memory, no database file or write-ahead log on disk
      assertThat(dir.resolve("buffer-1").resolve(StagingBuffer.DATABASE_FILE)).doesNotExist();
      assertThat(dir.resolve("buffer-1").resolve(StagingBuffer.DATABASE_FILE + ".wal")).doesNotExist();

      // one buffer is exported on another thread while the other stages and clears
      first.seal();
      CompletableFuture<List<ExportedFile>> export =
          CompletableFuture.supplyAsync(() -> first.export("e", 128L << 20, LogTable.SCHEMA));
      for (int i = 0; i < 20; i++) {
        stage(second, 3);
      }
      second.clear();
      assertThat(export.join().stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(2L * perRecord);
      assertThat(second.countRows()).isZero();
      assertThat(first.countRows()).isEqualTo(2L * perRecord);
    } finally {
      first.close();
      assertThat(db.isClosed()).isFalse();
      second.close();
    }
    assertThat(db.isClosed()).isTrue();
  }

  @Test
  void buffersOfBothSignalsLiveInOneInstanceUnderOneMemoryLimit() throws Exception {
    StagingDatabase db = StagingDatabase.open(dir, 300);
    StagingBuffer logs = db.buffer(Signals.LOGS, dir.resolve("buffer-1"));
    StagingBuffer spans = db.buffer(Signals.TRACES, dir.resolve("traces").resolve("buffer-1"));
    try {
      stage(logs, 0);

      // each connection sees both attached buffers: one DuckDB instance, not one per signal
      assertThat(attachedBuffers(logs)).isEqualTo(attachedBuffers(spans)).isEqualTo(2);
      assertThat(memoryLimit(logs)).isEqualTo(memoryLimit(spans)).startsWith("286");
      assertThat(logs.countRows()).isEqualTo(LogRowMapper.toRows(Samples.sampleRequest(), 0).size());
      assertThat(spans.countRows()).isZero();
    } finally {
      logs.close();
      assertThat(db.isClosed()).isFalse();
      spans.close();
    }
    assertThat(db.isClosed()).isTrue();
  }

  private static long attachedBuffers(StagingBuffer buffer) throws Exception {
    try (Statement s = buffer.connection.createStatement();
        ResultSet r = s.executeQuery(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name LIKE 'staging_%'")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void aReopenedBufferStartsEmptyAndTheSpillDirectoryIsEmptied() throws Exception {
    Files.createDirectories(dir.resolve("tmp"));
    Files.writeString(dir.resolve("tmp").resolve("leftover.block"), "x");
    StagingDatabase db = StagingDatabase.open(dir, 128);
    assertThat(dir.resolve("tmp").resolve("leftover.block")).doesNotExist();
    try (StagingBuffer buffer = db.buffer(Signals.LOGS, dir.resolve("buffer-1"))) {
      stage(buffer, 0);
      buffer.flushAppenders();
    }
    StagingDatabase again = StagingDatabase.open(dir, 128);
    try (StagingBuffer buffer = again.buffer(Signals.LOGS, dir.resolve("buffer-1"))) {
      assertThat(buffer.countRows()).isZero();
    }
  }

  @Test
  void rowsPastTheMemoryLimitSpillToDiskAndClearGivesTheirSpaceBack() throws Exception {
    StagingDatabase db = StagingDatabase.open(dir, 64);
    try (StagingBuffer buffer = db.buffer(Signals.LOGS, dir.resolve("buffer-1"))) {
      int perRecord = LogRowMapper.toRows(Samples.bulkRequest(200, 1_000), 0).size();
      long records = 0;
      while (bytes(dir.resolve("tmp")) < 64L << 20) {
        stageBulk(buffer, (int) (records++ % 12));
        buffer.flushAppenders();
        assertThat(records).as("staged well past the memory limit without spilling").isLessThan(2_000);
      }
      assertThat(inMemoryTable(buffer, "memory_usage_bytes")).isLessThanOrEqualTo(64L << 20);
      assertThat(buffer.countRows()).isEqualTo(records * perRecord);

      buffer.clear();

      assertThat(buffer.countRows()).isZero();
      assertThat(inMemoryTable(buffer, "memory_usage_bytes") + inMemoryTable(buffer, "temporary_storage_bytes"))
          .as("staged bytes held after clear").isLessThan(1L << 20);
    }
  }

  private static long bytes(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static long inMemoryTable(StagingBuffer buffer, String column) throws Exception {
    try (Statement s = buffer.connection.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT coalesce(sum(" + column + "), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aBufferCommitsWhatItStagedWhenSealedNotChunkByChunk() throws Exception {
    StagingDatabase db = StagingDatabase.open(dir, 300);
    StagingBuffer buffer = db.buffer(Signals.LOGS, dir.resolve("buffer-1"));
    try (DuckDBConnection other = buffer.connection.duplicate();
        Statement s = other.createStatement()) {
      String table = database(buffer) + ".rows";
      for (KafkaRecord r : Signals.LOGS.splitter(10_000_000).split(Samples.bulkRequest(25_000, 20)).records()) {
        buffer.stage(0, r.value(), 0);
      }
      long staged = buffer.countRows();
      // many of the Java appender's 2,048-row chunks, all in the buffer's one open transaction
      assertThat(staged).isGreaterThan(10 * 2048L);
      assertThat(count(s, table)).isZero();

      buffer.seal();
      assertThat(count(s, table)).isEqualTo(staged);

      // staging again after the seal opens the next transaction; clear commits and empties it
      stage(buffer, 1);
      assertThat(count(s, table)).isEqualTo(staged);
      buffer.clear();
      assertThat(count(s, table)).isZero();
      // that commit does not start an in-memory checkpoint: clear() runs its own
      assertThat(setting(buffer, "checkpoint_threshold")).isEqualTo("931.3 GiB"); // 1 TB
    } finally {
      buffer.close();
    }
  }

  private static String database(StagingBuffer buffer) throws Exception {
    try (Statement s = buffer.connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(Statement s, String table) throws Exception {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void stageBulk(StagingBuffer buffer, int partition) throws Exception {
    for (KafkaRecord r : Signals.LOGS.splitter(10_000_000).split(Samples.bulkRequest(200, 1_000)).records()) {
      buffer.stage(partition, r.value(), 0);
    }
  }

  /** Stages the sample request as the ingester's Kafka records of one partition. */
  private static void stage(StagingBuffer buffer, int partition) throws Exception {
    for (KafkaRecord r : Signals.LOGS.splitter(1_000_000).split(Samples.sampleRequest()).records()) {
      buffer.stage(partition, r.value(), 0);
    }
  }

  private static String setting(StagingBuffer buffer, String name) throws Exception {
    try (Statement s = buffer.connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String memoryLimit(StagingBuffer buffer) throws Exception {
    try (Statement s = buffer.connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('memory_limit')")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
