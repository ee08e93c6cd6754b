package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrashHooksTest {

  @Test
  void noHooksWithoutTheSetting() {
    assertThat(CrashHooks.fromEnvironment(Map.of())).isSameAs(FlushHooks.NONE);
  }

  @Test
  void readsTheCrashPoint() {
    FlushHooks hooks = CrashHooks.fromEnvironment(Map.of(CrashHooks.SETTING, "after-upload"));
    assertThat(hooks).isInstanceOf(CrashHooks.class);
    assertThat(((CrashHooks) hooks).point()).isEqualTo(CrashHooks.Point.AFTER_UPLOAD);
  }

  @Test
  void refusesAnUnknownPointNamingTheSetting() {
    assertThatThrownBy(() -> CrashHooks.fromEnvironment(Map.of(CrashHooks.SETTING, "later")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("APPENDER_TEST_CRASH_AT: must be one of");
  }
}
