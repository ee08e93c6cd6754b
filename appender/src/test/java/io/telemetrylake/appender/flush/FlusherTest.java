package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.iceberg.TableOffsets;
import io.telemetrylake.appender.iceberg.TableSetup;
import io.telemetrylake.appender.stage.Batch;
import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.stage.LogStaging;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.testing.Samples;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real flush (DuckDB, Parquet, Iceberg metadata) into a table of a catalog on the local disk,
 * whose FileIO can be made to fail like an S3 outage and whose files can be listed.
 */
class FlusherTest {
  private static final String KEY = OffsetsSummary.key("g", "t");
  private static final TableIdentifier ID = TableIdentifier.of(Namespace.of("otel"), "logs");

  @TempDir Path staging;
  @TempDir Path warehouse;
  private HadoopCatalog catalog;
  private Table table;
  private LogStaging buffer;
  private UploadJournal journal;
  private Flusher flusher;
  private Slot slot;
  private Batch batch;
  private final List<LogRow> staged = new ArrayList<>();

  @BeforeEach
  void setUp() {
    LocalFileIO.failWrites = false;
    catalog = new HadoopCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("test", Map.of(
        CatalogProperties.WAREHOUSE_LOCATION, warehouse.toString(),
        CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName()));
    table = TableSetup.ensureTable(catalog, ID);
    buffer = StagingBuffer.open(staging, 256);
    slot = new Slot(buffer);
    batch = slot.batch();
    journal = UploadJournal.open(staging);
    flusher = newFlusher(table);
  }

  private Flusher newFlusher(Table t) {
    return new Flusher(
        new BatchCommitter(t, KEY, 3, Duration.ofMillis(1), () -> {}),
        journal, 128L << 20, FlushHooks.NONE, Clock.systemUTC(), "test-host");
  }

  @AfterEach
  void tearDown() throws Exception {
    LocalFileIO.failWrites = false;
    buffer.close();
    catalog.close();
  }

  private void stage(int partition, long offset, ExportLogsServiceRequest request) {
    List<LogRow> rows = LogRowMapper.toRows(request, 0L);
    buffer.beginRecord(partition);
    rows.forEach(buffer::append);
    staged.addAll(rows);
    batch.add(partition, offset, request.getSerializedSize(), rows.size(), Instant.now());
  }

