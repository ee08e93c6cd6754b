package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The staging directory on a disk that fills up (a 40 MiB tmpfs): the appender must not stay up
 * healthy and stuck. It dies with a non-zero exit code, /healthz saying 503 until then; restarted
 * over the same staging files on a normal disk, it commits every acknowledged record exactly once.
 */
@ExtendWith(DevStackExtension.class)
class StagingDiskFullIT {
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(120);

  @Test
  void diesWithANonZeroExitCodeWhenStagingFillsItsDiskAndARestartCommitsEveryRecordOnce(
      DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "disk-full", 2)) {
      List<String> ids;
      Path small = lake.stagingRoot.resolve("small");
      try (SmallDisk disk = SmallDisk.mount(small, "40m");
          AppenderProcess doomed = AppenderProcess.start(
              // the default flush size (100 MB of records): more than the disk takes once staged,
              // sorted and written as Parquet
              lake.env("small/staging"),
              lake.stagingRoot.resolve("1.log"));
          HealthWatch health = new HealthWatch(doomed.port())) {
        long sendingFrom = System.nanoTime();
        ids = lake.sendMany("f", 400_000, 100, 2, 250);

        int exit = doomed.waitFor(EXIT_WITHIN);
        long exitedAt = System.nanoTime();

        assertThat(exit).as(doomed.log()).isNotZero();
        // A dead loop may exit faster than one /healthz poll: what must hold is that it did not
        // stay healthy for long once stuck (the last 200 is while it still consumed) and that
        // /healthz never said 200 again after a 503.
        Duration healthyUntilExit = Duration.ofNanos(exitedAt - health.lastOkAt());
        System.out.printf(
            "StagingDiskFullIT: exit code %d, %d ms after sending began, %d ms after the last"
                + " /healthz 200, %s%n",
            exit, (exitedAt - sendingFrom) / 1_000_000, healthyUntilExit.toMillis(),
            health.first503At() == 0 ? "no 503 seen (exited within a poll)"
                : (exitedAt - health.first503At()) / 1_000_000 + " ms after the first 503");
        assertThat(health.lastOkAt()).as("/healthz answered 200 while running").isPositive();
        assertThat(healthyUntilExit).as("healthy while stuck, before the exit").isLessThan(Duration.ofSeconds(20));
        assertThat(health.okAfter503()).as("/healthz 200 after a 503").isFalse();
        copyTree(disk.dir().resolve("staging"), lake.stagingRoot.resolve("normal"));
      }

      // the pod's volume, moved to a disk with room: leftover (broken) staging files included
      try (AppenderProcess restarted = AppenderProcess.start(
          // DuckDB's default memory: the test's 256 MB is too little to sort 100 MB batches
          lake.env("normal", "APPENDER_DUCKDB_MEMORY_MB", "1024", "BUFFER_TIME_SECONDS", "2"),
          lake.stagingRoot.resolve("2.log"))) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
            .until(() -> totalRecords(lake) >= ids.size());

        // by counting: AssertJ's containsExactlyInAnyOrder is quadratic, too slow for 400,000
        Map<String, Long> counts =
            lake.ids().stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey))
            .as("ids in the table more than once").isEmpty();
        assertThat(ids.stream().filter(id -> !counts.containsKey(id)))
            .as("acknowledged ids missing from the table").isEmpty();
        assertThat(counts).hasSameSizeAs(ids);
        assertThat(lake.warehouseDataFiles()).containsExactlyInAnyOrderElementsOf(lake.tableDataFiles());
      }
    }
  }

  private static long totalRecords(Lake lake) {
    if (!lake.tableExists()) {
      return 0;
    }
    Snapshot s = lake.loadTable().currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  private static void copyTree(Path from, Path to) {
    try (var walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls /healthz every 100 ms: its last 200, its first 503, and whether 200 came back after. */
  private static final class HealthWatch implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicLong first503 = new AtomicLong();
    private final AtomicLong lastOk = new AtomicLong();
    private volatile boolean okAfter503;

    HealthWatch(int port) {
      HttpRequest healthz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
          .timeout(Duration.ofSeconds(2)).build();
      timer.scheduleWithFixedDelay(() -> {
        int code;
        try {
          code = client.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
          return; // not listening (any more)
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (code == 503) {
          first503.compareAndSet(0, System.nanoTime());
        } else if (code == 200) {
          lastOk.set(System.nanoTime());
          if (first503.get() != 0) {
            okAfter503 = true;
          }
        }
      }, 0, 100, TimeUnit.MILLISECONDS);
    }

    long lastOkAt() {
      return lastOk.get();
    }

    long first503At() {
      return first503.get();
    }

    boolean okAfter503() {
      return okAfter503;
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
