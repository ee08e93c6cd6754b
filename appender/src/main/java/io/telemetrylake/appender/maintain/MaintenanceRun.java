package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.maintain.MaintenanceReport.ExpiryResult;
import io.telemetrylake.appender.maintain.MaintenanceReport.ManifestResult;
import io.telemetrylake.appender.maintain.MaintenanceReport.OrphanResult;
import io.telemetrylake.appender.maintain.MaintenanceReport.PartitionResult;
import io.telemetrylake.appender.status.LogRedaction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One maintenance pass over the table, in the order that frees the most: compaction, then the
 * manifests, then snapshot expiry (which deletes the files compaction replaced once their
 * snapshots expire), then orphans. A step that fails is reported and the next ones still run.
 */
public final class MaintenanceRun {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceRun.class);

  private final Compaction compaction;
  private final ManifestCompaction manifests = new ManifestCompaction();
  private final SnapshotExpiry expiry;
  private final OrphanFiles orphans;
  private final Clock clock;

  public MaintenanceRun(MaintenanceOptions options, Clock clock) {
    this(options, clock, CompactionHooks.NONE);
  }

  public MaintenanceRun(MaintenanceOptions options, Clock clock, CompactionHooks hooks) {
    this.compaction = new Compaction(options.workDir(), options.duckdbMemoryMb(), hooks);
    this.expiry = new SnapshotExpiry(clock);
    this.orphans = new OrphanFiles(clock);
    this.clock = clock;
  }

  public MaintenanceReport run(Table table, MaintenanceOptions o) {
    long start = clock.millis();
    List<String> errors = new ArrayList<>();
    Map<String, Long> steps = new LinkedHashMap<>();
    table.refresh();
    long target = o.targetFileBytes().orElseGet(() -> PropertyUtil.propertyAsLong(table.properties(),
        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT));

    List<PartitionResult> compacted = List.of();
    long t = clock.millis();
    try {
      compacted = compaction.run(table, target, o.minInputFiles(), o.dryRun(), errors);
    } catch (RuntimeException e) {
      fail(errors, "compaction", e);
    }
    t = lap(steps, "compaction", t);
    ManifestResult manifestResult = new ManifestResult(0, 0, "not run");
    try {
      manifestResult = manifests.run(table, o.dryRun());
    } catch (RuntimeException e) {
      fail(errors, "manifest rewrite", e);
    }
    t = lap(steps, "manifests", t);
    ExpiryResult expired = new ExpiryResult("-", 0, 0, 0, 0);
    try {
      expired = expiry.run(table, o.expireOlderThan(), o.retainLast(), o.dryRun());
    } catch (RuntimeException e) {
      fail(errors, "snapshot expiry", e);
    }
    t = lap(steps, "expiry", t);
    OrphanResult orphaned = new OrphanResult(DurationText.format(o.orphansOlderThan()), 0, 0, 0, 0);
    try {
      orphaned = orphans.run(table, o.orphansOlderThan(), o.dryRun());
    } catch (RuntimeException e) {
      fail(errors, "orphan clean-up", e);
    }
    lap(steps, "orphans", t);
    return new MaintenanceReport(table.name(), o.dryRun(), compacted, manifestResult, expired, orphaned,
        steps, clock.millis() - start, errors);
  }

  private long lap(Map<String, Long> steps, String step, long since) {
    long now = clock.millis();
    steps.put(step, now - since);
    return now;
  }

  private static void fail(List<String> errors, String step, RuntimeException e) {
    String message = LogRedaction.redact(String.valueOf(e.getMessage()));
    LOG.warn("{} failed: {}", step, message);
    errors.add(step + ": " + message);
  }
}
