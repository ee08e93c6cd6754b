package io.telemetrylake.appender.maintain;

import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What one maintenance run does. Each flag has an environment variable (for the Helm CronJob and
 * the image); the flag wins. Unset sizes and ages come from the table's properties where Iceberg
 * defines them ({@code write.target-file-size-bytes}, {@code history.expire.*}).
 *
 * @param orphansOlderThan files younger than this are never orphans: an upload in flight is young
 * @param every empty: one run; otherwise run again after each pause of this length
 * @param healthPort in loop mode, {@code /healthz} on this port (0: none)
 */
public record MaintenanceOptions(
    OptionalLong targetFileBytes,
    int minInputFiles,
    Optional<Duration> expireOlderThan,
    OptionalInt retainLast,
    Duration orphansOlderThan,
    boolean force,
    boolean dryRun,
    boolean json,
    Optional<Duration> every,
    int healthPort,
    Path workDir,
    long duckdbMemoryMb) {

  static final Duration MIN_ORPHAN_AGE = Duration.ofHours(1);
  static final Duration DEFAULT_ORPHAN_AGE = Duration.ofDays(3);
  static final long MIB = 1024L * 1024L;

  public static final String USAGE =
      """
      lake maintain: compact small files, expire snapshots, delete orphan files of the logs table
        --target-file-size-mb N    compacted file size (default: the table's write.target-file-size-bytes)
        --min-input-files N        compact a partition once it has N small files (default 5)
        --expire-older-than D      expire snapshots older than D (default: history.expire.max-snapshot-age-ms)
        --retain-last N            always keep the newest N snapshots (default: history.expire.min-snapshots-to-keep)
        --orphans-older-than D     delete unreferenced files older than D (default 3d; below 1h needs --force)
        --force                    allow --orphans-older-than below 1h
        --dry-run                  plan and report, change nothing
        --json                     print the report as one JSON object
        --every D                  run again every D until stopped
      Durations: 500ms, 0s, 90m, 24h, 7d. Settings: MAINTENANCE_* (see .env.example) and the
      appender's catalog and S3 settings (ICEBERG_*, S3_*).""";

  /** Thrown for a bad flag or setting: the message names it. */
  public static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  public static MaintenanceOptions parse(List<String> args, Settings env) {
    Flags f = new Flags(args);
    OptionalLong target = f.optionalLong("--target-file-size-mb", env, "MAINTENANCE_TARGET_FILE_SIZE_MB", 1, 64 * 1024);
    OptionalLong minInput = f.optionalLong("--min-input-files", env, "MAINTENANCE_MIN_INPUT_FILES", 2, 100_000);
    Optional<Duration> expire = f.duration("--expire-older-than", env, "MAINTENANCE_EXPIRE_OLDER_THAN");
    OptionalLong retain = f.optionalLong("--retain-last", env, "MAINTENANCE_RETAIN_LAST", 1, 1_000_000);
    Optional<Duration> orphans = f.duration("--orphans-older-than", env, "MAINTENANCE_ORPHANS_OLDER_THAN");
    boolean force = f.flag("--force") || env.bool("MAINTENANCE_FORCE", false);
    boolean dryRun = f.flag("--dry-run") || env.bool("MAINTENANCE_DRY_RUN", false);
    boolean json = f.flag("--json") || env.bool("MAINTENANCE_JSON", false);
    Optional<Duration> every = f.duration("--every", env, "MAINTENANCE_EVERY");
    f.rejectLeftovers();
    Duration orphanAge = orphans.orElse(DEFAULT_ORPHAN_AGE);
    if (orphanAge.compareTo(MIN_ORPHAN_AGE) < 0 && !force) {
      throw new UsageException(
          "--orphans-older-than " + DurationText.format(orphanAge) + " is below the 1h safety minimum:"
              + " files of an upload still in flight could be deleted; add --force to allow it");
    }
    if (every.isPresent() && every.get().isZero()) {
      throw new UsageException("--every must be longer than 0s");
    }
    try {
      return new MaintenanceOptions(
          target.isPresent() ? OptionalLong.of(target.getAsLong() * MIB) : OptionalLong.empty(),
          (int) minInput.orElse(5),
          expire,
          retain.isPresent() ? OptionalInt.of((int) retain.getAsLong()) : OptionalInt.empty(),
          orphanAge,
          force,
          dryRun,
          json,
          every,
          env.integer("MAINTENANCE_PORT", 0, 0, 65535),
          Path.of(env.string("MAINTENANCE_WORK_DIR",
              Path.of(System.getProperty("java.io.tmpdir"), "telemetry-lake-maintenance").toString())),
          env.longValue("MAINTENANCE_DUCKDB_MEMORY_MB", 1024, 64, 1024 * 1024));
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The arguments not yet consumed; a flag is taken out when read. */
  private static final class Flags {
    private final List<String> left;

    Flags(List<String> args) {
      this.left = new ArrayList<>(args);
    }

    boolean flag(String name) {
      return left.remove(name);
    }

    Optional<String> value(String name) {
      for (int i = 0; i < left.size(); i++) {
        String a = left.get(i);
        if (a.equals(name)) {
          if (i + 1 >= left.size()) {
            throw new UsageException(name + " needs a value");
          }
          String v = left.get(i + 1);
          left.subList(i, i + 2).clear();
          return Optional.of(v);
        }
        if (a.startsWith(name + "=")) {
          left.remove(i);
          return Optional.of(a.substring(name.length() + 1));
        }
      }
      return Optional.empty();
    }

    /** The flag's value, else the setting's; with where it came from, for messages. */
    private Optional<Raw> raw(String name, Settings env, String key) {
      Optional<String> flag = value(name);
      if (flag.isPresent()) {
        return Optional.of(new Raw(name, flag.get()));
      }
      return env.optional(key).map(v -> new Raw(key, v));
    }

    private record Raw(String source, String text) {}

    OptionalLong optionalLong(String name, Settings env, String key, long min, long max) {
      Optional<Raw> raw = raw(name, env, key);
      if (raw.isEmpty()) {
        return OptionalLong.empty();
      }
      long v;
      try {
        v = Long.parseLong(raw.get().text().trim());
      } catch (NumberFormatException e) {
        throw new UsageException(raw.get().source() + " must be a whole number, got '" + raw.get().text() + "'");
      }
      if (v < min || v > max) {
        throw new UsageException(raw.get().source() + " must be between " + min + " and " + max + ", got " + v);
      }
      return OptionalLong.of(v);
    }

    Optional<Duration> duration(String name, Settings env, String key) {
      return raw(name, env, key).map(r -> {
        try {
          return DurationText.parse(r.text());
        } catch (IllegalArgumentException e) {
          throw new UsageException(r.source() + ": " + e.getMessage());
        }
      });
    }

    void rejectLeftovers() {
      if (!left.isEmpty()) {
        throw new UsageException("unknown argument '" + left.get(0) + "' (see --help)");
      }
    }
  }
}
