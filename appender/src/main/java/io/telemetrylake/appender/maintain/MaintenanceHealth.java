package io.telemetrylake.appender.maintain;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code GET /healthz} of the loop mode: 503 once three runs in a row failed, or a run has taken
 * longer than {@code maxRun} (stuck on a hung catalog or S3), so a supervisor restarts it.
 */
final class MaintenanceHealth implements AutoCloseable {
  static final int MAX_FAILURES_IN_A_ROW = 3;

  private final Clock clock;
  private final Duration maxRun;
  private volatile long runningSince;
  private volatile int failuresInARow;
  private volatile String last = "no run yet";
  private HttpServer server;

  MaintenanceHealth(Clock clock, Duration maxRun) {
    this.clock = clock;
    this.maxRun = maxRun;
  }

  void started() {
    runningSince = clock.millis();
  }

  void finished(boolean ok, String summary) {
    runningSince = 0;
    failuresInARow = ok ? 0 : failuresInARow + 1;
    last = summary;
  }

  boolean healthy() {
    long since = runningSince;
    boolean stuck = since != 0 && clock.millis() - since > maxRun.toMillis();
    return !stuck && failuresInARow < MAX_FAILURES_IN_A_ROW;
  }

  String describe() {
    long since = runningSince;
    return (healthy() ? "ok" : "unhealthy") + ": " + failuresInARow + " failed run(s) in a row"
        + (since != 0 ? ", running for " + (clock.millis() - since) / 1000 + " s" : "")
        + "; last: " + last + "\n";
  }

  void serve(String host, int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port + " (MAINTENANCE_PORT)", e);
    }
    server.createContext("/healthz", exchange -> {
      byte[] body = describe().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(healthy() ? 200 : 503, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}
