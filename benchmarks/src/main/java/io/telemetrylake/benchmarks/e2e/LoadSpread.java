package io.telemetrylake.benchmarks.e2e;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How evenly a load is spread over its units (partitions, appenders): the counts per unit, units
 * with nothing included, and max/mean (1 = perfectly even; units/used when all of it sits in a few).
 */
record LoadSpread(SortedMap<Integer, Long> counts, long total, int units, int used, double mean, long max, long min) {

  static LoadSpread of(Map<Integer, Long> counts) {
    SortedMap<Integer, Long> sorted = new TreeMap<>(counts);
    long total = 0;
    long max = 0;
    long min = Long.MAX_VALUE;
    int used = 0;
    for (long c : sorted.values()) {
      total += c;
      max = Math.max(max, c);
      min = Math.min(min, c);
      if (c > 0) {
        used++;
      }
    }
    int units = sorted.size();
    return new LoadSpread(sorted, total, units, used, units == 0 ? 0 : (double) total / units, max, units == 0 ? 0 : min);
  }

  /** max / mean: how much more the busiest unit has than its fair share. */
  double maxOverMean() {
    return mean == 0 ? 0 : max / mean;
  }

  /** The busiest unit's share of the total. */
  double maxShare() {
    return total == 0 ? 0 : (double) max / total;
  }

  Map<String, Object> report() {
    Map<String, Object> out = Report.map();
    out.put("units", units);
    out.put("used", used);
    out.put("total", total);
    out.put("mean", Report.round(mean, 1));
    out.put("max", max);
    out.put("min", min);
    out.put("max_over_mean", Report.round(maxOverMean(), 2));
    out.put("max_share", Report.round(maxShare(), 3));
    Map<String, Long> each = new java.util.LinkedHashMap<>();
    counts.forEach((k, v) -> each.put(Integer.toString(k), v));
    out.put("each", each);
    return out;
  }
}
