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
import io.telemetrylake.appender.status.FailureReason;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The admin HTTP API: {@code GET /healthz /readyz /metrics /stats}, {@code POST /flush}. Built
 * here, started by the caller. Handlers only read published state or hand a request to the poll
 * loop; they never touch DuckDB or the consumer, and never block a Jetty thread on a flush.
 *
 * <p>With APPENDER_AUTH_TOKEN set, {@code /flush} and {@code /stats} need it, {@code /metrics}
 * too when APPENDER_METRICS_AUTH is true; the probes stay open for the kubelet.
 */
public final class AdminServer {
  /** Only POST /flush has a body, and it is ignored. */
  private static final long MAX_REQUEST_BYTES = 4096;

  /**
   * POST /flush requests that wait for the outcome at once. Waiting holds no Jetty thread (the
   * answer is asynchronous), only a connection; past this, requests join the flush and get 202.
   */
  static final int MAX_FLUSH_WAITERS = 16;

  private final AppenderStatus status;
  private final AppenderMetrics metrics;
  private final Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests;
  private final Optional<BearerToken> token;
  private final boolean metricsNeedToken;
  private final Duration flushTimeout;
  private final Semaphore flushWaiters = new Semaphore(MAX_FLUSH_WAITERS);

  private AdminServer(
      AppenderStatus status,
      AppenderMetrics metrics,
      Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests,
      Optional<String> token,
      boolean metricsNeedToken,
      Duration flushTimeout) {
    this.status = status;
    this.metrics = metrics;
    this.flushRequests = flushRequests;
    this.token = token.map(BearerToken::new);
    this.metricsNeedToken = metricsNeedToken;
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
      boolean metricsNeedToken,
      Duration flushTimeout) {
    AdminServer server =
        new AdminServer(status, metrics, flushRequests, token, metricsNeedToken, flushTimeout);
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
    if (metricsNeedToken && !authorized(ctx, "GET /metrics")) {
      return;
    }
    ctx.contentType(AppenderMetrics.contentType()).result(metrics.scrape());
  }

  private void stats(Context ctx) {
    if (!authorized(ctx, "GET /stats")) {
      return;
    }
    ctx.json(status.stats());
  }

  /** True when no token is set or the request carries it; else answers 401. */
  private boolean authorized(Context ctx, String what) {
    if (token.isEmpty() || token.get().matches(ctx.header("Authorization"))) {
      return true;
    }
    ctx.header("WWW-Authenticate", "Bearer")
        .status(HttpStatus.UNAUTHORIZED)
        .json(Map.of("error", what + " needs Authorization: Bearer <APPENDER_AUTH_TOKEN>"));
    return false;
  }

  /**
   * Joins the pending flush (one flush, one future for all concurrent requests) and answers once
   * it is committed: 200 with what was committed, else 409/503. Beyond {@link
   * #MAX_FLUSH_WAITERS} waiting requests: 202 at once, the flush still happens.
   */
  private void flush(Context ctx) {
    if (!authorized(ctx, "POST /flush")) {
      return;
    }
    if (status.isStopping()) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", "the appender is shutting down"));
      return;
    }
    CompletableFuture<FlushReport> shared = flushRequests.apply(FlushTrigger.HTTP);
    if (!flushWaiters.tryAcquire()) {
      ctx.status(HttpStatus.ACCEPTED)
          .json(Map.of(
              "status", "accepted",
              "detail", "joined the pending flush without waiting: " + MAX_FLUSH_WAITERS
                  + " requests already wait for it; its outcome shows in GET /stats (last_flush)"));
      return;
    }
    // copy(): a timeout ends this request's wait, not the flush the others share
    ctx.future(() -> shared.copy()
        .orTimeout(flushTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((report, failure) -> {
          flushWaiters.release();
          answer(ctx, report, failure);
          return null;
        }));
  }

  private void answer(Context ctx, FlushReport report, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof TimeoutException) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
          .json(Map.of("error", "the flush did not finish within " + flushTimeout.toSeconds() + " s"));
      return;
    }
    if (cause != null) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", FailureReason.of(cause)));
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
