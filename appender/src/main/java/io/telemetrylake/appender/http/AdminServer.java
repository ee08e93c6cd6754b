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
 * <p>One process may run a pipeline per signal ({@link Target}): the probes cover all of them,
 * {@code /metrics} shows them side by side, {@code POST /flush} flushes each, and {@code /stats}
 * shows the first signal's buffer at the top (as with one signal) and every signal's under
 * {@code signals}; {@code /stats?signal=traces} shows one.
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

  /** One signal's pipeline as the admin API sees it. */
  public record Target(
      String signal,
      AppenderStatus status,
      AppenderMetrics metrics,
      Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests) {}

  private final List<Target> targets;
  private final ObjectMapper json = json();
  private final Optional<BearerToken> token;
  private final boolean metricsNeedToken;
  private final Duration flushTimeout;
  private final Semaphore flushWaiters = new Semaphore(MAX_FLUSH_WAITERS);

  private AdminServer(
      List<Target> targets,
      Optional<String> token,
      boolean metricsNeedToken,
      Duration flushTimeout) {
    this.targets = List.copyOf(targets);
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

  /** One pipeline (logs). */
  public static Javalin create(
      AppenderStatus status,
      AppenderMetrics metrics,
      Function<FlushTrigger, CompletableFuture<FlushReport>> flushRequests,
      Optional<String> token,
      boolean metricsNeedToken,
      Duration flushTimeout) {
    return create(List.of(new Target("logs", status, metrics, flushRequests)), token, metricsNeedToken, flushTimeout);
  }

  public static Javalin create(
      List<Target> targets,
      Optional<String> token,
      boolean metricsNeedToken,
      Duration flushTimeout) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no pipeline to serve");
    }
    AdminServer server = new AdminServer(targets, token, metricsNeedToken, flushTimeout);
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
    for (Target t : targets) {
      AppenderStatus status = t.status();
      if (!status.isAlive()) {
        String what = status.isLoopDead() ? "the consumer loop died" : "the consumer loop has stopped";
        ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("status", named(t, what)));
        return;
      }
    }
    ctx.status(HttpStatus.OK).json(Map.of("status", "ok"));
  }

  /** "traces: ..." when the process runs more than one signal. */
  private String named(Target t, String text) {
    return targets.size() == 1 ? text : t.signal() + ": " + text;
  }

  private void readyz(Context ctx) {
    List<String> reasons = new java.util.ArrayList<>();
    for (Target t : targets) {
      for (String reason : t.status().notReadyReasons()) {
        reasons.add(named(t, reason));
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ready", reasons.isEmpty());
    body.put("reasons", reasons);
    ctx.status(reasons.isEmpty() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(body);
  }

  private void metrics(Context ctx) {
    if (metricsNeedToken && !authorized(ctx, "GET /metrics")) {
      return;
    }
    StringBuilder text = new StringBuilder();
    for (Target t : targets) {
      text.append(t.metrics().scrape());
    }
    ctx.contentType(AppenderMetrics.contentType()).result(text.toString());
  }

  private void stats(Context ctx) {
    if (!authorized(ctx, "GET /stats")) {
      return;
    }
    String only = ctx.queryParam("signal");
    if (only != null) {
      Optional<Target> target = targets.stream().filter(t -> t.signal().equals(only)).findFirst();
      if (target.isEmpty()) {
        ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "this appender runs no signal '" + only
            + "'; it runs " + targets.stream().map(Target::signal).toList()));
        return;
      }
      ctx.json(target.get().status().stats());
      return;
    }
    if (targets.size() == 1) {
      ctx.json(targets.get(0).status().stats());
      return;
    }
    ctx.json(combined(t -> t.status().stats()));
  }

  /** The first signal's view at the top, every signal's under {@code signals}. */
  private Map<String, Object> combined(Function<Target, Object> view) {
    Map<String, Object> body = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> first = json.convertValue(view.apply(targets.get(0)), Map.class);
    body.putAll(first);
    Map<String, Object> signals = new LinkedHashMap<>();
    for (Target t : targets) {
      signals.put(t.signal(), view.apply(t));
    }
    body.put("signals", signals);
    return body;
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
    if (targets.stream().anyMatch(t -> t.status().isStopping())) {
      ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", "the appender is shutting down"));
      return;
    }
    List<CompletableFuture<FlushReport>> flushes =
        targets.stream().map(t -> t.flushRequests().apply(FlushTrigger.HTTP)).toList();
    if (!flushWaiters.tryAcquire()) {
      ctx.status(HttpStatus.ACCEPTED)
          .json(Map.of(
              "status", "accepted",
              "detail", "joined the pending flush without waiting: " + MAX_FLUSH_WAITERS
                  + " requests already wait for it; its outcome shows in GET /stats (last_flush)"));
      return;
    }
    // copy(): a timeout ends this request's wait, not the flush the others share
    List<CompletableFuture<FlushReport>> waits = flushes.stream()
        .map(f -> f.copy().orTimeout(flushTimeout.toMillis(), TimeUnit.MILLISECONDS)).toList();
    ctx.future(() -> CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
        .handle((ignored, failure) -> {
          flushWaiters.release();
          if (waits.size() == 1) {
            answer(ctx, failure == null ? waits.get(0).join() : null, failure);
            return null;
          }
          // the worst outcome decides the status; each signal's report is in the body
          for (CompletableFuture<FlushReport> w : waits) {
            if (w.isCompletedExceptionally()) {
              answer(ctx, null, w.handle((r, e) -> e).join());
              return null;
            }
          }
          List<FlushReport> reports = waits.stream().map(CompletableFuture::join).toList();
          HttpStatus worst = HttpStatus.OK;
          for (FlushReport r : reports) {
            HttpStatus code = code(r);
            if (code.getCode() > worst.getCode()) {
              worst = code;
            }
          }
          Map<Target, FlushReport> byTarget = new java.util.IdentityHashMap<>();
          for (int i = 0; i < targets.size(); i++) {
            byTarget.put(targets.get(i), reports.get(i));
          }
          ctx.status(worst).json(combined(byTarget::get));
          return null;
        }));
  }

  private static HttpStatus code(FlushReport report) {
    return switch (report.outcome()) {
      case COMMITTED, EMPTY -> HttpStatus.OK;
      case FENCED -> HttpStatus.CONFLICT;
      case FAILED -> HttpStatus.SERVICE_UNAVAILABLE;
    };
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
    ctx.status(code(report)).json(report);
  }
}
