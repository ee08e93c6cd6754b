package io.telemetrylake.ingester.http;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.telemetrylake.ingester.kafka.KafkaReadiness;
import io.telemetrylake.ingester.metrics.IngesterMetrics;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpResponses;
import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  /** google.rpc.Code NOT_FOUND, for the Status body of a 404. */
  private static final int NOT_FOUND = 5;

  private IngesterApp() {}

  public static Javalin create(
      List<ExportHandler<?>> handlers,
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
    Set<String> signalPaths = new HashSet<>();
    for (ExportHandler<?> handler : handlers) {
      String path = handler.signal().path();
      signalPaths.add(path);
      app.post(path, handler);
      for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH}) {
        app.addHttpHandler(method, path, ctx -> ctx.header("Allow", "POST").status(405).result("use POST"));
      }
    }
    // An OTLP client pointed at us for a signal we do not take (e.g. /v1/metrics) gets a Status
    // it can decode, in its own encoding, instead of Javalin's plain-text page.
    app.error(
        404,
        ctx -> {
          if (!ctx.path().startsWith("/v1/")) {
            return;
          }
          OtlpEncoding encoding = OtlpEncoding.fromContentType(ctx.header("Content-Type")).orElse(OtlpEncoding.JSON);
          ctx.contentType(encoding.contentType())
              .result(OtlpResponses.status(encoding, NOT_FOUND,
                  "no OTLP endpoint " + ctx.path() + " here; this server takes " + String.join(", ", sorted(signalPaths))));
        });
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
          if (signalPaths.contains(ctx.path())) {
            ctx.header("Retry-After", Integer.toString(retryAfterSeconds)).status(503);
          }
        });
    return app;
  }

  private static List<String> sorted(Set<String> paths) {
    return paths.stream().sorted().toList();
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
