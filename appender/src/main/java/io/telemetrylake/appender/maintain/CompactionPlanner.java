package io.telemetrylake.appender.maintain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which files of one partition to rewrite together: the small ones (below 75 % of the
 * target size, as Iceberg's own rewrite action defaults to), bin-packed first-fit-decreasing into
 * groups of at most the target size. A partition is compacted only when it has at least {@code
 * minInputFiles} small files, and a group of one file is never rewritten (it would not get fewer).
 */
public final class CompactionPlanner {
  /** A data file as the planner sees it. */
  public record Candidate(String location, long bytes) {}

  private CompactionPlanner() {}

  public static long smallFileLimit(long targetBytes) {
    return targetBytes / 4 * 3;
  }

  public static List<List<Candidate>> plan(List<Candidate> files, long targetBytes, int minInputFiles) {
    long limit = smallFileLimit(targetBytes);
    List<Candidate> small = new ArrayList<>();
    for (Candidate f : files) {
      if (f.bytes() < limit) {
        small.add(f);
      }
    }
    if (small.size() < Math.max(2, minInputFiles)) {
      return List.of();
    }
    small.sort(Comparator.comparingLong(Candidate::bytes).reversed().thenComparing(Candidate::location));
    List<List<Candidate>> bins = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (Candidate f : small) {
      int fit = -1;
      for (int i = 0; i < bins.size(); i++) {
        if (sizes.get(i) + f.bytes() <= targetBytes) {
          fit = i;
          break;
        }
      }
      if (fit < 0) {
        bins.add(new ArrayList<>());
        sizes.add(0L);
        fit = bins.size() - 1;
      }
      bins.get(fit).add(f);
      sizes.set(fit, sizes.get(fit) + f.bytes());
    }
    return bins.stream().filter(b -> b.size() > 1).map(List::copyOf).toList();
  }
}
