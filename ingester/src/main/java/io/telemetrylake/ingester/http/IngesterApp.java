package io.telemetrylake.ingester.http;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.telemetrylake.ingester.kafka.KafkaReadiness;
import io.telemetrylake.ingester.metrics.IngesterMetrics;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds (does not start) the ingester's HTTP app: the OTLP endpoint plus probes and metrics
 * (behind the ingest tokens when {@code metricsTokens} is not empty).
 */
public final class IngesterApp {
  private static final Logger LOG = LoggerFactory.getLogger(IngesterApp.class);
  public static final String LOGS_PATH = "/v1/logs";

  private IngesterApp() {}

  public static Javalin create(
      LogsHandler logs,
      KafkaReadiness readiness,
      Lifecycle lifecycle,
      IngesterMetrics metrics,
      List<String> metricsTokens,
      int retryAfterSeconds,
      long stopTimeoutMs,
      int maxThreads) {
    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              // Bodies are read as streams with our own decompressed-size bound (RequestBodies).
              config.http.maxRequestSize = Long.MAX_VALUE;
              // Bounded: every thread may hold a request being read (Javalin's default is 250).
              QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads), 60_000);
              threads.setName("ingester-http");
              config.jetty.threadPool = threads;
              config.jetty.modifyServer(
                  server -> {
                    // Makes stop() graceful: it waits until responses in progress (async ones
                    // included) are written before closing connections.
                    server.setHandler(new StatisticsHandler());
                    server.setStopTimeout(stopTimeoutMs);
                  });
            });
    app.post(LOGS_PATH, logs);
    for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH}) {
      app.addHttpHandler(method, LOGS_PATH, ctx -> ctx.header("Allow", "POST").status(405).result("use POST"));
    }
    app.get("/healthz", ctx -> ctx.result("ok"));
    app.get(
        "/readyz",
        ctx -> {
          boolean ready = readiness.isReady() && !lifecycle.draining();
          String reason = lifecycle.draining() ? "draining" : readiness.problem();
          ctx.status(ready ? 200 : 503)
              .contentType("application/json")
              .result("{\"ready\":" + ready + ",\"reason\":\"" + jsonEscape(reason == null ? "" : reason) + "\"}");
        });
    // INGESTER_METRICS_AUTH: the ingest tokens; no tokens = open
    BearerAuth metricsAuth = new BearerAuth(metricsTokens);
    app.get(
        "/metrics",
        ctx -> {
          if (!metricsAuth.allows(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer").status(401).result("GET /metrics needs Authorization: Bearer <token>");
            return;
          }
          ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
          metrics.write(out);
          ctx.contentType(IngesterMetrics.contentType()).result(out.toByteArray());
        });
    // Clients drop data on 500; an unexpected failure is reported as "retry later" instead.
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
          ctx.header("Retry-After", Integer.toString(retryAfterSeconds)).status(503).result("temporarily unavailable");
        });
    // Safety net for errors Javalin answers itself.
    app.error(
        500,
        ctx -> {
          if (ctx.path().equals(LOGS_PATH)) {
            ctx.header("Retry-After", Integer.toString(retryAfterSeconds)).status(503);
          }
        });
    return app;
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
