package io.telemetrylake.appender.flush;

import io.telemetrylake.config.ConfigException;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only: {@code APPENDER_TEST_CRASH_AT=before-upload|after-upload|after-commit} halts the
 * process at that point of the first flush that reaches it, as SIGKILL would (no shutdown hooks,
 * nothing flushed). The crash tests run the appender as a process with it; never set it in
 * production. Read here, apart from the appender's settings, so it reaches the flush code only as
 * {@link FlushHooks}.
 */
public final class CrashHooks implements FlushHooks {
  public static final String SETTING = "APPENDER_TEST_CRASH_AT";
  private static final Logger LOG = LoggerFactory.getLogger(CrashHooks.class);

  /** Where to halt. */
  public enum Point {
    BEFORE_UPLOAD,
    AFTER_UPLOAD,
    AFTER_COMMIT;

    public String settingValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Point point;

  CrashHooks(Point point) {
    this.point = point;
  }

  /**
   * The hooks {@code env} asks for: {@link FlushHooks#NONE} without {@value #SETTING}.
   *
   * @throws ConfigException naming the setting when its value is not a crash point
   */
  public static FlushHooks fromEnvironment(Map<String, String> env) {
    String value = env.get(SETTING);
    if (value == null || value.isBlank()) {
      return FlushHooks.NONE;
    }
    for (Point p : Point.values()) {
      if (p.settingValue().equals(value.trim())) {
        LOG.warn("{}={}: this appender halts at that point of a flush (test-only)", SETTING, value.trim());
        return new CrashHooks(p);
      }
    }
    throw new ConfigException(SETTING, "must be one of before-upload, after-upload, after-commit");
  }

  Point point() {
    return point;
  }

  @Override
  public void beforeUpload() {
    haltAt(Point.BEFORE_UPLOAD);
  }

  @Override
  public void afterUpload() {
    haltAt(Point.AFTER_UPLOAD);
  }

  @Override
  public void afterCommit() {
    haltAt(Point.AFTER_COMMIT);
  }

  private void haltAt(Point reached) {
    if (reached == point) {
      LOG.error("{}={}: halting now (test-only hook)", SETTING, point.settingValue());
      Runtime.getRuntime().halt(137);
    }
  }
}
