package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetrylake.appender.testing.SpanSamples;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.table.TraceTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The appender as a real process: SIGUSR1, SIGTERM (both flush every signal), and kill -9 in the
 * middle of a flush.
 */
@ExtendWith(DevStackExtension.class)
class AppenderProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void flushesEverySignalOnSigusr1(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "sigusr1", 2);
        AppenderProcess appender = AppenderProcess.start(lake.env("p"), lake.stagingRoot.resolve("p.log"))) {
      List<String> ids = lake.sendMany("u", 60, 6, 2);
      List<String> spans = sendSpans(lake, "us", 12);
      awaitStagedRecords(appender, 10);
      awaitStagedTraces(appender, 2);

      appender.signal("USR1");

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(spanNames(lake)).containsExactlyInAnyOrderElementsOf(spans);
      });
      assertThat(triggers(lake)).containsExactly("signal");
      assertThat(triggers(lake.loadTracesTable())).containsExactly("signal");
      assertThat(appender.isAlive()).isTrue();
    }
  }

  @Test
  void flushesStagedRowsOnSigtermAndExitsCleanly(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "sigterm", 2);
        AppenderProcess appender = AppenderProcess.start(lake.env("p"), lake.stagingRoot.resolve("p.log"))) {
      List<String> ids = lake.sendMany("t", 60, 6, 2);
      List<String> spans = sendSpans(lake, "ts", 12);
      awaitStagedRecords(appender, 10);
      awaitStagedTraces(appender, 2);

      int exit = appender.terminate(Duration.ofSeconds(60));

      assertThat(exit).as(appender.log()).isZero();
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(triggers(lake)).containsExactly("shutdown");
      // every signal flushes on shutdown
      assertThat(spanNames(lake)).containsExactlyInAnyOrderElementsOf(spans);
      assertThat(triggers(lake.loadTracesTable())).containsExactly("shutdown");
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

  /** Two records of {@code count / 2} spans on the traces topic, one per partition; their span names. */
  private static List<String> sendSpans(Lake lake, String prefix, int count) {
    List<String> names = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      int first = p * count / 2;
      lake.sendTraces(p, SpanSamples.simple("svc-" + prefix, prefix, first, count / 2).toByteArray());
      for (int i = first; i < first + count / 2; i++) {
        names.add(prefix + "-" + i);
      }
    }
    return names;
  }

  private static List<String> spanNames(Lake lake) {
    return lake.tracesRows().stream().map(r -> (String) r.getField(TraceTable.SPAN_NAME)).toList();
  }

  private static void awaitStagedTraces(AppenderProcess appender, long records) {
    await().atMost(Duration.ofSeconds(60)).until(() ->
        JSON.readTree(Lake.http("GET", appender.port(), "/stats?signal=traces", null).body())
            .get("buffer_records").asLong() >= records);
  }

  static List<String> triggers(Lake lake) {
    return triggers(lake.loadTable());
  }

  static List<String> triggers(Table table) {
    List<String> out = new ArrayList<>();
    for (Snapshot s : table.snapshots()) {
      Map<String, String> summary = s.summary();
      if (summary.containsKey("telemetry-lake.trigger")) {
        out.add(summary.get("telemetry-lake.trigger"));
      }
    }
    return out;
  }
}
