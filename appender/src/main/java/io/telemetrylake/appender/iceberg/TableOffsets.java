package io.telemetrylake.appender.iceberg;

import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

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
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      String value = snapshot.summary().get(key);
      if (value != null) {
        return new RecordedOffsets(
            parse(value, key, "snapshot " + snapshot.snapshotId()),
            RecordedOffsets.Source.SNAPSHOT,
            Optional.of(snapshot.snapshotId()));
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
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
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      if (commitId.equals(snapshot.summary().get(OffsetsSummary.COMMIT_ID_KEY))) {
        return true;
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return false;
  }

  /**
   * True when every commit made since {@code sinceMillis} is still in the current ancestry: the
   * ancestry reaches the table's first snapshot, or a snapshot at least that old. False when
   * expiry removed part of that stretch, so a commit made then could no longer be found.
   */
  public static boolean ancestryCovers(Table table, long sinceMillis) {
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      if (snapshot.timestampMillis() <= sinceMillis) {
        return true;
      }
      Long parent = snapshot.parentId();
      if (parent == null) {
        return true;
      }
      Snapshot next = table.snapshot(parent);
      if (next == null) {
        return false;
      }
      snapshot = next;
    }
    return true;
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
