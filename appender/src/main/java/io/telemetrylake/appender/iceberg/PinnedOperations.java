package io.telemetrylake.appender.iceberg;

import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CleanableFailure;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table operations that keep answering {@code refresh()} with the metadata the fence check read,
 * until a commit succeeds.
 *
 * <p>Why: Iceberg refreshes inside every commit, on the first attempt too ({@code
 * SnapshotProducer.apply()} and {@code BaseTransaction.applyUpdates()}), and silently rebuilds an
 * append on top of whatever is current, keeping the summary it was given. That would turn "check
 * the offsets, then commit" into "check, then commit on top of a table the check never saw". With
 * the metadata pinned, the commit is built on the checked base, and the catalog's compare-and-swap
 * on that base (REST: {@code assert-ref-snapshot-id}) rejects it with CommitFailedException if
 * anything else was committed in between. Every retry Iceberg might make would send the same
 * request to fail the same way, so a conflict ends this commit's Iceberg retries at once ({@link
 * ConflictPassedOn}): the table keeps {@code commit.retry.num-retries} for other writers such as
 * maintenance, and the appender retries itself: refresh, check, commit.
 *
 * <p>A conflict can also be our own commit: the REST client's HTTP-level retry of a request the
 * catalog had applied (it answered 5xx, or the connection broke) finds main moved by it. So before
 * a conflict passes through (and the transaction deletes its manifests, and the caller its data
 * files), the table is read again and the attempt's commit id looked for.
 */
final class PinnedOperations extends ForwardingTableOperations {
  private static final Logger LOG = LoggerFactory.getLogger(PinnedOperations.class);

  private final TableMetadata base;
  private final String commitId;
  private volatile boolean committed;
  private volatile CommitFailedException conflict;

  /**
   * Ends Iceberg's retry loop (it retries CommitFailedException only) after the first conflict:
   * a retry would resend the pinned request. {@link BatchCommitter} unwraps it.
   */
  static final class ConflictPassedOn extends RuntimeException implements CleanableFailure {
    ConflictPassedOn(CommitFailedException conflict) {
      super(conflict.getMessage(), conflict);
    }

    CommitFailedException conflict() {
      return (CommitFailedException) getCause();
    }
  }

  PinnedOperations(TableOperations delegate, TableMetadata base, String commitId) {
    super(delegate);
    this.base = base;
    this.commitId = commitId;
  }

  @Override
  public TableMetadata current() {
    return committed ? delegate.current() : base;
  }

  @Override
  public TableMetadata refresh() {
    return committed ? delegate.refresh() : base;
  }

  @Override
  public void commit(TableMetadata commitBase, TableMetadata metadata) {
    if (conflict != null) {
      throw new ConflictPassedOn(conflict);
    }
    try {
      delegate.commit(commitBase, metadata);
    } catch (CommitFailedException e) {
      if (!appliedAfterAll(e)) {
        conflict = e;
        throw e;
      }
      LOG.info("commit {} was applied although the catalog finally answered a conflict ({})",
          commitId, e.getMessage());
    }
    committed = true;
  }

  private boolean appliedAfterAll(CommitFailedException conflict) {
    TableMetadata now;
    try {
      now = delegate.refresh();
    } catch (RuntimeException e) {
      // cannot tell: an unknown state keeps every file (Iceberg does not clean up after it)
      CommitStateUnknownException unknown = new CommitStateUnknownException(e);
      unknown.addSuppressed(conflict);
      throw unknown;
    }
    return TableOffsets.findCommit(now, commitId).isPresent();
  }
}