  @Test
  void commitsTheStagedRowsSoIcebergReadsThemBackFieldByField() throws Exception {
    stage(0, 41, Samples.sampleRequest());
    stage(1, 7, Samples.sampleRequest());

    FlushOutcome result = flusher.flush(FlushTrigger.HTTP, slot, Map.of());

    assertThat(result).isInstanceOf(FlushOutcome.Committed.class);
    FlushOutcome.Committed committed = (FlushOutcome.Committed) result;
    assertThat(committed.offsets()).isEqualTo(Map.of(0, 42L, 1, 8L));
    assertThat(committed.phasesMs()).containsKeys("stage", "copy", "upload", "commit");
    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(committed.snapshotId());
    assertThat(table.currentSnapshot().summary())
        .containsEntry(KEY, "{\"0\":42,\"1\":8}")
        .containsEntry("telemetry-lake.trigger", "http");

    List<LogRow> read = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(r -> read.add(Samples.asRow(r)));
    }
    Comparator<LogRow> order = Comparator.comparingLong(LogRow::timestampMicros)
        .thenComparing(r -> String.valueOf(r.body())).thenComparing(r -> String.valueOf(r.serviceName()));
    assertThat(read.stream().sorted(order).toList()).containsExactlyElementsOf(
        staged.stream().map(Samples::normalized).sorted(order).toList());
    assertThat(journal.isEmpty()).isTrue();
    assertThat(Files.exists(staging.resolve("export"))
        && Files.list(staging.resolve("export")).findAny().isPresent()).isFalse();
  }

  @Test
  void describesEachFileWithPartitionMetricsAndSortOrder() throws Exception {
    stage(0, 0, Samples.sampleRequest());

    flusher.flush(FlushTrigger.SIZE, slot, Map.of());

    table.refresh();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
      List<DataFile> files = new ArrayList<>();
      tasks.forEach(t -> files.add(t.file()));
      assertThat(files).hasSize(2);
      for (DataFile f : files) {
        assertThat(f.recordCount()).isPositive();
        assertThat(f.sortOrderId()).isEqualTo(table.sortOrder().orderId());
        assertThat(f.partition().get(0, Integer.class)).isIn(20412, 20413);
        int tsId = table.schema().findField(LogTable.TIMESTAMP).fieldId();
        assertThat(f.lowerBounds()).containsKey(tsId);
        assertThat(f.nullValueCounts()).containsKey(tsId);
      }
    }
  }

  @Test
  void dropsAFencedBatchAndDeletesItsUploadedFiles() throws Exception {
    // another appender already committed partition 0 up to offset 100
    new BatchCommitter(catalog.loadTable(ID), KEY, 0, Duration.ZERO, () -> {})
        .commit(List.of(), Map.of(0, 100L), Map.of(), "other", Map.of());
    stage(0, 41, Samples.sampleRequest());

    FlushOutcome result = flusher.flush(FlushTrigger.REBALANCE, slot, Map.of());

    assertThat(result).isInstanceOf(FlushOutcome.Fenced.class);
    assertThat(((FlushOutcome.Fenced) result).recorded()).isEqualTo(Map.of(0, 100L));
    assertThat(LocalFileIO.dataFiles(warehouse)).isEmpty();
    assertThat(journal.isEmpty()).isTrue();
  }

  @Test
  void keepsTheRowsAndLeavesNoFilesWhenTheUploadFails() throws Exception {
    stage(0, 41, Samples.sampleRequest());
    LocalFileIO.failWrites = true;

    assertThatThrownBy(() -> flusher.flush(FlushTrigger.TIME, slot, Map.of()))
        .hasMessageContaining("simulated S3 outage");
    assertThat(buffer.countRows()).isEqualTo(staged.size());
    assertThat(journal.entries()).hasSize(1);

    LocalFileIO.failWrites = false;
    FlushOutcome result = flusher.flush(FlushTrigger.TIME, slot, Map.of());

    assertThat(result).isInstanceOf(FlushOutcome.Committed.class);
    assertThat(journal.isEmpty()).isTrue();
    table.refresh();
    List<String> referenced = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> referenced.add(t.file().location()));
    }
    assertThat(LocalFileIO.dataFiles(warehouse)).containsExactlyInAnyOrderElementsOf(referenced);
  }

  @Test
  void settlesAttemptsLeftOpenByACrashDeletingOnlyFilesThatCanNeverBeCommitted() throws Exception {
    stage(0, 1, Samples.sampleRequest());
    flusher.flush(FlushTrigger.HTTP, slot, Map.of());
    table.refresh();
    String committedId = table.currentSnapshot().summary().get(OffsetsSummary.COMMIT_ID_KEY);
    long current = table.currentSnapshot().snapshotId();
    String uuid = table.uuid().toString();
    Path crashed = dataFile("crashed");
    Path open = dataFile("open");
    Path legacy = dataFile("legacy");
    journal.add(UploadJournal.Entry.beforeRequest("crashed", 1, List.of(crashed.toString()), uuid));
    journal.add(UploadJournal.Entry.beforeRequest(committedId, 1, List.of("/kept"), uuid));
    // its request may still be applied: main is where it asserted
    journal.add(UploadJournal.Entry.beforeRequest("open", 1, List.of(open.toString()), uuid)
        .sending(uuid, current));
    // written by an older version: no table or base recorded
    journal.add(new UploadJournal.Entry("legacy", 1, List.of(legacy.toString()), null, null));

    UploadJournal reopened = UploadJournal.open(staging);
    assertThat(reopened.entries()).hasSize(4);
    newFlusherWith(reopened).settlePendingUploads();

    assertThat(Files.exists(crashed)).isFalse();
    assertThat(Files.exists(open)).isTrue();
    assertThat(Files.exists(legacy)).isTrue();
    assertThat(UploadJournal.open(staging).entries()).extracting(UploadJournal.Entry::commitId)
        .containsExactly("open");
    assertThat(TableOffsets.containsCommit(table, committedId)).isTrue();
  }

  private Path dataFile(String name) throws Exception {
    Path file = Path.of(java.net.URI.create(table.location()).getPath()).resolve("data/" + name + ".parquet");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "uploaded by an attempt left open");
    return file;
  }

  private Flusher newFlusherWith(UploadJournal j) {
    return new Flusher(new BatchCommitter(table, KEY, 3, Duration.ofMillis(1), () -> {}),
        j, 128L << 20, FlushHooks.NONE, Clock.systemUTC(), "test-host");
  }
}
