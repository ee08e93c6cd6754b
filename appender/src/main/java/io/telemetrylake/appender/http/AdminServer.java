package io.telemetrylake.appender.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The admin HTTP API: {@code GET /healthz /readyz /metrics /stats}, {@code POST /flush}. Built
 * here, started by the caller. Handlers only read published state or hand a request to the poll
 * loop; they never touch DuckDB or the consumer.
 */
public final class AdminServer {
  /** Only POST /flush has a body, and it is ignored. */
  private static final long MAX_REQUEST_BYTES = 4096;

  private final AppenderStatus status;
  private final AppenderMetrics metrics;
  private final Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests;
  private final Optional<BearerToken> token;
  private final Duration flushTimeout;

  private AdminServer(
      AppenderStatus status,
      AppenderMetrics metrics,
      Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests,
      Optional<String> token,
      Duration flushTimeout) {
    this.status = status;
    this.metrics = metrics;
    this.flushRequests = flushRequests;
    this.token = token.map(BearerToken::new);
    this.flushTimeout = flushTimeout;
  }

  /** The JSON of /stats and /flush: snake_case names, no nulls dropped (they mean "unknown"). */
  public static ObjectMapper json() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  public static Javalin create(
      AppenderStatus status,
      AppenderMetrics metrics,
      Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests,
      Optional<String> token,
      Duration flushTimeout) {
    AdminServer server = new AdminServer(status, metrics, flushRequests, token, flushTimeout);
    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = MAX_REQUEST_BYTES;
              config.jsonMapper(new JavalinJackson(json(), false));
            });
    app.get("/healthz", server::healthz);
    app.get("/readyz", server::readyz);
    app.get("/metrics", server::metrics);
    app.get("/stats", server::stats);
    app.post("/flush", server::flush);
    return app;
  }

  /** Alive unless the poll loop has died (a stopping appender is still alive, a dead one not). */
  private void healthz(Context ctx) {
    boolean alive = status.isAlive();
    ctx.status(alive ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .json(Map.of("status", alive ? "ok"
            : status.isLoopDead() ? "the consumer loop died" : "the consumer loop has stopped"));
  }

  private void readyz(Context ctx) {
    List<String> reasons = status.notReadyReasons();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ready", reasons.isEmpty());
    body.put("reasons", reasons);
    ctx.status(reasons.isEmpty() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(body);
  }

  private void metrics(Context ctx) {
    ctx.contentType(AppenderMetrics.contentType()).result(metrics.scrape());
  }

  private void stats(Context ctx) {
    ctx.json(status.stats());
  }

  /** Answers once the flush is committed: 200 with what was committed, else 401/409/503. */
  private void flush(Context ctx) throws InterruptedException {
    if (token.isPresent() && !token.get().matches(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer")
          .status(HttpStatus.UNAUTHORIZED)
          .json(Map.of("error", "POST /flush needs Authorization: Bearer <APPENDER_AUTH_TOKEN>"));
      return;
    }
    if (status.isStopping()) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", "the appender is shutting down"));
      return;
    }
    FlushReport report;
    try {
      report = flushRequests.apply(FlushTrigger.HTTP).get(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
          .json(Map.of("error", "the flush did not finish within " + flushTimeout.toSeconds() + " s"));
      return;
    } catch (ExecutionException e) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", String.valueOf(e.getCause())));
      return;
    }
    HttpStatus code =
        switch (report.outcome()) {
          case COMMITTED, EMPTY -> HttpStatus.OK;
          case FENCED -> HttpStatus.CONFLICT;
          case FAILED -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    ctx.status(code).json(report);
  }
}
