package io.telemetrylake.appender.flush;

import io.telemetrylake.appender.iceberg.TableOffsets;
import java.util.Objects;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Decides what becomes of a journaled flush attempt, from the table as it is now. Files are
 * deleted only when the attempt provably cannot land: every request it sent asserted that main
 * was at its base snapshot ({@code assert-ref-snapshot-id}), so once main has moved past that base
 * to a history without the attempt's commit id, no delayed application of the request can succeed.
 * When that cannot be proven, the files are kept: a catalog that answered 504 or timed out may
 * still apply the request, and a deleted file the table references is permanent loss.
 */
final class PendingAttempt {
  private PendingAttempt() {}

  /** What to do with an attempt's files and its journal entry. */
  enum Verdict {
    /** In the table: keep the files, forget the entry. */
    COMMITTED,
    /** Can still land (main is still at the base): keep files and entry, look again later. */
    OPEN,
    /** Can never land: delete the files, then forget the entry. */
    CANNOT_LAND,
    /** Cannot be proven either way: keep the files for orphan-file clean-up, forget the entry. */
    UNPROVABLE
  }

  record Decision(Verdict verdict, String reason) {}

  /** @param table refreshed just before */
  static Decision decide(UploadJournal.Entry entry, Table table) {
    String commitId = entry.commitId();
    if (TableOffsets.containsCommit(table, commitId)) {
      return new Decision(Verdict.COMMITTED, "its commit is in the table's history");
    }
    if (referencedOffMain(table, commitId)) {
      return new Decision(Verdict.COMMITTED, "a snapshot of the table off main (rolled back, branch) has it");
    }
    if (entry.tableUuid() == null) {
      return new Decision(Verdict.UNPROVABLE, "its journal entry predates the recorded base snapshot");
    }
    if (!entry.tableUuid().equals(table.uuid().toString())) {
      return new Decision(Verdict.UNPROVABLE, "the table was dropped and created again since");
    }
    if (entry.request() == null) {
      return new Decision(Verdict.CANNOT_LAND, "no commit request was sent");
    }
    Long base = entry.request().baseSnapshotId();
    Snapshot current = table.currentSnapshot();
    Long now = current == null ? null : current.snapshotId();
    if (Objects.equals(base, now)) {
      return new Decision(Verdict.OPEN, "main is still at the base snapshot " + base + ": the request may still be applied");
    }
    if (current != null && movedPast(table, current, base)) {
      return new Decision(Verdict.CANNOT_LAND, "main moved past the base snapshot " + base + " without it");
    }
    return new Decision(Verdict.UNPROVABLE,
        "main no longer descends from the base snapshot " + base + " through snapshots still in the table");
  }

  /**
   * True when main's history from {@code current} back to {@code base} is whole (nothing expired
   * in between), so the attempt's snapshot, a child of the base, would be seen in it.
   */
  private static boolean movedPast(Table table, Snapshot current, Long base) {
    if (base != null) {
      return SnapshotUtil.isAncestorOf(table, current.snapshotId(), base);
    }
    // the table was empty: the whole history down to its first snapshot must still be there
    Snapshot oldest = SnapshotUtil.oldestAncestorOf(current.snapshotId(), table::snapshot);
    return oldest != null && oldest.parentId() == null;
  }

  private static boolean referencedOffMain(Table table, String commitId) {
    for (Snapshot s : table.snapshots()) {
      if (TableOffsets.isCommit(s, commitId)) {
        return true;
      }
    }
    return false;
  }
}
