package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.maintain.MaintenanceReport.ManifestResult;
import java.util.List;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Merges the current snapshot's small data manifests (below {@code
 * commit.manifest.target-size-bytes}) with Iceberg's RewriteManifests once there are at least
 * {@link #MIN_SMALL_MANIFESTS}: each flush adds one, and scan planning reads them all.
 */
final class ManifestCompaction {
  static final int MIN_SMALL_MANIFESTS = 10;

  ManifestResult run(Table table, boolean dryRun) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return new ManifestResult(0, 0, "no snapshot");
    }
    long target = PropertyUtil.propertyAsLong(table.properties(),
        TableProperties.MANIFEST_TARGET_SIZE_BYTES, TableProperties.MANIFEST_TARGET_SIZE_BYTES_DEFAULT);
    List<ManifestFile> data = current.dataManifests(table.io());
    long small = data.stream().filter(m -> m.length() < target).count();
    if (small < MIN_SMALL_MANIFESTS) {
      return new ManifestResult(data.size(), data.size(), "nothing to do");
    }
    if (dryRun) {
      return new ManifestResult(data.size(), data.size(), "planned: " + small + " small manifests");
    }
    table.rewriteManifests()
        .rewriteIf(m -> m.length() < target)
        .clusterBy(file -> file.specId())
        .set(Compaction.SUMMARY_KEY, "rewrite-manifests")
        .commit();
    table.refresh();
    return new ManifestResult(data.size(), table.currentSnapshot().dataManifests(table.io()).size(), "rewritten");
  }
}
