package io.telemetrylake.appender.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API on a real (started) Javalin server, with the poll loop replaced by a function. */
class AdminServerTest {
  private final AppenderStatus status = new AppenderStatus();
  private final AtomicReference<FlushReport> next = new AtomicReference<>();
  private Javalin app;

  private int start(Optional<String> token) {
    return start(token, false, trigger -> CompletableFuture.completedFuture(next.get()), Duration.ofSeconds(5));
  }

  private int start(Optional<String> token, boolean metricsAuth,
      Function<FlushTrigger, CompletableFuture<FlushReport>> flushes, Duration flushTimeout) {
    status.loopRunning(true);
    app = AdminServer.create(status, new AppenderMetrics(), flushes, token, metricsAuth, flushTimeout);
    app.start("127.0.0.1", 0);
    return app.port();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
  }

  private static HttpResponse<String> call(String method, int port, String path, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static FlushReport report(FlushReport.Outcome outcome, String error) {
    return new FlushReport(FlushTrigger.HTTP, outcome, 12, 3, 1, 999, 45, 777L, Map.of(0, 3L),
        List.of(), Map.of("copy", 5L), error, 0);
  }

  @Test
  void answersAFlushWithWhatWasCommittedInSnakeCase() throws Exception {
    int port = start(Optional.empty());
    next.set(report(FlushReport.Outcome.COMMITTED, null));

    HttpResponse<String> r = call("POST", port, "/flush", null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"outcome\":\"committed\"", "\"trigger\":\"http\"", "\"rows\":12",
        "\"snapshot_id\":777", "\"duration_ms\":45", "\"offsets\":{\"0\":3}");
  }

  @Test
  void mapsFencedAndFailedFlushesToConflictAndUnavailable() throws Exception {
    int port = start(Optional.empty());
    next.set(report(FlushReport.Outcome.FENCED, "moved"));
    assertThat(call("POST", port, "/flush", null).statusCode()).isEqualTo(409);

    next.set(report(FlushReport.Outcome.FAILED, "S3 is down"));
    HttpResponse<String> failed = call("POST", port, "/flush", null);
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("S3 is down");
  }

  @Test
  void requiresTheBearerTokenWhenOneIsConfigured() throws Exception {
    int port = start(Optional.of("s3cret-token"));
    next.set(report(FlushReport.Outcome.COMMITTED, null));

    HttpResponse<String> missing = call("POST", port, "/flush", null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(missing.body()).doesNotContain("s3cret-token");
    assertThat(call("POST", port, "/flush", "Bearer nope").statusCode()).isEqualTo(401);
    assertThat(call("POST", port, "/flush", "Bearer s3cret-token").statusCode()).isEqualTo(200);
    // /stats shows offsets and failure reasons: the same token
    HttpResponse<String> stats = call("GET", port, "/stats", null);
    assertThat(stats.statusCode()).isEqualTo(401);
    assertThat(stats.body()).contains("APPENDER_AUTH_TOKEN").doesNotContain("s3cret-token");
    assertThat(call("GET", port, "/stats", "Bearer s3cret-token").statusCode()).isEqualTo(200);
    // probes carry no token; scrapers neither unless APPENDER_METRICS_AUTH
    assertThat(call("GET", port, "/healthz", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", port, "/readyz", null).statusCode()).isEqualTo(200);
    assertThat(call("GET", port, "/metrics", null).statusCode()).isEqualTo(200);
  }

  @Test
  void metricsNeedTheTokenWhenSwitchedOn() throws Exception {
    int port = start(Optional.of("s3cret-token"), true,
        trigger -> CompletableFuture.completedFuture(next.get()), Duration.ofSeconds(5));

    HttpResponse<String> missing = call("GET", port, "/metrics", null);

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).doesNotContain("appender_");
    assertThat(call("GET", port, "/metrics", "Bearer s3cret-token").body()).contains("appender_ready");
    assertThat(call("GET", port, "/healthz", null).statusCode()).isEqualTo(200);
  }

  @Test
  void concurrentFlushesShareOneFlushAndWaitersAreBoundedWithoutHoldingThreads() throws Exception {
    CompletableFuture<FlushReport> shared = new CompletableFuture<>();
    AtomicInteger asked = new AtomicInteger();
    int port = start(Optional.empty(), false, trigger -> {
      asked.incrementAndGet();
      return shared;
    }, Duration.ofMinutes(1));
    HttpClient client = HttpClient.newHttpClient();
    int total = AdminServer.MAX_FLUSH_WAITERS + 10;
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/flush"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
    }

    // those past the bound are answered at once, while the flush is still running
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
        answers.stream().filter(CompletableFuture::isDone).count() == total - AdminServer.MAX_FLUSH_WAITERS);
    assertThat(answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join)
        .map(HttpResponse::statusCode)).containsOnly(202);
    assertThat(call("GET", port, "/healthz", null).statusCode()).isEqualTo(200);
    shared.complete(report(FlushReport.Outcome.COMMITTED, null));

    List<Integer> codes = answers.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
    assertThat(codes).filteredOn(c -> c == 200).hasSize(AdminServer.MAX_FLUSH_WAITERS);
    assertThat(codes).filteredOn(c -> c == 202).hasSize(total - AdminServer.MAX_FLUSH_WAITERS);
    assertThat(asked).hasValue(total);
    // the waiters' places are free again
    next.set(report(FlushReport.Outcome.COMMITTED, null));
    assertThat(call("POST", port, "/flush", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aWaiterThatTimesOutGets503AndTheSharedFlushGoesOn() throws Exception {
    CompletableFuture<FlushReport> shared = new CompletableFuture<>();
    int port = start(Optional.empty(), false, trigger -> shared, Duration.ofMillis(300));

    HttpResponse<String> r = call("POST", port, "/flush", null);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("did not finish within");
    assertThat(shared).isNotDone();
  }

  @Test
  void aFlushThatThrowsShowsATypedReasonNotTheMessage() throws Exception {
    int port = start(Optional.empty(), false, trigger -> CompletableFuture.failedFuture(
        new IllegalStateException("http://admin:hunter2@catalog/v1?token=t0ken")), Duration.ofSeconds(5));

    HttpResponse<String> r = call("POST", port, "/flush", null);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("IllegalStateException").doesNotContain("hunter2", "t0ken", "admin");
  }

  @Test
  void reportsReadinessWithReasonsAndLivenessOfTheLoop() throws Exception {
    int port = start(Optional.empty());
    assertThat(call("GET", port, "/readyz", null).statusCode()).isEqualTo(200);

    status.flushFailure("catalog unreachable");
    status.pausedAtCap(true);
    HttpResponse<String> notReady = call("GET", port, "/readyz", null);

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("flushes are failing: catalog unreachable", "consumption paused");
    assertThat(call("GET", port, "/healthz", null).statusCode()).isEqualTo(200);
    status.loopRunning(false);
    assertThat(call("GET", port, "/healthz", null).statusCode()).isEqualTo(503);
  }

  @Test
  void servesPrometheusTextAndStatsJson() throws Exception {
    int port = start(Optional.empty());

    HttpResponse<String> metrics = call("GET", port, "/metrics", null);
    HttpResponse<String> stats = call("GET", port, "/stats", null);

    assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body()).contains("appender_records_consumed_total 0.0",
        "appender_dlq_records_total 0.0", "appender_commit_retries_total 0.0", "appender_ready");
    assertThat(stats.body()).contains("\"buffer_records\":0", "\"buffer_size_bytes\":0",
        "\"time_since_last_flush_seconds\"", "\"last_flush\":null", "\"totals\"");
  }

  @Test
  void refusesFlushesWhileShuttingDown() throws Exception {
    int port = start(Optional.empty());
    status.stopping();

    assertThat(call("POST", port, "/flush", null).statusCode()).isEqualTo(503);
  }
}
