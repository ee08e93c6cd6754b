package io.telemetrylake.appender.maintain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What one run did (or, with --dry-run, would do); printed as text or one JSON object. */
public record MaintenanceReport(
    String table,
    boolean dryRun,
    List<PartitionResult> compaction,
    ManifestResult manifests,
    ExpiryResult expiry,
    OrphanResult orphans,
    Map<String, Long> stepMillis,
    long millis,
    List<String> errors) {

  /**
   * @param outcome {@code rewritten}, {@code planned} (dry run), {@code nothing to do}, or why not
   */
  public record PartitionResult(
      String partition,
      int filesBefore,
      int filesAfter,
      int filesRewritten,
      long bytesRewritten,
      long rowsRewritten,
      String outcome) {}

  public record ManifestResult(int before, int after, String outcome) {}

  public record ExpiryResult(
      String olderThan, int retainLast, int snapshotsBefore, int snapshotsExpired, int filesDeleted) {}

  public record OrphanResult(String olderThan, int filesListed, int orphans, long orphanBytes, int deleted) {}

  public boolean failed() {
    return !errors.isEmpty();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(dryRun ? "maintenance (dry run) of " : "maintenance of ").append(table)
        .append(String.format(Locale.ROOT, " in %.1f s %s%n", millis / 1000.0, stepMillis));
    out.append("compaction:\n");
    if (compaction.isEmpty()) {
      out.append("  no data files\n");
    }
    for (PartitionResult p : compaction) {
      out.append(String.format(Locale.ROOT, "  %-24s %4d -> %4d files, %d rewritten (%.1f MiB, %d rows): %s%n",
          p.partition(), p.filesBefore(), p.filesAfter(), p.filesRewritten(),
          p.bytesRewritten() / 1048576.0, p.rowsRewritten(), p.outcome()));
    }
    out.append(String.format(Locale.ROOT, "manifests: %d -> %d (%s)%n",
        manifests.before(), manifests.after(), manifests.outcome()));
    out.append(String.format(Locale.ROOT,
        "snapshots: %d expired of %d (older than %s, keeping the last %d), %d files deleted%n",
        expiry.snapshotsExpired(), expiry.snapshotsBefore(), expiry.olderThan(), expiry.retainLast(),
        expiry.filesDeleted()));
    out.append(String.format(Locale.ROOT, "orphans: %d of %d files (%.1f MiB, older than %s), %d deleted%n",
        orphans.orphans(), orphans.filesListed(), orphans.orphanBytes() / 1048576.0, orphans.olderThan(),
        orphans.deleted()));
    for (String e : errors) {
      out.append("error: ").append(e).append('\n');
    }
    return out.toString();
  }
}
