package io.telemetrylake.appender.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.table.LogTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.RESTException;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against Iceberg's in-memory catalog: real table metadata and real optimistic commits. */
class BatchCommitterTest {
  private static final String KEY = OffsetsSummary.key("group", "topic");
  private static final TableIdentifier ID = TableIdentifier.of(Namespace.of("otel"), "logs");

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

  private BatchCommitter committer(Table t) {
    return new BatchCommitter(t, KEY, 3, Duration.ofMillis(1), () -> {});
  }

  /** A committer on {@code t} that runs {@code concurrent} between its first check and commit. */
  private static BatchCommitter slippingIn(Table t, Runnable onConflictRetry, Runnable concurrent) {
    AtomicInteger attempts = new AtomicInteger();
    return new BatchCommitter(t, KEY, 3, Duration.ofMillis(1), onConflictRetry, () -> {
      if (attempts.incrementAndGet() == 1) {
        concurrent.run();
      }
    });
  }

  private static List<DataFile> oneFile(Table t, String name) {
    PartitionData partition = new PartitionData(t.spec().partitionType());
    partition.set(0, 20_000);
    return List.of(DataFiles.builder(t.spec())
        .withPath(t.location() + "/data/" + name + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withRecordCount(3)
        .withPartition(partition)
        .build());
  }

  @Test
  void aCatalogThatGoesDownRightAfterTheCommitDoesNotMakeTheCommitLookFailed() {
    // refreshes fail once the commit has gone through, as when the catalog dies a moment later
    CatalogDownAfterCommit ops = new CatalogDownAfterCommit(((HasTableOperations) table).operations());
    Table flaky = new BaseTable(ops, table.name());

    BatchCommitter.Outcome outcome =
        committer(flaky).commit(oneFile(table, "a"), Map.of(0, 5L), Map.of(), "attempt-1", Map.of());

    assertThat(ops.committed).isTrue();
    assertThat(outcome).isInstanceOf(BatchCommitter.Committed.class);
    table.refresh();
    assertThat(((BatchCommitter.Committed) outcome).snapshotId())
        .isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(TableOffsets.containsCommit(table, "attempt-1")).isTrue();
  }

  /** The real operations, except that {@code refresh()} fails after a commit. */
  private static final class CatalogDownAfterCommit extends ForwardingTableOperations {
    volatile boolean committed;

    CatalogDownAfterCommit(TableOperations delegate) {
      super(delegate);
    }

    @Override
    public TableMetadata refresh() {
      if (committed) {
        throw new RESTException("Error occurred while processing GET request (catalog down)");
      }
      return delegate.refresh();
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      delegate.commit(base, metadata);
      committed = true;
    }
  }

  @Test
  void createsTheTableWithTheLogSchemaAndLeavesIcebergRetriesToOtherWriters() {
    assertThat(table.schema().columns())
        .extracting(f -> f.name() + ":" + f.type())
        .containsExactlyElementsOf(LogTable.SCHEMA.columns().stream().map(f -> f.name() + ":" + f.type()).toList());
    assertThat(table.spec().compatibleWith(LogTable.partitionSpec())).isTrue();
    assertThat(table.sortOrder().sameOrder(LogTable.sortOrder())).isTrue();
    assertThat(table.properties()).doesNotContainKey(TableProperties.COMMIT_NUM_RETRIES);
  }

  @Test
  void removesTheNoRetryPropertyEarlierVersionsSetOnTheTable() {
    table.updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "0").commit();

    Table again = TableSetup.ensureTable(catalog, ID);

    assertThat(again.properties()).doesNotContainKey(TableProperties.COMMIT_NUM_RETRIES);
  }

  @Test
  void keepsAnOperatorsOwnRetrySetting() {
    table.updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "7").commit();

    Table again = TableSetup.ensureTable(catalog, ID);

