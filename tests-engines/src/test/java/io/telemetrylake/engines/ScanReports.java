package io.telemetrylake.engines;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.iceberg.metrics.MetricsReport;
import org.apache.iceberg.metrics.MetricsReporter;
import org.apache.iceberg.metrics.ScanReport;

/**
 * Keeps the scan reports of the Spark session's Iceberg catalog ({@code metrics-reporter-impl}):
 * how many data files a scan planned and how many its filter skipped. The catalog instantiates this
 * class itself, so the reports live in a static list.
 */
public final class ScanReports implements MetricsReporter {
  private static final List<ScanReport> REPORTS = new CopyOnWriteArrayList<>();

  @Override
  public void report(MetricsReport report) {
    if (report instanceof ScanReport scan) {
      REPORTS.add(scan);
    }
  }

  static void clear() {
    REPORTS.clear();
  }

  /** The reports of scans of {@code namespace.table} since the last {@link #clear()}. */
  static List<ScanReport> of(String namespace, String table) {
    String suffix = namespace + "." + table;
    return REPORTS.stream().filter(r -> r.tableName().equals(suffix) || r.tableName().endsWith("." + suffix)).toList();
  }
}
