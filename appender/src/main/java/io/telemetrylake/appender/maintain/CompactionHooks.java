package io.telemetrylake.appender.maintain;

import io.telemetrylake.config.ConfigException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points of a compaction the fault tests halt at, as SIGKILL would. Test-only: {@code
 * MAINTENANCE_TEST_CRASH_AT=before-commit} (new files uploaded, rewrite not committed); never set
 * in production.
 */
public interface CompactionHooks {
  String SETTING = "MAINTENANCE_TEST_CRASH_AT";

  CompactionHooks NONE = new CompactionHooks() {};

  /** The partition's new files are uploaded; the rewrite commit is next. */
  default void beforeCommit() {}

  static CompactionHooks fromEnvironment(Map<String, String> env) {
    String value = env.getOrDefault(SETTING, "").trim();
    if (value.isEmpty()) {
      return NONE;
    }
    Logger log = LoggerFactory.getLogger(CompactionHooks.class);
    if (!value.equals("before-commit")) {
      throw new ConfigException(SETTING, "must be before-commit");
    }
    log.warn("{}={}: this runner halts at that point of a compaction (test-only)", SETTING, value);
    return new CompactionHooks() {
      @Override
      public void beforeCommit() {
        log.error("{}={}: halting now (test-only hook)", SETTING, value);
        Runtime.getRuntime().halt(137);
      }
    };
  }
}
