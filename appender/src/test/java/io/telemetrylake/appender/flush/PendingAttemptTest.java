package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.appender.flush.PendingAttempt.Verdict;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.iceberg.TableSetup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against Iceberg's in-memory catalog: real snapshots, ancestry and expiry. */
class PendingAttemptTest {
  private static final String KEY = OffsetsSummary.key("g", "t");
  private static final TableIdentifier ID = TableIdentifier.of(Namespace.of("otel"), "logs");

  private InMemoryCatalog catalog;
  private Table table;
  private long offset;

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

  /** Commits as this appender would, with {@code commitId}; returns the new snapshot id. */
  private long commit(String commitId) {
    Map<Integer, Long> expected = offset == 0 ? Map.of() : Map.of(0, offset);
    offset++;
    new BatchCommitter(table, KEY, 0, Duration.ofMillis(1), () -> {})
        .commit(List.of(oneFile(commitId)), Map.of(0, offset), expected, commitId, Map.of());
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  private DataFile oneFile(String name) {
    PartitionData partition = new PartitionData(table.spec().partitionType());
    partition.set(0, 20_000);
    return DataFiles.builder(table.spec())
        .withPath(table.location() + "/data/" + name + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(100)
        .withRecordCount(1)
        .withPartition(partition)
        .build();
  }

  private UploadJournal.Entry sent(String commitId, Long base) {
    return UploadJournal.Entry.beforeRequest(commitId, 0, List.of("/f"), table.uuid().toString())
        .sending(table.uuid().toString(), base);
  }

  private Verdict verdict(UploadJournal.Entry entry) {
    table.refresh();
    return PendingAttempt.decide(entry, table).verdict();
  }

  @Test
  void anAttemptFoundInMainsHistoryIsCommitted() {
    long base = commit("c0");
    commit("mine");
    commit("later");

    assertThat(verdict(sent("mine", base))).isEqualTo(Verdict.COMMITTED);
  }

  @Test
  void anAttemptStaysOpenWhileMainIsStillAtItsBase() {
    long base = commit("c0");

    assertThat(verdict(sent("mine", base))).isEqualTo(Verdict.OPEN);
  }

  @Test
  void anAttemptOnAnEmptyTableStaysOpenWhileTheTableIsEmpty() {
    assertThat(verdict(sent("mine", null))).isEqualTo(Verdict.OPEN);
  }

  @Test
  void anAttemptCannotLandOnceMainMovedPastItsBaseWithoutIt() {
    long base = commit("c0");
    commit("someone-else");

    assertThat(verdict(sent("mine", base))).isEqualTo(Verdict.CANNOT_LAND);
  }

  @Test
  void anAttemptOnAnEmptyTableCannotLandOnceTheTableHasAnotherHistory() {
    commit("someone-else");
    commit("and-more");

    assertThat(verdict(sent("mine", null))).isEqualTo(Verdict.CANNOT_LAND);
  }

  @Test
  void anAttemptWhoseRequestWasNeverSentCannotLand() {
    commit("c0");

    assertThat(verdict(UploadJournal.Entry.beforeRequest("mine", 0, List.of("/f"), table.uuid().toString())))
        .isEqualTo(Verdict.CANNOT_LAND);
  }

  @Test
  void expiredHistoryBetweenTheBaseAndMainProvesNothing() {
    long base = commit("c0");
    commit("c1");
    commit("c2");
    table.expireSnapshots().expireOlderThan(Long.MAX_VALUE).retainLast(1).commit();

    assertThat(verdict(sent("mine", base))).isEqualTo(Verdict.UNPROVABLE);
    assertThat(verdict(sent("mine", null))).isEqualTo(Verdict.UNPROVABLE);
  }

  @Test
  void anotherTableUnderTheSameNameProvesNothing() {
    long base = commit("c0");
    UploadJournal.Entry entry = UploadJournal.Entry.beforeRequest("mine", 0, List.of("/f"),
        UUID.randomUUID().toString()).sending(UUID.randomUUID().toString(), base);
    commit("c1");

    assertThat(verdict(entry)).isEqualTo(Verdict.UNPROVABLE);
  }

  @Test
  void anEntryWithoutTheRecordedBaseProvesNothingButCanStillBeFoundCommitted() {
    long base = commit("c0");
    commit("c1");
    UploadJournal.Entry legacy = new UploadJournal.Entry("mine", 0, List.of("/f"), null, null);

    assertThat(verdict(legacy)).isEqualTo(Verdict.UNPROVABLE);
    assertThat(verdict(new UploadJournal.Entry("c1", 0, List.of("/f"), null, null)))
        .isEqualTo(Verdict.COMMITTED);
    assertThat(base).isNotNull();
  }

  @Test
  void anAttemptRolledBackOffMainKeepsItsFiles() {
    long base = commit("c0");
    commit("mine");
    table.manageSnapshots().rollbackTo(base).commit();
    commit("after-rollback");

    assertThat(verdict(sent("mine", base))).isEqualTo(Verdict.COMMITTED);
  }
}
