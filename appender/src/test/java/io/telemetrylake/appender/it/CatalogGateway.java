package io.telemetrylake.appender.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An HTTP hop in front of the real REST catalog, as an ingress or API gateway would be, that can
 * hold table commits (a catalog slow to answer) or answer them with an error of its own (a
 * gateway refusing them). Everything else is forwarded unchanged.
 */
final class CatalogGateway implements AutoCloseable {
  private static final Pattern COMMIT = Pattern.compile("/v1/namespaces/[^/]+/tables/[^/]+");
  private static final Set<String> HOP_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger held = new AtomicInteger();
  private volatile CountDownLatch hold;
  private volatile int failStatus;
  private volatile String failBody;

  CatalogGateway(URI upstream) {
    this.upstream = upstream;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Commits wait until {@link #forward()}. */
  void holdCommits() {
    hold = new CountDownLatch(1);
  }

  /** Commits get this answer instead of reaching the catalog. */
  void failCommits(int status, String body) {
    failBody = body;
    failStatus = status;
  }

  /** Back to plain forwarding; held commits go on. */
  void forward() {
    failStatus = 0;
    CountDownLatch h = hold;
    hold = null;
    if (h != null) {
      h.countDown();
    }
  }

  /** Commits waiting in {@link #holdCommits()} mode right now. */
  int heldCommits() {
    return held.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      boolean commit = exchange.getRequestMethod().equals("POST")
          && COMMIT.matcher(exchange.getRequestURI().getPath()).matches();
      if (commit && failStatus != 0) {
        respond(exchange, failStatus, Map.of("Content-Type", List.of("application/json")),
            failBody.getBytes(StandardCharsets.UTF_8));
        return;
      }
      CountDownLatch h = hold;
      if (commit && h != null) {
        held.incrementAndGet();
        try {
          h.await(5, TimeUnit.MINUTES);
        } finally {
          held.decrementAndGet();
        }
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
          .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase())) {
          values.forEach(v -> request.header(name, v));
        }
      });
      HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      respond(exchange, response.statusCode(), response.headers().map(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respond(HttpExchange exchange, int status, Map<String, List<String>> headers, byte[] body)
      throws IOException {
    headers.forEach((name, values) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
        exchange.getResponseHeaders().put(name, values);
      }
    });
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    forward();
    server.stop(0);
    threads.shutdownNow();
  }
}
