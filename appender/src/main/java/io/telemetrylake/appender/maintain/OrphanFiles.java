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
import org.apache.iceberg.TableProperties;
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
 * name the same object). Only the table's data and metadata folders are listed, never what lies
 * beside them. If the listing misses the metadata file or any file referenced before it started,
 * listing and references disagree on naming and nothing is deleted.
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
    table.refresh();
    // read before the listing too: every file referenced then must show up in it, or the listing
    // and the metadata disagree on names and nothing is deleted
    Set<String> before = referenced(table);
    String metadataBefore = key(((HasTableOperations) table).operations().current().metadataFileLocation());
    List<String> prefixes = List.of(
        asDirectory(table.properties().getOrDefault(TableProperties.WRITE_DATA_LOCATION, table.location() + "/data")),
        asDirectory(table.properties().getOrDefault(TableProperties.WRITE_METADATA_LOCATION, table.location() + "/metadata")));
    List<FileInfo> listed = new ArrayList<>();
    for (String prefix : prefixes) {
      io.listPrefix(prefix).forEach(listed::add);
    }
    // and after: a file committed while the listing ran is referenced now
    table.refresh();
    Set<String> referenced = new HashSet<>(before);
    referenced.addAll(referenced(table));
    Set<String> listedKeys = new HashSet<>();
    listed.forEach(f -> listedKeys.add(key(f.location())));
    if (!listedKeys.contains(metadataBefore)) {
      throw new IllegalStateException("the listing of " + prefixes
          + " does not contain the table's metadata file " + metadataBefore + "; refusing to delete anything");
    }
    List<String> prefixKeys = prefixes.stream().map(OrphanFiles::key).toList();
    String versionHint = key(ReachableFileUtil.versionHintLocation(table)); // REST tables have none
    long missing = before.stream()
        .filter(r -> !r.equals(versionHint))
        .filter(r -> prefixKeys.stream().anyMatch(r::startsWith))
        .filter(r -> !listedKeys.contains(r))
        .count();
    if (missing > 0) {
      throw new IllegalStateException(missing + " file(s) the table referenced before listing " + prefixes
          + " are not in the listing; refusing to delete anything");
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

  /** As a directory: S3 matches any key prefix (logs_v2 under logs), and s3proxy needs the slash. */
  private static String asDirectory(String location) {
    return location.endsWith("/") ? location : location + "/";
  }

  /** {@code s3://bucket/a/b} and {@code s3a://bucket/a/b} are the same object. */
  static String key(String location) {
    int i = location.indexOf("://");
    return i < 0 ? location : location.substring(i + 3);
  }
}
