package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetrylake.appender.Appender;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Exactly once across rebalances between appenders, and across an S3 outage. */
@ExtendWith(DevStackExtension.class)
class ExactlyOnceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void twoAppendersInOneGroupCommitEveryRecordOnceThroughRebalances(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "rebalance", 4)) {
      List<String> ids = new ArrayList<>();
      Appender b;
      // A keeps its rows staged until it has to give partitions up (rebalance) or stops (shutdown)
      try (Appender a = Appender.start(lake.config("a", "BUFFER_TIME_SECONDS", "600"))) {
        ids.addAll(lake.sendMany("r1", 400, 10, 4));
        await().atMost(Duration.ofSeconds(60)).until(() -> a.status().stats().bufferRecords() > 0);

        // B joins while A holds staged rows: A flushes the partitions it gives up
        b = Appender.start(lake.config("b", "BUFFER_TIME_SECONDS", "3"));
        ids.addAll(lake.sendMany("r2", 400, 10, 4));
        await().atMost(Duration.ofSeconds(60)).until(() ->
            b.status().stats().partitions().size() == 2 && a.status().stats().partitions().size() == 2);
        ids.addAll(lake.sendMany("r3", 400, 10, 4));
        await().atMost(Duration.ofSeconds(60)).until(() -> a.status().stats().bufferRecords() > 0);
      } // A leaves with staged rows: its shutdown flush, then B takes all partitions
      try (b) {
        ids.addAll(lake.sendMany("r4", 400, 10, 4));

        await().atMost(Duration.ofSeconds(120)).until(() -> lake.ids().size() >= ids.size());

        assertThat(lake.ids()).hasSize(ids.size()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(AppenderProcessIT.triggers(lake)).contains("rebalance", "shutdown", "time");
        assertThat(b.status().stats().partitions()).hasSize(4);
      }
    }
  }

  @Test
  void losesNothingAndLeavesNoOrphansWhenS3IsDownDuringFlushes(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "s3-outage", 2);
        Appender appender = Appender.start(lake.config("a",
            "BUFFER_SIZE_MB", "1", "APPENDER_MAX_STAGED_MB", "2", "BUFFER_TIME_SECONDS", "600",
            // the last poll before the pause overshoots the cap by up to one fetch per partition
            // (1 MiB each by default, which made the 3 MiB bound below flaky): keep it small
            "KAFKA_CLIENT_MAX_PARTITION_FETCH_BYTES", "262144"))) {
      List<String> ids = new ArrayList<>(lake.sendMany("before", 40, 4, 2));
      await().atMost(Duration.ofSeconds(60)).until(() -> appender.status().stats().bufferRecords() == 10);
      try {
        stack.s3().stop();

        HttpResponse<String> failed = Lake.http("POST", appender.port(), "/flush", null);
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
        assertThat(JSON.readTree(failed.body()).get("outcome").asText()).isEqualTo("failed");
        HttpResponse<String> ready = Lake.http("GET", appender.port(), "/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("flushes are failing");

        // ~3 MB more: size flushes fail, staging reaches the cap, consumption pauses
        ids.addAll(lake.sendMany("during", 3000, 100, 2, 1000));
        await().atMost(Duration.ofSeconds(90)).until(() -> appender.status().stats().paused());
        assertThat(Lake.http("GET", appender.port(), "/readyz", null).body())
            .contains("consumption paused");
        long stagedWhilePaused = appender.status().stats().bufferSizeBytes();
        assertThat(stagedWhilePaused).isLessThan(3L << 20);
      } finally {
        stack.s3().start();
      }

      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        HttpResponse<String> r = Lake.http("POST", appender.port(), "/flush", null);
        return r.statusCode() == 200 && appender.status().stats().bufferRecords() == 0
            && lake.ids().size() >= ids.size();
      });

      assertThat(lake.ids()).hasSize(ids.size()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(lake.warehouseDataFiles()).containsExactlyInAnyOrderElementsOf(lake.tableDataFiles());
      await().atMost(Duration.ofSeconds(10)).until(() ->
          Lake.http("GET", appender.port(), "/readyz", null).statusCode() == 200);
    }
  }
}
