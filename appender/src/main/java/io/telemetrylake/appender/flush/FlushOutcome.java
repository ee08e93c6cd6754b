package io.telemetrylake.appender.flush;

import io.telemetrylake.appender.iceberg.Fence;
import java.util.List;
import java.util.Map;

/**
 * How the flush of one staged batch ended, as the flush thread hands it to the poll thread, which
 * alone acts on it (positions, clearing, fencing, offsets to the group). {@link FlushReport} is
 * what HTTP and /stats show of it.
 */
public sealed interface FlushOutcome {

  /** Nothing was staged. */
  record Empty() implements FlushOutcome {}

  /**
   * The batch is in the table.
   *
   * @param offsets the merged offsets the table records now
   * @param phasesMs stage, copy, upload, commit durations
   */
  record Committed(
      long snapshotId,
      Map<Integer, Long> offsets,
      int files,
      long bytes,
      int conflictRetries,
      Map<String, Long> phasesMs)
      implements FlushOutcome {}

  /** Nothing committed: rows of these partitions were committed by another appender first. */
  record Fenced(List<Fence.Moved> moved, Map<Integer, Long> recorded) implements FlushOutcome {}

  /**
   * Nothing known to be committed (S3, the catalog or DuckDB failed, or the outcome is left to the
   * upload journal to settle); the rows stay staged.
   */
  record Failed(RuntimeException cause) implements FlushOutcome {}
}
