package io.telemetrylake.appender.iceberg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The exactly-once check made right before each commit: for every partition of the batch, the
 * offset the table records now must be the one this appender believes it records (read when the
 * partition was assigned, or written by its own last commit; absent when nothing was recorded).
 * Offsets only grow, so a difference means another appender (the partition's new owner after a
 * rebalance, or a restarted process) committed rows of that partition in the meantime: this batch
 * overlaps them and must be dropped, and consumption resumes from the table's offset.
 *
 * <p>Comparing with the belief, rather than with the batch's first offset, also passes a batch
 * that starts later because the broker deleted old records (retention): that gap is not a
 * duplicate.
 */
public final class Fence {
  private Fence() {}

  /** A partition whose recorded offset is not the expected one; {@code null} means absent. */
  public record Moved(int partition, Long expected, Long recorded) {}

  /** The partitions of the batch that moved; empty when the batch may be committed. */
  public static List<Moved> check(
      Collection<Integer> batchPartitions, Map<Integer, Long> expected, Map<Integer, Long> recorded) {
    List<Moved> moved = new ArrayList<>();
    for (Integer p : batchPartitions) {
      Long want = expected.get(p);
      Long have = recorded.get(p);
      if (!Objects.equals(want, have)) {
        moved.add(new Moved(p, want, have));
      }
    }
    return moved;
  }
}