    assertThat(again.properties()).containsEntry(TableProperties.COMMIT_NUM_RETRIES, "7");
  }

  @Test
  void sendsOneRequestPerAttemptAlthoughTheTableAllowsIcebergRetries() {
    table.updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "4").commit();
    CountingOps ops = new CountingOps(((HasTableOperations) table).operations());
    Table counted = new BaseTable(ops, table.name());
    BatchCommitter other = committer(catalog.loadTable(ID));
    BatchCommitter mine = slippingIn(counted, () -> {}, () -> {
      other.commit(oneFile(table, "p1"), Map.of(1, 7L), Map.of(), "o1", Map.of());
    });

    BatchCommitter.Outcome outcome =
        mine.commit(oneFile(table, "p0"), Map.of(0, 10L), Map.of(), "m1", Map.of());

    assertThat(outcome).isInstanceOf(BatchCommitter.Committed.class);
    // one rejected request, then the appender's own retry (checked again): no Iceberg re-apply
    assertThat(ops.requests).hasValue(2);
    table.refresh();
    assertThat(table.properties()).containsEntry(TableProperties.COMMIT_NUM_RETRIES, "4");
  }

  /** The real operations, counting commit requests. */
  private static final class CountingOps extends ForwardingTableOperations {
    final AtomicInteger requests = new AtomicInteger();

    CountingOps(TableOperations delegate) {
      super(delegate);
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      requests.incrementAndGet();
      delegate.commit(base, metadata);
    }
  }

  @Test
  void recordsTheFullOffsetMapInTheSummaryAndATableProperty() {
    BatchCommitter c = committer(table);

    c.commit(oneFile(table, "a"), Map.of(0, 10L), Map.of(), "c1", Map.of());
    BatchCommitter.Outcome second =
        c.commit(oneFile(table, "b"), Map.of(1, 5L), Map.of(), "c2", Map.of("x", "y"));

    assertThat(second).isInstanceOf(BatchCommitter.Committed.class);
    table.refresh();
    Snapshot current = table.currentSnapshot();
    assertThat(((BatchCommitter.Committed) second).snapshotId()).isEqualTo(current.snapshotId());
    assertThat(current.summary())
        .containsEntry(KEY, "{\"0\":10,\"1\":5}")
        .containsEntry(OffsetsSummary.COMMIT_ID_KEY, "c2")
        .containsEntry("x", "y");
    assertThat(table.properties()).containsEntry(KEY, "{\"0\":10,\"1\":5}");
    assertThat(c.recordedOffsets().offsets()).isEqualTo(Map.of(0, 10L, 1, 5L));
  }

  @Test
  void fencesABatchWhoseRowsAnotherAppenderCommittedFirst() {
    BatchCommitter other = committer(catalog.loadTable(ID));
    BatchCommitter stale = committer(table);
    other.commit(oneFile(table, "other"), Map.of(0, 20L), Map.of(), "o1", Map.of());
    long snapshotsBefore = snapshots();

    BatchCommitter.Outcome outcome =
        stale.commit(oneFile(table, "stale"), Map.of(0, 10L), Map.of(), "s1", Map.of());

    assertThat(outcome).isEqualTo(new BatchCommitter.Fenced(
        List.of(new Fence.Moved(0, null, 20L)), Map.of(0, 20L)));
    assertThat(snapshots()).isEqualTo(snapshotsBefore);
  }

  @Test
  void retriesAfterAConcurrentCommitWithoutLosingTheOtherAppendersOffsets() {
    BatchCommitter other = committer(catalog.loadTable(ID));
    AtomicInteger retries = new AtomicInteger();
    BatchCommitter mine = slippingIn(table, retries::incrementAndGet, () -> {
      // another appender commits partition 1 between our check and our commit
      other.commit(oneFile(table, "p1"), Map.of(1, 7L), Map.of(), "o1", Map.of());
    });

    BatchCommitter.Outcome outcome =
        mine.commit(oneFile(table, "p0"), Map.of(0, 10L), Map.of(), "m1", Map.of());

    assertThat(outcome).isInstanceOf(BatchCommitter.Committed.class);
    assertThat(((BatchCommitter.Committed) outcome).conflictRetries()).isEqualTo(1);
    assertThat(retries).hasValue(1);
    assertThat(mine.recordedOffsets().offsets()).isEqualTo(Map.of(0, 10L, 1, 7L));
  }

  @Test
  void aCompactionCommittedBetweenCheckAndCommitIsAConflictNotAFence() {
    committer(table).commit(oneFile(table, "a"), Map.of(0, 5L), Map.of(), "c1", Map.of());
    BatchCommitter mine = slippingIn(table, () -> {}, () -> {
      Table other = catalog.loadTable(ID);
      DataFile small = oneFile(other, "a").get(0);
      other.newRewrite()
          .validateFromSnapshot(other.currentSnapshot().snapshotId())
          .deleteFile(small)
          .addFile(oneFile(other, "a-compacted").get(0))
          .commit();
    });

    BatchCommitter.Outcome outcome =
        mine.commit(oneFile(table, "b"), Map.of(0, 10L), Map.of(0, 5L), "c2", Map.of());

    assertThat(outcome).isInstanceOf(BatchCommitter.Committed.class);
    assertThat(((BatchCommitter.Committed) outcome).conflictRetries()).isEqualTo(1);
    assertThat(mine.recordedOffsets().offsets()).isEqualTo(Map.of(0, 10L));
    List<String> files = new ArrayList<>();
    table.refresh();
    table.newScan().planFiles().forEach(t -> files.add(t.file().location()));
    assertThat(files).containsExactlyInAnyOrder(
        table.location() + "/data/a-compacted.parquet", table.location() + "/data/b.parquet");
  }

  @Test
  void fencesOnRetryWhenTheConcurrentCommitTookTheSamePartition() {
    BatchCommitter other = committer(catalog.loadTable(ID));
    BatchCommitter mine = slippingIn(table, () -> {}, () -> {
      other.commit(oneFile(table, "p0-other"), Map.of(0, 12L), Map.of(), "o1", Map.of());
    });

    BatchCommitter.Outcome outcome =
        mine.commit(oneFile(table, "p0"), Map.of(0, 10L), Map.of(), "m1", Map.of());

    assertThat(outcome).isInstanceOf(BatchCommitter.Fenced.class);
    assertThat(mine.recordedOffsets().offsets()).isEqualTo(Map.of(0, 12L));
    assertThat(TableOffsets.containsCommit(table, "m1")).isFalse();
  }

  @Test
  void findsOffsetsPastSnapshotsOfOtherWriters() {
    committer(table).commit(oneFile(table, "a"), Map.of(0, 10L), Map.of(), "c1", Map.of());
    table.newAppend().appendFile(oneFile(table, "other-writer").get(0)).commit();

    RecordedOffsets recorded = TableOffsets.read(table, KEY);

    assertThat(recorded.source()).isEqualTo(RecordedOffsets.Source.SNAPSHOT);
    assertThat(recorded.offsets()).isEqualTo(Map.of(0, 10L));
    assertThat(TableOffsets.containsCommit(table, "c1")).isTrue();
    assertThat(TableOffsets.containsCommit(table, "nope")).isFalse();
  }

  @Test
  void keepsOffsetsAfterCompactionAndSnapshotExpiryRemovedEverySnapshotWithThem() {
    committer(table).commit(oneFile(table, "a"), Map.of(0, 10L, 3, 4L), Map.of(), "c1", Map.of());
    // a compaction-like commit without the key, then expire everything but the current snapshot
    table.newAppend().appendFile(oneFile(table, "compacted").get(0)).commit();
    table.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();
    table.refresh();
    assertThat(table.snapshots()).hasSize(1);

    RecordedOffsets recorded = TableOffsets.read(table, KEY);

    assertThat(recorded.source()).isEqualTo(RecordedOffsets.Source.TABLE_PROPERTY);
    assertThat(recorded.offsets()).isEqualTo(Map.of(0, 10L, 3, 4L));
  }

  @Test
  void aConflictAnsweredToItsOwnAppliedRequestIsCommittedNotFenced() {
    // the catalog applies the commit, then answers its HTTP-level retry with 409
    AppliedThenConflict ops = new AppliedThenConflict(((HasTableOperations) table).operations());
    Table flaky = new BaseTable(ops, table.name());

    BatchCommitter.Outcome outcome =
        committer(flaky).commit(oneFile(table, "a"), Map.of(0, 5L), Map.of(), "attempt-1", Map.of());

    assertThat(outcome).isInstanceOf(BatchCommitter.Committed.class);
    assertThat(((BatchCommitter.Committed) outcome).offsets()).isEqualTo(Map.of(0, 5L));
    table.refresh();
    assertThat(((BatchCommitter.Committed) outcome).snapshotId())
        .isEqualTo(table.currentSnapshot().snapshotId());
    // the transaction did not clean up the manifests the table now references
    assertThat(table.newScan().planFiles()).hasSize(1);
  }

  /** The real operations, except that a commit which went through then reports a conflict. */
  private static final class AppliedThenConflict extends ForwardingTableOperations {
    AppliedThenConflict(TableOperations delegate) {
      super(delegate);
    }

    @Override
    public void commit(TableMetadata base, TableMetadata metadata) {
      delegate.commit(base, metadata);
      throw new CommitFailedException("Requirement failed: branch main has changed (HTTP retry)");
    }
  }

  @Test
  void tellsWhatEachRequestAssertsBeforeSendingIt() {
    List<String> sent = new ArrayList<>();
    BatchCommitter c = committer(table);

    c.commit(oneFile(table, "a"), Map.of(0, 1L), Map.of(), "c1", Map.of(),
        (uuid, base) -> sent.add(uuid + "@" + base));
    table.refresh();
    long first = table.currentSnapshot().snapshotId();
    c.commit(oneFile(table, "b"), Map.of(0, 2L), Map.of(0, 1L), "c2", Map.of(),
        (uuid, base) -> sent.add(uuid + "@" + base));

    assertThat(sent).containsExactly(table.uuid() + "@null", table.uuid() + "@" + first);
  }

  @Test
  void readsNothingFromAFreshTable() {
    assertThat(TableOffsets.read(table, KEY)).isEqualTo(RecordedOffsets.none());
  }

  private long snapshots() {
    table.refresh();
    long n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }
}
