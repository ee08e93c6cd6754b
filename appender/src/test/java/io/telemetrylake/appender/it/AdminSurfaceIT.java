package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.telemetrylake.appender.Appender;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin surface of a real appender (real Kafka, S3 and REST catalog): concurrent POST /flush
 * join one flush without starving the probes, the admin token covers /stats and (switched on)
 * /metrics, and a failing catalog's messages, credentials included, never reach the HTTP pages.
 */
@ExtendWith(DevStackExtension.class)
class AdminSurfaceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "it-admin-token-1";
  /** Past the server's 250 Jetty threads: blocking waiters would take them all. */
  private static final int MORE_THAN_THE_THREAD_POOL = 300;
  private static final int WAITERS = 16;

  @Test
  void fiftyConcurrentFlushesCommitOneSnapshotAndAllAreAnswered(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "flush-join", 2);
        CatalogGateway gateway = new CatalogGateway(stack.catalogUri());
        Appender appender = Appender.start(lake.config("a", "ICEBERG_CATALOG_URI", gateway.uri()))) {
      List<String> ids = stageSome(lake, appender);
      gateway.holdCommits();

      List<CompletableFuture<HttpResponse<String>>> answers = postFlushes(appender.port(), 50);

      await().atMost(Duration.ofSeconds(60)).until(() -> gateway.heldCommits() >= 1);
      // while the flush is running: the requests past the bound are answered at once...
      await().atMost(Duration.ofSeconds(30)).until(() -> done(answers) == 50 - WAITERS);
      assertThat(codes(answers)).containsOnly(202);
      // ...and the probes answer
      assertThat(healthzAnswersWithin(appender.port(), Duration.ofSeconds(2))).isTrue();
      gateway.forward();

      List<HttpResponse<String>> all = answers.stream().map(CompletableFuture::join).toList();
      assertThat(all).filteredOn(r -> r.statusCode() == 200).hasSize(WAITERS);
      assertThat(all).filteredOn(r -> r.statusCode() == 202).hasSize(50 - WAITERS);
      List<Long> snapshotIds = new ArrayList<>();
      for (HttpResponse<String> r : all) {
        if (r.statusCode() == 200) {
          snapshotIds.add(JSON.readTree(r.body()).get("snapshot_id").asLong());
        }
      }
      assertThat(snapshotIds).containsOnly(lake.loadTable().currentSnapshot().snapshotId());
      assertThat(httpSnapshots(lake)).hasSize(1);
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  @Test
  void flushWaitersCannotStarveHealthzEvenBeyondTheThreadPool(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "flush-starve", 1);
        CatalogGateway gateway = new CatalogGateway(stack.catalogUri());
        Appender appender = Appender.start(lake.config("a", "ICEBERG_CATALOG_URI", gateway.uri()))) {
      List<String> ids = stageSome(lake, appender);
      gateway.holdCommits();
      List<CompletableFuture<HttpResponse<String>>> answers;
      try {
        answers = postFlushes(appender.port(), MORE_THAN_THE_THREAD_POOL);
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.heldCommits() >= 1);

        // a blocking handler per waiter would leave no thread for the probe: it has to keep answering
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(40))
            .until(() -> healthzAnswersWithin(appender.port(), Duration.ofSeconds(2)));
      } finally {
        gateway.forward();
      }

      List<Integer> codes = answers.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
      assertThat(codes).filteredOn(c -> c == 200).hasSize(WAITERS);
      assertThat(codes).filteredOn(c -> c == 202).hasSize(MORE_THAN_THE_THREAD_POOL - WAITERS);
      assertThat(httpSnapshots(lake)).hasSize(1);
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  @Test
  void theAdminTokenCoversStatsAndMetricsWhenSwitchedOn(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "admin-token", 1)) {
      try (Appender open = Appender.start(lake.config("a", "APPENDER_AUTH_TOKEN", TOKEN))) {
        int port = open.port();
        HttpResponse<String> stats = Lake.http("GET", port, "/stats", null);
        assertThat(stats.statusCode()).as(stats.body()).isEqualTo(401);
        assertThat(stats.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(Lake.http("GET", port, "/stats", "wrong-token-123").statusCode()).isEqualTo(401);
        assertThat(Lake.http("GET", port, "/stats", TOKEN).body()).contains("\"buffer_records\"");
        // by default Prometheus scrapes without a token
        assertThat(Lake.http("GET", port, "/metrics", null).statusCode()).isEqualTo(200);
        assertThat(Lake.http("GET", port, "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(Lake.http("GET", port, "/readyz", null).statusCode()).isEqualTo(200);
      }
      try (Appender closed = Appender.start(
          lake.config("b", "APPENDER_AUTH_TOKEN", TOKEN, "APPENDER_METRICS_AUTH", "true"))) {
        int port = closed.port();
        HttpResponse<String> metrics = Lake.http("GET", port, "/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(401);
        assertThat(metrics.body()).doesNotContain("appender_records_consumed_total");
        assertThat(Lake.http("GET", port, "/metrics", TOKEN).body()).contains("appender_records_consumed_total");
        assertThat(Lake.http("GET", port, "/healthz", null).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aFailingCatalogsCredentialsNeverReachStatsReadyzOrFlush(DevStack stack) throws Exception {
    String password = "Sup3rS3cretPw";
    String queryToken = "Tok3nValue99";
    String accessKey = "AKIAIOSFODNN7EXAMPLE";
    String secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    String message = "upstream http://catalog-admin:" + password + "@catalog-db.internal:5432/iceberg?token="
        + queryToken + " refused the request; signing key " + accessKey + " aws_secret_access_key=" + secretKey;
    try (Lake lake = Lake.create(stack, "secret-errors", 1);
        CatalogGateway gateway = new CatalogGateway(stack.catalogUri());
        Appender appender = Appender.start(
            lake.config("a", "ICEBERG_CATALOG_URI", gateway.uri(), "APPENDER_AUTH_TOKEN", TOKEN))) {
      List<String> ids = stageSome(lake, appender);
      gateway.failCommits(403, JSON.writeValueAsString(JSON.createObjectNode().set("error",
          JSON.createObjectNode().put("message", message).put("type", "ForbiddenException").put("code", 403))));

      HttpResponse<String> flush = Lake.http("POST", appender.port(), "/flush", TOKEN);
      HttpResponse<String> stats = Lake.http("GET", appender.port(), "/stats", TOKEN);
      HttpResponse<String> readyz = Lake.http("GET", appender.port(), "/readyz", null);

      assertThat(flush.statusCode()).as(flush.body()).isEqualTo(503);
      for (HttpResponse<String> page : List.of(flush, stats, readyz)) {
        assertThat(page.body()).as(page.uri().getPath())
            .doesNotContain(password, queryToken, accessKey, secretKey, "catalog-admin", "catalog-db.internal");
      }
      JsonNode lastFlush = JSON.readTree(stats.body()).get("last_flush");
      assertThat(lastFlush.get("outcome").asText()).isEqualTo("failed");
      assertThat(lastFlush.get("error").asText()).contains("ForbiddenException").startsWith("catalog");
      assertThat(readyz.statusCode()).isEqualTo(503);
      assertThat(readyz.body()).contains("flushes are failing: catalog");

      gateway.forward();
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
          .until(() -> Lake.http("POST", appender.port(), "/flush", TOKEN).statusCode() == 200);
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  private static List<String> stageSome(Lake lake, Appender appender) {
    List<String> ids = lake.sendMany("adm", 60, 6, 1);
    await().atMost(Duration.ofSeconds(60)).until(() -> appender.status().stats().bufferRows() == ids.size());
    return ids;
  }

  private static List<CompletableFuture<HttpResponse<String>>> postFlushes(int port, int count) {
    HttpClient client = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      answers.add(client.sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/flush"))
              .timeout(Duration.ofMinutes(3))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    return answers;
  }

  private static boolean healthzAnswersWithin(int port, Duration limit) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(limit).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static long done(List<CompletableFuture<HttpResponse<String>>> answers) {
    return answers.stream().filter(CompletableFuture::isDone).count();
  }

  private static List<Integer> codes(List<CompletableFuture<HttpResponse<String>>> answers) {
    return answers.stream().filter(CompletableFuture::isDone)
        .map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
  }

  private static List<Long> httpSnapshots(Lake lake) {
    List<Long> out = new ArrayList<>();
    for (Snapshot s : lake.loadTable().snapshots()) {
      if ("http".equals(s.summary().get("telemetry-lake.trigger"))) {
        out.add(s.snapshotId());
      }
    }
    return out;
  }
}
