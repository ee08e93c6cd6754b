package io.telemetrylake.appender.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.iceberg.TableSetup;
import io.telemetrylake.appender.maintain.MaintenanceReport.PartitionResult;
import io.telemetrylake.appender.stage.FieldIds;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction against Iceberg's in-memory catalog and real DuckDB-written Parquet files, with a
 * concurrent commit slipped in right before the rewrite commit.
 */
class CompactionTest {
  private static final TableIdentifier ID = TableIdentifier.of(Namespace.of("otel"), "logs");
  private static final int DAY = 20_000;

  @TempDir Path tmp;
  private InMemoryCatalog catalog;
  private Table table;

  @BeforeEach
  void createTable() {
    catalog = new InMemoryCatalog();
    catalog.initialize("test", Map.of());
    table = TableSetup.ensureTable(catalog, ID);
  }

  @AfterEach
  void close() throws Exception {
    catalog.close();
  }

  /** One small file of {@code rows} rows, ids {@code name-0..}, uploaded and appended. */
  private DataFile appendFile(Table t, String name, int rows) throws Exception {
    Path local = tmp.resolve(name + ".parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT make_timestamptz(" + (DAY * 86_400_000_000L) + " + i) AS \"timestamp\","
          + " 'svc-' || (i % 3) AS service_name, 'row ' || i || ' ' || md5(i::VARCHAR) || md5((i * 7)::VARCHAR) || md5((i * 13)::VARCHAR) AS body,"
          + " MAP {'lake.id': '" + name + "-' || i} AS log_attributes FROM range(" + rows + ") t(i))"
          + " TO '" + local + "' (FORMAT parquet, FIELD_IDS " + FieldIds.clause(
              t.schema().select("timestamp", "service_name", "body", "log_attributes")) + ")");
    }
    PartitionData partition = new PartitionData(t.spec().partitionType());
    partition.set(0, DAY);
    String location = t.locationProvider().newDataLocation(t.spec(), partition, name + "-" + java.util.UUID.randomUUID() + ".parquet");
    try (OutputStream out = t.io().newOutputFile(location).create()) {
      Files.copy(local, out);
    }
    DataFile file = DataFiles.builder(t.spec())
        .withPath(location).withFormat(FileFormat.PARQUET).withFileSizeInBytes(Files.size(local))
        .withPartition(partition)
        .withMetrics(ParquetUtil.fileMetrics(org.apache.iceberg.Files.localInput(local.toFile()), MetricsConfig.forTable(t)))
        .build();
    t.newAppend().appendFile(file).commit();
    return file;
  }

  private List<String> ids() throws Exception {
    table.refresh();
    List<String> ids = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      for (Record r : rows) {
        ids.add(((Map<?, ?>) r.getField("log_attributes")).get("lake.id").toString());
      }
    }
    return ids;
  }

  private List<String> files() throws Exception {
    table.refresh();
    List<String> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> files.add(t.file().location()));
    }
    return files;
  }

  private List<PartitionResult> compact(CompactionHooks hooks, List<String> errors) {
    return new Compaction(tmp.resolve("work"), 256, hooks).run(table, 64L << 20, 2, false, errors);
  }

  @Test
  void rewritesSmallFilesIntoOneSortedFileWithTheSameRows() throws Exception {
    for (int i = 0; i < 4; i++) {
      appendFile(table, "f" + i, 50);
    }
    List<String> before = ids();
    List<String> errors = new ArrayList<>();

    List<PartitionResult> results = compact(CompactionHooks.NONE, errors);

    assertThat(errors).isEmpty();
    assertThat(results).singleElement().satisfies(p -> {
      assertThat(p.filesBefore()).isEqualTo(4);
      assertThat(p.filesAfter()).isEqualTo(1);
      assertThat(p.rowsRewritten()).isEqualTo(200);
      assertThat(p.outcome()).isEqualTo("rewritten");
    });
    assertThat(files()).singleElement().asString().contains("compacted-");
    assertThat(ids()).containsExactlyInAnyOrderElementsOf(before);
    List<String> services = new ArrayList<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      rows.forEach(r -> services.add((String) r.getField("service_name")));
    }
    assertThat(services).isSorted();
  }

  @Test
  void writesFilesWithDisjointServiceRangesSoAOneServiceQueryPrunes() throws Exception {
    long largest = 0;
    for (int i = 0; i < 6; i++) {
      largest = Math.max(largest, appendFile(table, "f" + i, 3000).fileSizeInBytes());
    }
    // two inputs fit a target: three groups, sorted together into about three files
    long target = largest * 22 / 10;
    Compaction compaction = new Compaction(tmp.resolve("work"), 256, CompactionHooks.NONE);
    List<String> errors = new ArrayList<>();

    List<PartitionResult> results = compaction.run(table, target, 2, false, errors);

    assertThat(errors).isEmpty();
    assertThat(results).singleElement().satisfies(p -> {
      assertThat(p.outcome()).isEqualTo("rewritten");
      assertThat(p.filesRewritten()).isEqualTo(6);
      assertThat(p.filesAfter()).as("%s", p).isGreaterThan(1);
    });
    assertThat(ids()).hasSize(18_000).doesNotHaveDuplicates();
    // sorted across the files: each file's service range starts where the previous one's ends
    int field = table.schema().findField("service_name").fieldId();
    List<String[]> ranges = new ArrayList<>();
    table.refresh();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
      for (FileScanTask t : tasks) {
        ranges.add(new String[] {
            Conversions.fromByteBuffer(Types.StringType.get(), t.file().lowerBounds().get(field)).toString(),
            Conversions.fromByteBuffer(Types.StringType.get(), t.file().upperBounds().get(field)).toString()});
      }
    }
    ranges.sort(java.util.Comparator.comparing((String[] r) -> r[0]).thenComparing(r -> r[1]));
    for (int i = 1; i < ranges.size(); i++) {
      assertThat(ranges.get(i)[0])
          .as(ranges.stream().map(r -> r[0] + ".." + r[1]).toList().toString())
          .isGreaterThanOrEqualTo(ranges.get(i - 1)[1]);
    }
    int selected = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan()
        .filter(org.apache.iceberg.expressions.Expressions.equal("service_name", "svc-1")).planFiles()) {
      for (FileScanTask t : tasks) {
        selected++;
      }
    }
    assertThat(selected).isLessThan(ranges.size());
  }

  @Test
  void mergesManySmallManifestsAndKeepsEveryFile() throws Exception {
    for (int i = 0; i < 12; i++) {
      appendFile(table, "m" + i, 5);
    }

    MaintenanceReport.ManifestResult result = new ManifestCompaction().run(table, false);

    assertThat(result.outcome()).isEqualTo("rewritten");
    assertThat(result.before()).isEqualTo(12);
    assertThat(result.after()).isLessThan(result.before());
    assertThat(files()).hasSize(12);
    assertThat(ids()).hasSize(60).doesNotHaveDuplicates();
  }

  @Test
  void anAppendCommittedDuringTheRewriteIsKeptAndTheRewriteStillLands() throws Exception {
    for (int i = 0; i < 3; i++) {
      appendFile(table, "f" + i, 20);
    }
    List<String> errors = new ArrayList<>();
    List<String> appended = new ArrayList<>();

    List<PartitionResult> results = compact(new CompactionHooks() {
      @Override
      public void beforeCommit() {
        try {
          // an appender's flush lands between the plan and the rewrite's commit
          appendFile(catalog.loadTable(ID), "late", 10);
          appended.add("late");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }, errors);

    assertThat(errors).isEmpty();
    assertThat(appended).hasSize(1);
    assertThat(results).singleElement().extracting(PartitionResult::outcome).isEqualTo("rewritten");
    assertThat(files()).hasSize(2).anyMatch(f -> f.contains("compacted-")).anyMatch(f -> f.contains("/late-"));
    assertThat(ids()).hasSize(70).doesNotHaveDuplicates();
  }

  @Test
  void givesUpCleanlyWhenAnotherCompactionReplacedTheSameFiles() throws Exception {
    List<DataFile> small = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      small.add(appendFile(table, "f" + i, 20));
    }
    List<String> errors = new ArrayList<>();

    List<PartitionResult> results = compact(new CompactionHooks() {
      @Override
      public void beforeCommit() {
        // another runner rewrote one of the inputs first
        Table other = catalog.loadTable(ID);
        try {
          DataFile replacement = appendFileWithoutCommit(other, small.get(0));
          other.newRewrite().deleteFile(small.get(0)).addFile(replacement).commit();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }, errors);

    assertThat(errors).isEmpty();
    assertThat(results).singleElement().extracting(PartitionResult::outcome).asString().startsWith("gave up");
    assertThat(files()).hasSize(3).noneMatch(f -> f.contains("compacted-"));
    assertThat(ids()).hasSize(60).doesNotHaveDuplicates();
    // nothing left in the local scratch directory either
    try (var listed = Files.list(tmp.resolve("work"))) {
      assertThat(listed.toList()).isEmpty();
    }
  }

  /** A copy of {@code file}'s content under a new name, not yet committed. */
  private static DataFile appendFileWithoutCommit(Table t, DataFile file) throws Exception {
    String location = file.location().replace(".parquet", "-copy.parquet");
    try (OutputStream out = t.io().newOutputFile(location).create();
        var in = t.io().newInputFile(file.location()).newStream()) {
      in.transferTo(out);
    }
    return DataFiles.builder(t.spec()).copy(file).withPath(location).build();
  }
}
