package io.telemetrylake.appender.iceberg;

import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;

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
 * anything else was committed in between. Every retry Iceberg might make fails the same way, so
 * the table's {@code commit.retry.num-retries} cannot reintroduce the problem either.
 */
final class PinnedOperations extends ForwardingTableOperations {
  private final TableMetadata base;
  private volatile boolean committed;

  PinnedOperations(TableOperations delegate, TableMetadata base) {
    super(delegate);
    this.base = base;
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
    delegate.commit(commitBase, metadata);
    committed = true;
  }
}
