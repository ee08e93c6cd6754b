package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.maintain.MaintenanceReport.OrphanResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes files under the table's location that no snapshot, manifest, metadata file or
 * statistics file references and that are older than a threshold. The threshold protects what is
 * being written right now: an appender's upload before its commit, a compaction's output before
 * its rewrite commits. Paths are compared without their scheme ({@code s3://} and {@code s3a://}
 * name the same object); if the listing does not even contain the current metadata file, the
 * listing and the references disagree on naming and nothing is deleted.
 */
final class OrphanFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);

  private final Clock clock;

  OrphanFiles(Clock clock) {
    this.clock = clock;
  }

  OrphanResult run(Table table, Duration olderThan, boolean dryRun) {
    if (!(table.io() instanceof SupportsPrefixOperations io)) {
      throw new IllegalStateException(table.io().getClass().getSimpleName() + " cannot list files");
    }
    long cutoff = clock.millis() - olderThan.toMillis();
    // listed before the references are read: a file committed in between is then referenced
    List<FileInfo> listed = new ArrayList<>();
    // as a directory: S3 matches any key prefix, but s3proxy's file system store needs the slash
    String location = table.location().endsWith("/") ? table.location() : table.location() + "/";
    io.listPrefix(location).forEach(listed::add);
    table.refresh();
    Set<String> referenced = referenced(table);
    String currentMetadata = key(((HasTableOperations) table).operations().current().metadataFileLocation());
    if (listed.stream().noneMatch(f -> key(f.location()).equals(currentMetadata))) {
      throw new IllegalStateException("the listing of " + table.location()
          + " does not contain the current metadata file " + currentMetadata
          + "; refusing to delete anything");
    }
    List<FileInfo> orphans = listed.stream()
        .filter(f -> f.createdAtMillis() < cutoff)
        .filter(f -> !referenced.contains(key(f.location())))
        .toList();
    long bytes = orphans.stream().mapToLong(FileInfo::size).sum();
    int deleted = 0;
    if (!dryRun) {
      for (FileInfo f : orphans) {
        io.deleteFile(f.location());
        deleted++;
      }
      if (deleted > 0) {
        LOG.info("deleted {} orphan file(s) of {} ({} bytes)", deleted, table.name(), bytes);
      }
    }
    return new OrphanResult(DurationText.format(olderThan), listed.size(), orphans.size(), bytes, deleted);
  }

  /** Every file the table's metadata references, scheme removed. */
  static Set<String> referenced(Table table) {
    Set<String> refs = new HashSet<>();
    ReachableFileUtil.metadataFileLocations(table, false).forEach(l -> refs.add(key(l)));
    refs.add(key(ReachableFileUtil.versionHintLocation(table)));
    ReachableFileUtil.statisticsFilesLocations(table).forEach(l -> refs.add(key(l)));
    table.partitionStatisticsFiles().forEach(p -> refs.add(key(p.path())));
    Set<String> manifests = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (snapshot.manifestListLocation() != null) {
        refs.add(key(snapshot.manifestListLocation()));
      }
      for (ManifestFile m : snapshot.allManifests(table.io())) {
        if (!manifests.add(m.path())) {
          continue;
        }
        refs.add(key(m.path()));
        try (CloseableIterable<? extends ContentFile<?>> files = m.content() == ManifestContent.DATA
            ? ManifestFiles.read(m, table.io(), table.specs())
            : ManifestFiles.readDeleteManifest(m, table.io(), table.specs())) {
          for (ContentFile<?> f : files) {
            refs.add(key(f.location()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return refs;
  }

  /** {@code s3://bucket/a/b} and {@code s3a://bucket/a/b} are the same object. */
  static String key(String location) {
    int i = location.indexOf("://");
    return i < 0 ? location : location.substring(i + 3);
  }
}
