package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.devstack.ManagedServer;
import io.telemetrylake.samples.FuzzInputs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingester as {@code ./lake up} runs it (-Xmx512m, -XX:+ExitOnOutOfMemoryError, default
 * settings) under a memory attack while a real client sends: 24 concurrent gzip bombs that inflate
 * past the 64 MiB body limit and 8 concurrent 60 MiB plain bodies (half with a Content-Length,
 * half chunked). The ingester must stay up, refuse the attack (413, 429, 503 or an early close) and
 * land every record the client got a 200 for.
 */
// Local stack only: it reads the ingester process's peak RSS and checks it is still alive.
@ExtendWith(DevStackExtension.class)
class IngesterMemoryIT {
  private static final int BOMBS = 24;
  private static final int BIG_BODIES = 8;
  private static final int MIB = 1024 * 1024;
  // The default INGESTER_MAX_BODY_BYTES is 64 MiB: the bombs inflate past it.
  private static final int BOMB_INFLATED_BYTES = 65 * MIB;
  private static final int BIG_BODY_BYTES = 60 * MIB;
  private static final int MAX_ROUNDS = 4;
  private static final Set<String> REFUSALS = Set.of("413", "429", "503", "early-close");

  @TempDir Path tmp;

  @Test
  void gzipBombsAndHugeBodiesAreRefusedWhileARealClientsRecordsAllLand(DevStack stack) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "ingester-memory", Map.of("BUFFER_TIME_SECONDS", "2"))) {
      ManagedServer ingester = ((LocalStack.LocalServices) lake.services).pipeline().ingester();
      long pid = ingester.pid().orElseThrow();
      byte[] bomb = FuzzInputs.gzip(new byte[BOMB_INFLATED_BYTES]);
      byte[] big = new byte[BIG_BODY_BYTES];

      Load load = Load.start(lake.logsUri(), tmp, "--duration", "20", "--rate", "1500", "--connections", "2",
          "--batch", "200");
      await().atMost(Duration.ofSeconds(30)).until(() -> load.ackedIds().size() >= 1_000);

      Map<String, AtomicLong> bombOutcomes = new ConcurrentHashMap<>();
      Map<String, AtomicLong> bigOutcomes = new ConcurrentHashMap<>();
      HttpClient attacker = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ExecutorService threads = Executors.newFixedThreadPool(BOMBS + BIG_BODIES + 1);
      AtomicLong peakRssKib = new AtomicLong();
      // VmHWM is the peak itself; sampled because it is gone with the process if that dies.
      Future<?> sampler = threads.submit(() -> {
        while (!Thread.currentThread().isInterrupted() && ingester.isRunning()) {
          peakRssKib.accumulateAndGet(peakRssKib(pid), Math::max);
          Thread.sleep(200);
        }
        return null;
      });
      CountDownLatch go = new CountDownLatch(1);
      long attackStart = System.nanoTime();
      List<Future<?>> attacks = new ArrayList<>();
      try {
        for (int n = 0; n < BOMBS; n++) {
          boolean chunked = n % 2 == 0;
          attacks.add(threads.submit(() -> attack(go, load, bombOutcomes,
              () -> send(attacker, lake.logsUri(), bomb, true, chunked))));
        }
        for (int n = 0; n < BIG_BODIES; n++) {
          boolean chunked = n % 2 == 0;
          attacks.add(threads.submit(() -> attack(go, load, bigOutcomes,
              () -> send(attacker, lake.logsUri(), big, false, chunked))));
        }
        go.countDown();
        for (Future<?> attack : attacks) {
          attack.get();
        }
        peakRssKib.accumulateAndGet(peakRssKib(pid), Math::max);
      } finally {
        sampler.cancel(true);
        threads.shutdownNow();
      }
      long attackSeconds = Duration.ofNanos(System.nanoTime() - attackStart).toSeconds();
      boolean aliveAfterAttack = ingester.isRunning();
      assertThat(aliveAfterAttack).as("ingester alive after the attack; its log:%n%s", tail(ingester.logFile())).isTrue();

      assertThat(load.await()).as("lake send: every record acknowledged (%s)", load.summary()).isZero();
      String report = String.format("ingester -Xmx512m: peak RSS %d MiB; attack %d s: bombs %s, 60 MiB bodies %s; client %s",
          peakRssKib.get() / 1024, attackSeconds, bombOutcomes, bigOutcomes, load.summary().trim());
      System.out.println(report);
      Path reportFile = Path.of("target", "reliability", "ingester-memory.txt");
      Files.createDirectories(reportFile.getParent());
      Files.writeString(reportFile, report + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);

      assertThat(lake.get(lake.ingesterUri(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(bombOutcomes.keySet()).as("bombs").isNotEmpty().isSubsetOf(REFUSALS);
      assertThat(bigOutcomes.keySet()).as("60 MiB bodies").isNotEmpty().isSubsetOf(REFUSALS);
      assertThat(count(bombOutcomes) + count(bigOutcomes)).isGreaterThanOrEqualTo(BOMBS + BIG_BODIES);

      Set<String> acked = load.ackedIds();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        lake.flush();
        return lake.count() >= acked.size();
      });
      Set<String> landed = new HashSet<>(lake.ids());
      assertThat(acked).isNotEmpty();
      assertThat(landed).as("every acknowledged record is in the table").containsAll(acked);
    }
  }

  private interface Attempt {
    String send() throws InterruptedException;
  }

  /** Repeats one attacker's request while the client runs, a bounded number of times. */
  private static Void attack(CountDownLatch go, Load load, Map<String, AtomicLong> outcomes, Attempt attempt)
      throws InterruptedException {
    go.await();
    for (int round = 0; round < MAX_ROUNDS && (round == 0 || !load.isDone()); round++) {
      outcomes.computeIfAbsent(attempt.send(), k -> new AtomicLong()).incrementAndGet();
    }
    return null;
  }

  /** The status, or "early-close" when the server closed the connection before answering. */
  private static String send(HttpClient client, URI uri, byte[] body, boolean gzip, boolean chunked)
      throws InterruptedException {
    HttpRequest.BodyPublisher publisher = chunked
        // No known length: Transfer-Encoding: chunked, as real clients (and evasive bombs) send.
        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
        : HttpRequest.BodyPublishers.ofByteArray(body);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/x-protobuf").POST(publisher);
    if (gzip) {
      request.header("Content-Encoding", "gzip");
    }
    try {
      return Integer.toString(client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    } catch (IOException e) {
      return "early-close";
    }
  }

  /** VmHWM: the process's peak resident set since it started; 0 once it is gone. */
  private static long peakRssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      // the process has ended
    }
    return 0;
  }

  private static long count(Map<String, AtomicLong> outcomes) {
    return outcomes.values().stream().mapToLong(AtomicLong::get).sum();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
