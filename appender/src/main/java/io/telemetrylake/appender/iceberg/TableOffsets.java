package io.telemetrylake.appender.iceberg;

import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Finds the offsets a table holds for one group and topic.
 *
 * <p>Walks the ancestry of the current snapshot to the newest one whose summary has the key:
 * snapshots of other writers (compaction, deletes, other groups) do not carry it and are skipped.
 * Each appender commit also sets a table property with the same key and value, in the same
 * metadata commit: table properties survive snapshot expiry, so if compaction plus expiry left no
 * snapshot with the key, the property still has it. The snapshot wins when both exist, so a
 * rollback of the table also rolls back the offsets (its rows are consumed again).
 */
public final class TableOffsets {
  private TableOffsets() {}

  public static RecordedOffsets read(Table table, String key) {
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      String value = snapshot.summary().get(key);
      if (value != null) {
        return new RecordedOffsets(
            parse(value, key, "snapshot " + snapshot.snapshotId()),
            RecordedOffsets.Source.SNAPSHOT,
            Optional.of(snapshot.snapshotId()));
      }
    }
    String property = table.properties().get(key);
    if (property != null) {
      return new RecordedOffsets(
          parse(property, key, "table property"),
          RecordedOffsets.Source.TABLE_PROPERTY,
          Optional.empty());
    }
    return RecordedOffsets.none();
  }

  /** True when a snapshot made by the flush attempt {@code commitId} is in the current ancestry. */
  public static boolean containsCommit(Table table, String commitId) {
    return findCommit(SnapshotUtil.currentAncestors(table), commitId).isPresent();
  }

  /** The snapshot of the flush attempt {@code commitId} in main's history of {@code metadata}. */
  public static Optional<Snapshot> findCommit(TableMetadata metadata, String commitId) {
    Snapshot current = metadata.currentSnapshot();
    if (current == null) {
      return Optional.empty();
    }
    return findCommit(SnapshotUtil.ancestorsOf(current.snapshotId(), metadata::snapshot), commitId);
  }

  /** True when {@code snapshot} was made by the flush attempt {@code commitId}. */
  public static boolean isCommit(Snapshot snapshot, String commitId) {
    return commitId.equals(snapshot.summary().get(OffsetsSummary.COMMIT_ID_KEY));
  }

  private static Optional<Snapshot> findCommit(Iterable<Snapshot> ancestry, String commitId) {
    for (Snapshot s : ancestry) {
      if (isCommit(s, commitId)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static java.util.Map<Integer, Long> parse(String value, String key, String where) {
    try {
      return OffsetsSummary.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "the offsets under '" + key + "' in the " + where + " are unreadable: " + e.getMessage());
    }
  }
}
