package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.appender.Appender;
import io.telemetrylake.appender.AppenderConfig;
import io.telemetrylake.appender.maintain.MaintenanceOptions;
import io.telemetrylake.appender.maintain.MaintenanceReport;
import io.telemetrylake.appender.maintain.MaintenanceRun;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `lake maintain`'s runner against real Kafka, S3 and a REST catalog, with appenders committing. */
@ExtendWith(DevStackExtension.class)
class MaintenanceIT {
  @TempDir Path work;

  private MaintenanceReport maintain(Table table, String... args) {
    MaintenanceOptions options = MaintenanceOptions.parse(List.of(args),
        new Settings(Map.of("MAINTENANCE_WORK_DIR", work.toString(), "MAINTENANCE_DUCKDB_MEMORY_MB", "256")));
    MaintenanceReport report = new MaintenanceRun(options, Clock.systemUTC()).run(table, options);
    assertThat(report.errors()).as(report.toText()).isEmpty();
    return report;
  }

  private static void flush(Appender appender, long expectedStagedRecords) {
    await().atMost(Duration.ofSeconds(60))
        .until(() -> appender.status().stats().bufferRecords() == expectedStagedRecords);
    HttpResponse<String> flushed = Lake.http("POST", appender.port(), "/flush", null);
    assertThat(flushed.statusCode()).as(flushed.body()).isEqualTo(200);
  }

  private static List<String> rowStrings(Lake lake) {
    List<String> rows = new ArrayList<>();
    for (Record r : lake.rows()) {
      rows.add(r.toString());
    }
    Collections.sort(rows);
    return rows;
  }

  @Test
  void compactsFiftySmallFlushesIntoOneFileAndKeepsEveryRowAndTheOffsets(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "maintain", 2)) {
      AppenderConfig config = lake.config("m", "BUFFER_TIME_SECONDS", "600");
      List<String> ids = new ArrayList<>();
      try (Appender appender = Appender.start(config)) {
        for (int i = 0; i < 50; i++) {
          ids.addAll(lake.sendMany("f" + i, 20, 10, 2));
          flush(appender, 2);
        }
        Table table = lake.loadTable();
        assertThat(lake.tableDataFiles()).hasSizeGreaterThanOrEqualTo(50);
        List<String> before = rowStrings(lake);
        // an upload that never got committed, as a crash leaves behind
        String orphan = table.location() + "/data/orphan-of-a-crash.parquet";
        try (OutputStream out = table.io().newOutputFile(orphan).create()) {
          out.write(new byte[] {1, 2, 3});
        }

        MaintenanceReport report = maintain(table, "--expire-older-than", "0s", "--retain-last", "3",
            "--orphans-older-than", "0s", "--force");

        assertThat(report.compaction()).isNotEmpty()
            .allSatisfy(p -> assertThat(p.filesAfter()).as(report.toText()).isEqualTo(1));
        int partitions = report.compaction().size();
        assertThat(lake.tableDataFiles()).hasSize(partitions);
        assertThat(rowStrings(lake)).isEqualTo(before);
        table.refresh();
        assertThat(table.snapshots()).hasSizeLessThanOrEqualTo(3);
        assertThat(report.orphans().deleted()).isGreaterThanOrEqualTo(1);
        assertThat(table.io().newInputFile(orphan).exists()).isFalse();

        // the appender keeps committing exactly once on top of the compacted table
        ids.addAll(lake.sendMany("after", 20, 10, 2));
        flush(appender, 2);
        assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);

        // expire every snapshot but the current one, made by maintenance: no snapshot has offsets
        // (the files the current snapshot replaced stay until it expires too, as Iceberg keeps them;
        // unreferenced by any live entry, they are orphans to a 0s threshold)
        maintain(table, "--expire-older-than", "0s", "--retain-last", "1", "--min-input-files", "2",
            "--orphans-older-than", "0s", "--force");
        table.refresh();
        assertThat(table.snapshots()).hasSize(1);
        assertThat(table.currentSnapshot().summary()).containsKey("telemetry-lake.maintenance");
        // every replaced file is gone from S3 too, not only from the table
        assertThat(lake.warehouseDataFiles()).containsExactlyInAnyOrderElementsOf(lake.tableDataFiles());
      }
      // a restarted appender resumes from the offsets the table property kept
      try (Appender restarted = Appender.start(config)) {
        ids.addAll(lake.sendMany("restart", 20, 10, 2));
        flush(restarted, 2);
        assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
      }
    }
  }

  @Test
  void appendersCommitExactlyOnceWhileMaintenanceRunsRepeatedly(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "maintain-live", 2);
        Appender appender = Appender.start(lake.config("live", "BUFFER_TIME_SECONDS", "1"))) {
      ExecutorService sender = Executors.newSingleThreadExecutor();
      try {
        Future<List<String>> sent = sender.submit(() -> {
          List<String> all = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            all.addAll(lake.sendMany("live" + i, 20, 5, 2));
            Thread.sleep(150); // pacing the load over several flushes, not waiting for a condition
          }
          return all;
        });
        await().atMost(Duration.ofSeconds(60)).until(lake::tableExists);
        int runs = 0;
        while (!sent.isDone() || runs < 3) {
          maintain(lake.loadTable(), "--min-input-files", "2", "--expire-older-than", "0s", "--retain-last", "2");
          runs++;
        }
        List<String> ids = sent.get();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
            .until(() -> lake.ids().size() >= ids.size());
        assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
        Table table = lake.loadTable();
        for (String file : lake.tableDataFiles()) {
          assertThat(table.io().newInputFile(file).exists()).as(file).isTrue();
        }
        // a maintenance commit between an appender's check and commit is a conflict, never a fence
        String metrics = Lake.http("GET", appender.port(), "/metrics", null).body();
        assertThat(metrics.lines().filter(l -> l.startsWith("appender_flushes_total{")
            && (l.contains("outcome=\"fenced\"") || l.contains("outcome=\"failed\"")))
            .filter(l -> !l.endsWith(" 0.0"))).as(metrics).isEmpty();
      } finally {
        sender.shutdownNow();
      }
    }
  }
}
