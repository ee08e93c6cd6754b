package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The appender as a real process: SIGUSR1, SIGTERM, and kill -9 in the middle of a flush. */
@ExtendWith(DevStackExtension.class)
class AppenderProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void flushesOnSigusr1(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "sigusr1", 2);
        AppenderProcess appender = AppenderProcess.start(lake.env("p"), lake.stagingRoot.resolve("p.log"))) {
      List<String> ids = lake.sendMany("u", 60, 6, 2);
      awaitStagedRecords(appender, 10);

      appender.signal("USR1");

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids));
      assertThat(triggers(lake)).containsExactly("signal");
      assertThat(appender.isAlive()).isTrue();
    }
  }

  @Test
  void flushesStagedRowsOnSigtermAndExitsCleanly(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "sigterm", 2);
        AppenderProcess appender = AppenderProcess.start(lake.env("p"), lake.stagingRoot.resolve("p.log"))) {
      List<String> ids = lake.sendMany("t", 60, 6, 2);
      awaitStagedRecords(appender, 10);

      int exit = appender.terminate(Duration.ofSeconds(60));

      assertThat(exit).as(appender.log()).isZero();
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(triggers(lake)).containsExactly("shutdown");
    }
  }

  /**
   * kill -9 (a halt of the JVM, through the test-only APPENDER_TEST_CRASH_AT hook) at three points
   * of a flush; after a restart every record is in the table exactly once and no uploaded file is
   * left outside it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"before-upload", "after-upload", "after-commit"})
  void keepsEveryRecordExactlyOnceWhenKilledDuringAFlush(String crashAt, DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "crash-" + crashAt, 2)) {
      List<String> ids = new ArrayList<>(lake.sendMany("a", 80, 8, 2));
      // a short session: the group notices the killed member within seconds, not the default 45 s
      try (AppenderProcess doomed = AppenderProcess.start(
          lake.env("same-disk", "APPENDER_TEST_CRASH_AT", crashAt,
              "KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000", "KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000"),
          lake.stagingRoot.resolve("1.log"))) {
        awaitStagedRecords(doomed, 10);
        doomed.signal("USR1");
        assertThat(doomed.waitFor(Duration.ofSeconds(60))).as(doomed.log()).isEqualTo(137);
        assertThat(doomed.log()).contains("APPENDER_TEST_CRASH_AT=" + crashAt);
      }
      int committedBeforeRestart = lake.ids().size();
      assertThat(committedBeforeRestart).isEqualTo(crashAt.equals("after-commit") ? ids.size() : 0);
      ids.addAll(lake.sendMany("b", 40, 8, 2));

      try (AppenderProcess restarted = AppenderProcess.start(
          lake.env("same-disk", "BUFFER_TIME_SECONDS", "2"), lake.stagingRoot.resolve("2.log"))) {
        await().atMost(Duration.ofSeconds(90)).until(() -> lake.ids().size() >= ids.size());

        assertThat(lake.ids()).as(restarted.log()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(lake.warehouseDataFiles()).containsExactlyInAnyOrderElementsOf(lake.tableDataFiles());
      }
    }
  }

  private static void awaitStagedRecords(AppenderProcess appender, long records) {
    await().atMost(Duration.ofSeconds(60)).until(() ->
        JSON.readTree(Lake.http("GET", appender.port(), "/stats", null).body())
            .get("buffer_records").asLong() >= records);
  }

  static List<String> triggers(Lake lake) {
    List<String> out = new ArrayList<>();
    for (Snapshot s : lake.loadTable().snapshots()) {
      Map<String, String> summary = s.summary();
      if (summary.containsKey("telemetry-lake.trigger")) {
        out.add(summary.get("telemetry-lake.trigger"));
      }
    }
    return out;
  }
}
