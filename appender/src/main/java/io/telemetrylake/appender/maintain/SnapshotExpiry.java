package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.maintain.MaintenanceReport.ExpiryResult;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Iceberg's {@link ExpireSnapshots} by age and a minimum count, deleting the files only expired
 * snapshots referenced. The appenders' Kafka offsets survive it: each appender commit also writes
 * them as a table property, which {@code TableOffsets} falls back to when no snapshot carries them.
 */
final class SnapshotExpiry {
  private final Clock clock;

  SnapshotExpiry(Clock clock) {
    this.clock = clock;
  }

  ExpiryResult run(Table table, Optional<Duration> olderThan, OptionalInt retainLast, boolean dryRun) {
    table.refresh();
    Duration age = olderThan.orElseGet(() -> Duration.ofMillis(PropertyUtil.propertyAsLong(
        table.properties(), TableProperties.MAX_SNAPSHOT_AGE_MS, TableProperties.MAX_SNAPSHOT_AGE_MS_DEFAULT)));
    int retain = retainLast.orElseGet(() -> PropertyUtil.propertyAsInt(
        table.properties(), TableProperties.MIN_SNAPSHOTS_TO_KEEP, TableProperties.MIN_SNAPSHOTS_TO_KEEP_DEFAULT));
    Set<Long> before = new HashSet<>();
    table.snapshots().forEach(s -> before.add(s.snapshotId()));
    int countBefore = before.size();
    AtomicInteger deleted = new AtomicInteger();
    ExpireSnapshots expire = table.expireSnapshots()
        .expireOlderThan(clock.millis() - age.toMillis())
        .retainLast(retain)
        .cleanExpiredFiles(!dryRun)
        .deleteWith(location -> {
          table.io().deleteFile(location);
          deleted.incrementAndGet();
        });
    int expired;
    if (dryRun) {
      List<Snapshot> removed = expire.apply();
      expired = removed.size();
    } else {
      expire.commit();
      table.refresh();
      Set<Long> after = new HashSet<>();
      table.snapshots().forEach(s -> after.add(s.snapshotId()));
      before.removeAll(after);
      expired = before.size();
    }
    return new ExpiryResult(DurationText.format(age), retain, countBefore, expired, deleted.get());
  }
}
