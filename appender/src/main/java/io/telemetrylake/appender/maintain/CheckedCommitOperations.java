package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.iceberg.ForwardingTableOperations;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.iceberg.TableOffsets;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;

/**
 * Table operations for a maintenance commit that never take a failed request at face value. The
 * REST client resends requests the catalog may have applied (5xx, a dropped connection), so a
 * conflict or an I/O error can hide our own landed commit; Iceberg would then retry, fail
 * validation ("missing files to delete") and delete the landed snapshot's manifests, and the
 * caller its new data files. So before a failure passes through, main's history is read for the
 * commit's id: found, the commit succeeded; not readable, the outcome is unknown (files kept).
 */
final class CheckedCommitOperations extends ForwardingTableOperations {
  /** The same summary key as the appender's commits: one lookup ({@link TableOffsets#findCommit}). */
  static final String COMMIT_ID_KEY = OffsetsSummary.COMMIT_ID_KEY;

  private final String commitId;

  CheckedCommitOperations(TableOperations delegate, String commitId) {
    super(delegate);
    this.commitId = commitId;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    try {
      delegate.commit(base, metadata);
    } catch (CommitStateUnknownException e) {
      throw e;
    } catch (CommitFailedException e) {
      if (!landed(e)) {
        throw e;
      }
    } catch (RuntimeException e) {
      if (!landed(e)) {
        // the request may still be applied later
        throw new CommitStateUnknownException(e);
      }
    }
  }

  private boolean landed(RuntimeException failure) {
    TableMetadata now;
    try {
      now = delegate.refresh();
    } catch (RuntimeException e) {
      CommitStateUnknownException unknown = new CommitStateUnknownException(e);
      unknown.addSuppressed(failure);
      throw unknown;
    }
    return TableOffsets.findCommit(now, commitId).isPresent();
  }
}
