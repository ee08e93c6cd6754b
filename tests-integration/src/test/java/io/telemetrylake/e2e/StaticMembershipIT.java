package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.devstack.ManagedServer;
import io.telemetrylake.devstack.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static group membership (APPENDER_INSTANCE_ID as the consumer's {@code group.instance.id}), on
 * real processes: a restarted appender resumes at once, a frozen one that comes back late is
 * fenced, a duplicate id stops the older process, and a graceful stop still hands its partitions
 * over. Each test has its own consumer group, so members left by other tests cannot delay it.
 * Figures go to {@code target/reliability/report.txt} like FaultsIT's.
 */
// Local stack only: it kills, freezes and restarts child processes.
@ExtendWith(DevStackExtension.class)
class StaticMembershipIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RESUME_WITHIN = Duration.ofSeconds(10);
  private static final Pattern FENCED_FLUSHES =
      Pattern.compile("appender_flushes_total\\{[^}]*outcome=\"fenced\"[^}]*\\} (\\d+(\\.\\d+)?)");

  @TempDir Path tmp;

  @Test
  void appenderKilledAndStartedAgainWithTheSameInstanceIdConsumesWithinTenSecondsOfJoining(DevStack stack) throws Exception {
    // the session timeout is the default (30 s; 45 s before static membership): not shortened
    try (Lake lake = Lake.start(new LocalStack(stack), "restart", group(Map.of("BUFFER_TIME_SECONDS", "2")))) {
      ManagedServer appender = pipeline(lake).appenders().get(0).server();
      Load before = Load.start(lake.logsUri(), tmp, "--count", "2000", "--rate", "2000");
      assertThat(before.await()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> lake.count() >= 2000);

      appender.kill();
      long killed = System.nanoTime();
      // waiting in Kafka for the restarted appender
      Load whileDown = Load.start(lake.logsUri(), tmp, "--count", "2000", "--rate", "2000");
      assertThat(whileDown.await()).isZero();
      long launched = System.nanoTime();
      appender.start();
      // it opens its admin port right before its poll loop joins the group
      long answering = System.nanoTime();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
          .until(() -> stats(lake, 0).path("totals").path("records_consumed").asLong() > 0);
      long consuming = System.nanoTime();
      Duration afterJoining = Duration.ofNanos(consuming - answering);

      report(String.format("appender SIGKILL + restart with the same APPENDER_INSTANCE_ID: consuming again %.1f s"
          + " after it joined the group (%.1f s after the launch, of which %.1f s JVM and appender start-up)",
          afterJoining.toMillis() / 1000.0, (consuming - launched) / 1e9, (answering - launched) / 1e9));
      assertThat(Duration.ofNanos(answering - killed))
          .as("the restart joined while the dead member's 30 s session still ran (else this shows nothing)")
          .isLessThan(Duration.ofSeconds(30));
      assertThat(afterJoining).as("from the restarted appender joining the group to its first consumed record")
          .isLessThan(RESUME_WITHIN);
      assertExactlyOnce(lake, before, whileDown);
    }
  }

  @Test
  void frozenAppenderThatComesBackAfterItsPartitionsMovedIsFencedAndNothingIsDuplicatedOrLost(DevStack stack)
      throws Exception {
    // The zombie flushes by age after 6 s, as long as its session: frozen with rows staged for
    // longer than that, its batch is due the moment it runs again, before it learns it was
    // replaced (which takes a few round trips to the coordinator).
    Map<String, String> settings = group(Map.of("BUFFER_TIME_SECONDS", "6",
        "KAFKA_CLIENT_SESSION_TIMEOUT_MS", "6000", "KAFKA_CLIENT_HEARTBEAT_INTERVAL_MS", "1000"));
    try (Lake lake = Lake.start(new LocalStack(stack), "zombie", settings)) {
      Pipeline.Appender zombie = pipeline(lake).appenders().get(0);
      pipeline(lake).startAppender(Map.of("BUFFER_TIME_SECONDS", "2"));
      await().atMost(Duration.ofSeconds(60)).until(() -> partitions(lake, 0) == 2 && partitions(lake, 1) == 2);
      Load load = Load.start(lake.logsUri(), tmp, "--count", "4000", "--rate", "4000");
      assertThat(load.await()).isZero();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> stats(lake, 0).path("buffer_records").asLong() > 0);

      zombie.server().pause();
      long frozen = System.nanoTime();
      try {
        // the other appender takes every partition and commits every record, the zombie's too
        await().atMost(Duration.ofSeconds(60)).until(() -> partitions(lake, 1) == 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> lake.count() >= load.ackedIds().size());
      } finally {
        zombie.server().resume();
      }
      double pausedSeconds = (System.nanoTime() - frozen) / 1e9;

      await().atMost(Duration.ofSeconds(60)).until(() -> fencedFlushes(lake) > 0);
      String log = Files.readString(zombie.server().logFile());
      assertThat(log).contains("were committed by another appender meanwhile");
      // it rejoins under its own id and takes partitions again
      await().atMost(Duration.ofSeconds(60)).until(() -> partitions(lake, 0) > 0);
      Result r = assertExactlyOnce(lake, load);
      report(String.format("appender frozen (SIGSTOP) %.0f s, past its 6 s session, with rows staged, then SIGCONT:"
          + " %d fenced flush(es), acknowledged %d, found %d, duplicates %d",
          pausedSeconds, fencedFlushes(lake), r.acked, r.found, r.duplicates));
    }
  }

  @Test
  void secondProcessWithTheSameInstanceIdFencesTheFirstWhichExitsNamingTheSetting(DevStack stack)
      throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "same-id", group(Map.of("BUFFER_TIME_SECONDS", "2")))) {
      Pipeline.Appender first = pipeline(lake).appenders().get(0);
      await().atMost(Duration.ofSeconds(60)).until(() -> partitions(lake, 0) == 4);

      pipeline(lake).startAppender(Map.of("APPENDER_INSTANCE_ID", first.instanceId()));

      await().atMost(Duration.ofSeconds(60)).until(() -> !first.server().isRunning());
      assertThat(first.server().exitCode()).hasValue(1);
      assertThat(Files.readString(first.server().logFile()))
          .contains("same APPENDER_INSTANCE_ID '" + first.instanceId() + "'");
      // the newer process owns the id and consumes
      await().atMost(Duration.ofSeconds(60)).until(() -> partitions(lake, 1) == 4);
    }
  }

  @Test
  void gracefullyStoppedAppenderHandsItsPartitionsOverWithoutWaitingForItsSession(DevStack stack)
      throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "leave", group(Map.of("BUFFER_TIME_SECONDS", "2")))) {
      Pipeline.Appender second = pipeline(lake).startAppender(Map.of());
      await().atMost(Duration.ofSeconds(60)).until(() -> partitions(lake, 0) == 2 && partitions(lake, 1) == 2);
      Load load = Load.start(lake.logsUri(), tmp, "--count", "2000", "--rate", "2000");
      assertThat(load.await()).isZero();

      second.server().stop();
      long stopped = System.nanoTime();
      // a static member that stops without leaving keeps its partitions for the 30 s session
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> partitions(lake, 0) == 4);
      Duration handedOver = Duration.ofNanos(System.nanoTime() - stopped);

      report(String.format("appender SIGTERM with another in the group: its partitions moved %.1f s after it exited",
          handedOver.toMillis() / 1000.0));
      assertThat(handedOver).isLessThan(RESUME_WITHIN);
      assertExactlyOnce(lake, load);
    }
  }

  // ---- helpers

  /** A consumer group of the test's own. */
  private static Map<String, String> group(Map<String, String> settings) {
    Map<String, String> out = new HashMap<>(settings);
    out.put("APPENDER_GROUP_ID", "static-" + UUID.randomUUID().toString().substring(0, 8));
    return out;
  }

  private static Pipeline pipeline(Lake lake) {
    return ((LocalStack.LocalServices) lake.services).pipeline();
  }

  private static JsonNode stats(Lake lake, int appender) throws Exception {
    return JSON.readTree(lake.get(lake.services.appenderUris().get(appender), "/stats").body());
  }

  /** Partitions the appender holds now (0 while it does not answer). */
  private static int partitions(Lake lake, int appender) {
    try {
      return stats(lake, appender).path("partitions").size();
    } catch (Exception e) {
      return 0;
    }
  }

  private static long fencedFlushes(Lake lake) throws Exception {
    String metrics = lake.get(lake.services.appenderUris().get(0), "/metrics").body();
    long total = 0;
    Matcher m = FENCED_FLUSHES.matcher(metrics);
    while (m.find()) {
      total += (long) Double.parseDouble(m.group(1));
    }
    return total;
  }

  record Result(int acked, int found, int duplicates) {}

  /** Flushes until every acknowledged record is in the table; none may be there twice. */
  private static Result assertExactlyOnce(Lake lake, Load... loads) throws IOException {
    Set<String> acked = new HashSet<>();
    Set<String> runs = new HashSet<>();
    for (Load load : loads) {
      acked.addAll(load.ackedIds());
      runs.add(load.runId + "-");
    }
    Map<String, Integer> counts = lake.awaitIds(
        acked, id -> runs.stream().anyMatch(id::startsWith), Duration.ofSeconds(120), Duration.ofSeconds(1));
    Set<String> missing = new HashSet<>(acked);
    missing.removeAll(counts.keySet());
    int duplicates = counts.values().stream().mapToInt(c -> c - 1).sum();
    assertThat(missing).as("acknowledged records missing from the table").isEmpty();
    assertThat(duplicates).as("records in the table more than once").isZero();
    return new Result(acked.size(), counts.size(), duplicates);
  }

  private static void report(String line) throws IOException {
    System.out.println("[reliability] " + line);
    Path file = Path.of("target", "reliability", "report.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
