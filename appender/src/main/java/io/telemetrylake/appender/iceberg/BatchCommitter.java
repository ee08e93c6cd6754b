package io.telemetrylake.appender.iceberg;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a batch: its data files and its Kafka offsets in one Iceberg snapshot, exactly once.
 *
 * <p>Each attempt refreshes the table, reads the recorded offsets, runs the {@link Fence} and, if
 * it passes, commits one transaction: an append whose snapshot summary carries the merged offset
 * map and the attempt's commit id, plus the same offsets as a table property. The transaction is
 * built on the very metadata the check read ({@link PinnedOperations}), and the catalog accepts it
 * only if the branch still points where it pointed then (the REST commit asserts it); so the
 * check and the commit are atomic. Iceberg's own retry is off for this commit ({@link
 * PinnedOperations}). When another commit got in between ({@link CommitFailedException}),
 * the attempt starts over from the refresh, after a short randomized pause.
 *
 * <p>A failure of the final catalog request leaves the outcome open ({@link
 * CommitUnknownException}): the caller must keep the uploaded files until {@link
 * TableOffsets#containsCommit} says whether the commit landed. Any other exception means nothing
 * was committed. A conflict is never taken at face value: the REST client retries requests the
 * catalog may have applied, and their conflict is with ourselves, so the attempt's commit id is
 * looked for first ({@link PinnedOperations}, and again before the fence of a retry).
 */
public final class BatchCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);

  private final Table table;
  private final String offsetsKey;
  private final int maxConflictRetries;
  private final Duration conflictPause;
  private final Runnable onConflictRetry;
  /** Runs right before each catalog commit; tests use it to slip a concurrent commit in. */
  private final Runnable beforeCommit;

  /** How one commit ended. */
  public sealed interface Outcome permits Committed, Fenced {}

  /** The batch is in the table. */
  public record Committed(long snapshotId, Map<Integer, Long> offsets, int conflictRetries)
      implements Outcome {}

  /** Nothing was committed: another appender committed rows of these partitions first. */
  public record Fenced(List<Fence.Moved> moved, Map<Integer, Long> recorded) implements Outcome {}

  /**
   * Told right before each commit request that may reach the catalog, so the caller can record
   * what the request asserts (it can only be applied while main is at {@code baseSnapshotId}).
   */
  @FunctionalInterface
  public interface BeforeRequest {
    /** @param baseSnapshotId null when the table has no snapshot yet */
    void sending(String tableUuid, Long baseSnapshotId);
  }

  /**
   * @param onConflictRetry called before each retry after a concurrent commit (metrics)
   */
  public BatchCommitter(
      Table table,
      String offsetsKey,
      int maxConflictRetries,
      Duration conflictPause,
      Runnable onConflictRetry) {
    this(table, offsetsKey, maxConflictRetries, conflictPause, onConflictRetry, () -> {});
  }

  BatchCommitter(
      Table table,
      String offsetsKey,
      int maxConflictRetries,
      Duration conflictPause,
      Runnable onConflictRetry,
      Runnable beforeCommit) {
    this.table = table;
    this.offsetsKey = offsetsKey;
    this.maxConflictRetries = maxConflictRetries;
    this.conflictPause = conflictPause;
    this.onConflictRetry = onConflictRetry;
    this.beforeCommit = beforeCommit;
  }

  public Table table() {
    return table;
  }

  /** The offsets the table records now (refreshes the table). */
  public RecordedOffsets recordedOffsets() {
    table.refresh();
    return TableOffsets.read(table, offsetsKey);
  }

  /**
   * @param files the batch's data files, already uploaded
   * @param nextOffsets per partition of the batch, the offset after its last record
   * @param expected what this appender believes the table records for the batch's partitions
   * @param commitId unique per attempt, recorded in the summary
   * @param summary extra summary properties (trigger, row count...)
   * @throws CommitFailedException when concurrent commits kept winning for every retry
   */
  public Outcome commit(
      List<DataFile> files,
      Map<Integer, Long> nextOffsets,
      Map<Integer, Long> expected,
      String commitId,
      Map<String, String> summary) {
    return commit(files, nextOffsets, expected, commitId, summary, (uuid, base) -> {});
  }

  /** As above; {@code beforeRequest} hears of each commit request before it is sent. */
  public Outcome commit(
      List<DataFile> files,
      Map<Integer, Long> nextOffsets,
      Map<Integer, Long> expected,
      String commitId,
      Map<String, String> summary,
      BeforeRequest beforeRequest) {
    int retries = 0;
    Map<Integer, Long> sentOffsets = null;
    while (true) {
      table.refresh();
      TableOperations ops = ((HasTableOperations) table).operations();
      TableMetadata base = ops.refresh();
      if (sentOffsets != null) {
        // a conflict may have been our own request, applied: never fence (and delete) ourselves
        Optional<Snapshot> ours = TableOffsets.findCommit(base, commitId);
        if (ours.isPresent()) {
          return new Committed(ours.get().snapshotId(), sentOffsets, retries);
        }
      }
      PinnedOperations pinned = new PinnedOperations(ops, base, commitId);
      Table checked = new BaseTable(pinned, table.name());
      RecordedOffsets recorded = TableOffsets.read(checked, offsetsKey);
      List<Fence.Moved> moved = Fence.check(nextOffsets.keySet(), expected, recorded.offsets());
      if (!moved.isEmpty()) {
        return new Fenced(moved, recorded.offsets());
      }
      Map<Integer, Long> merged = OffsetsSummary.merge(recorded.offsets(), nextOffsets);
      String offsetsJson = OffsetsSummary.format(merged);
      try {
        // built on, and committed against, exactly the metadata the check read
        Transaction txn = checked.newTransaction();
        AppendFiles append = txn.newAppend();
        files.forEach(append::appendFile);
        summary.forEach(append::set);
        append.set(offsetsKey, offsetsJson);
        append.set(OffsetsSummary.COMMIT_ID_KEY, commitId);
        append.commit();
        txn.updateProperties().set(offsetsKey, offsetsJson).commit();
        beforeCommit.run();
        Snapshot baseSnapshot = base.currentSnapshot();
        beforeRequest.sending(
            base.uuid(), baseSnapshot == null ? null : baseSnapshot.snapshotId());
        sentOffsets = merged;
        commitTransaction(txn, commitId);
      } catch (CommitFailedException e) {
        if (retries >= maxConflictRetries) {
          throw e;
        }
        retries++;
        onConflictRetry.run();
        LOG.info("commit conflict ({}), checking again (retry {})", e.getMessage(), retries);
        pause(retries);
        continue;
      }
      return new Committed(committedSnapshotId(ops, commitId), merged, retries);
    }
  }

  /**
   * The one call whose failure leaves the outcome open: the request may have reached the catalog.
   * CommitFailedException is the catalog's clear "no" and passes through.
   */
  private static void commitTransaction(Transaction txn, String commitId) {
    try {
      txn.commitTransaction();
    } catch (PinnedOperations.ConflictPassedOn e) {
      throw e.conflict();
    } catch (CommitFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CommitUnknownException(commitId, e);
    }
  }

  /**
   * Finds our snapshot in the metadata the commit answered with (a REST commit's response; other
   * catalogs may reload it). Once the commit went through, no failure here may read as "nothing
   * committed", or the caller would delete files the table now references: anything that goes
   * wrong leaves the outcome open, which keeps the files.
   */
  private static long committedSnapshotId(TableOperations ops, String commitId) {
    TableMetadata current;
    try {
      current = ops.current();
    } catch (RuntimeException e) {
      throw new CommitUnknownException(commitId, e);
    }
    return TableOffsets.findCommit(current, commitId)
        .map(Snapshot::snapshotId)
        .orElseThrow(() -> new CommitUnknownException(
            commitId, new IllegalStateException("the committed metadata does not show " + commitId)));
  }

  private void pause(int attempt) {
    long base = conflictPause.toMillis() * Math.min(attempt, 8);
    long millis = base + ThreadLocalRandom.current().nextLong(base + 1);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommitFailedException("interrupted while retrying a conflicting commit");
    }
  }
}
