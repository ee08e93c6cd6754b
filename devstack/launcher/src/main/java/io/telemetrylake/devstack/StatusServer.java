package io.telemetrylake.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * {@code GET /status} on 127.0.0.1 for {@code ./lake status}: the {@link StatusTable} as plain
 * text, 200 when every child is ready and 503 otherwise. {@code lake up} writes the address to
 * {@code devstack.env} ({@code LAKE_STATUS_URL}).
 */
final class StatusServer implements AutoCloseable {

  static final String PATH = "/status";

  private final HttpServer server;

  private StatusServer(HttpServer server) {
    this.server = server;
  }

  /**
   * @param port 0 picks a free one
   * @param startNanos when {@code lake up} started ({@link System#nanoTime()})
   */
  static StatusServer start(int port, Supervisor supervisor, Path dataDir, long startNanos) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(Ports.HOST), port), 8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the status on " + Ports.HOST + ":" + port + " (" + MainOptions.STATUS_PORT_ENV + ")", e);
    }
    long pid = ProcessHandle.current().pid();
    server.createContext(
        PATH,
        exchange -> {
          try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
              send(exchange, 405, "GET only\n");
              return;
            }
            List<ServiceStatus> rows = supervisor.status();
            Duration uptime = Duration.ofNanos(System.nanoTime() - startNanos);
            send(
                exchange,
                StatusTable.allReady(rows) ? 200 : 503,
                StatusTable.render(pid, uptime, dataDir, rows));
          }
        });
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "lake-status");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return new StatusServer(server);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  URI uri() {
    return URI.create("http://" + Ports.HOST + ":" + server.getAddress().getPort() + PATH);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
