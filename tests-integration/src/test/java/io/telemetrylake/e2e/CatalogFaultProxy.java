package io.telemetrylake.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * An HTTP proxy in front of the real REST catalog that makes one table commit ({@code POST
 * .../namespaces/NS/tables/T}) succeed at the catalog while the client sees a failure: the catalog
 * applies it and the client gets a 504, or a 503 that its HTTP client retries, or a dropped connection, or nothing until its socket
 * timeout, the commit reaching the catalog only later (when the client's next commit arrives, which
 * then waits behind it, as a catalog that queues requests would do).
 */
final class CatalogFaultProxy implements AutoCloseable {
  enum Fault {
    ANSWER_504,
    /** 503 with Retry-After: the REST client retries by itself, and its retry meets our own commit. */
    ANSWER_503_RETRY_AFTER,
    DROP_CONNECTION,
    APPLY_LATE
  }

  private static final Pattern COMMIT = Pattern.compile("/v1/(.+/)?namespaces/[^/]+/tables/[^/]+");
  private static final Set<String> HOP_HEADERS =
      Set.of("host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade", "expect");
  private static final Duration MAX_HOLD = Duration.ofSeconds(60);

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final AtomicReference<Fault> armed = new AtomicReference<>();
  private final AtomicInteger commits = new AtomicInteger();
  private final AtomicInteger faultedUpstreamStatus = new AtomicInteger();
  /** Commits reach the catalog in arrival order: a later one waits behind a held one. */
  private final ReentrantLock commitOrder = new ReentrantLock(true);
  private volatile CountDownLatch nextCommit = new CountDownLatch(1);

  private CatalogFaultProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  static CatalogFaultProxy start(URI catalog) throws IOException {
    return new CatalogFaultProxy(catalog);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The next commit request gets {@code fault}; later ones pass. */
  void arm(Fault fault) {
    armed.set(fault);
  }

  /** What the catalog answered the faulted commit; 0 until it was forwarded. */
  int faultedUpstreamStatus() {
    return faultedUpstreamStatus.get();
  }

  int commits() {
    return commits.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      boolean commit = "POST".equals(exchange.getRequestMethod())
          && COMMIT.matcher(exchange.getRequestURI().getRawPath()).matches();
      if (!commit) {
        respond(exchange, forward(exchange, body));
        return;
      }
      commits.incrementAndGet();
      nextCommit.countDown();
      Fault fault = armed.getAndSet(null);
      if (fault == Fault.APPLY_LATE) {
        applyLate(exchange, body);
        return;
      }
      HttpResponse<byte[]> response;
      commitOrder.lock();
      try {
        response = forward(exchange, body);
      } finally {
        commitOrder.unlock();
      }
      if (fault == null) {
        respond(exchange, response);
        return;
      }
      faultedUpstreamStatus.set(response.statusCode());
      if (fault == Fault.ANSWER_504) {
        byte[] error = "{\"error\":{\"message\":\"gateway timeout\",\"type\":\"GatewayTimeout\",\"code\":504}}"
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(504, error.length);
        exchange.getResponseBody().write(error);
      } else if (fault == Fault.ANSWER_503_RETRY_AFTER) {
        byte[] error = "{\"error\":{\"message\":\"busy\",\"type\":\"ServiceUnavailable\",\"code\":503}}"
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Retry-After", "1");
        exchange.sendResponseHeaders(503, error.length);
        exchange.getResponseBody().write(error);
      }
      // DROP_CONNECTION: closing an exchange that sent no response closes the connection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Holds the commit until the client has given up on it and sent its next one, then applies it. */
  private void applyLate(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
    commitOrder.lock();
    try {
      CountDownLatch next = new CountDownLatch(1);
      nextCommit = next;
      next.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS);
      faultedUpstreamStatus.set(forward(exchange, body).statusCode());
    } finally {
      commitOrder.unlock();
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
    URI target = upstream.resolve(exchange.getRequestURI().getRawPath()
        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
    HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase())) {
        values.forEach(v -> request.header(name, v));
      }
    });
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void respond(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
    response.headers().map().forEach((name, values) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
        exchange.getResponseHeaders().put(name, List.copyOf(values));
      }
    });
    byte[] body = response.body();
    exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
