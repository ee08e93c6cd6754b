package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that send their body slowly, against a real ingester and broker: none holds a request
 * thread beyond the whole-body deadline, and however many there are, the ingester's thread pool
 * stays within its bound.
 */
@ExtendWith(DevStackExtension.class)
class SlowClientsIT {
  private static final byte[] HEAD = ("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
      + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  final DevStack stack;
  final List<Ingester> started = new ArrayList<>();
  final List<Socket> sockets = new ArrayList<>();

  SlowClientsIT(DevStack stack) {
    this.stack = stack;
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    started.forEach(Ingester::close);
  }

  @Test
  void aClientTricklingFasterThanTheIdleTimeoutIsCutOffAtTheBodyDeadline() throws Exception {
    Ingester ingester = start(Map.of("INGESTER_READ_TIMEOUT_SECONDS", "2", "INGESTER_BODY_DEADLINE_SECONDS", "3"));
    long start = System.nanoTime();
    Socket socket = open(ingester);
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    socket.setSoTimeout(500);
    boolean closed = false;
    // A byte every 500 ms: never idle for 2 s, so only the deadline can stop it. Bounded at 30 s.
    for (int sent = 0; sent < 60 && !closed; sent++) {
      try {
        out.write(0x0a);
        out.flush();
        in.read(); // an answer (408) or the end of the stream: either way, cut off
        closed = true;
      } catch (SocketTimeoutException e) {
        // no answer yet: keep trickling
      } catch (IOException e) {
        closed = true; // reset by the server
      }
    }
    Duration held = Duration.ofNanos(System.nanoTime() - start);

    assertThat(closed).as("the server answered or closed the connection").isTrue();
    assertThat(held).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
    assertThat(ingester.isReady()).isTrue();
  }

  @Test
  void manySlowClientsNeverGrowTheThreadPoolBeyondItsBound() throws Exception {
    Ingester ingester = start(Map.of("INGESTER_MAX_THREADS", "16", "INGESTER_READ_TIMEOUT_SECONDS", "30"));
    int before = httpThreads();
    for (int n = 0; n < 40; n++) {
      open(ingester).getOutputStream().write(new byte[] {0x0a, 0x01});
    }
    // Every connection's request is either parked on a pool thread or queued for one.
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> httpThreads() - before <= 16);

    assertThat(httpThreads() - before).isLessThanOrEqualTo(16);
  }

  private Socket open(Ingester ingester) throws IOException {
    Socket socket = new Socket("127.0.0.1", ingester.port());
    sockets.add(socket);
    socket.getOutputStream().write(HEAD);
    socket.getOutputStream().flush();
    return socket;
  }

  /** Threads of the HTTP servers' pools (ours are named, Javalin's default one too). */
  private static int httpThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("ingester-http") || t.getName().startsWith("JettyServerThreadPool"))
        .count();
  }

  private Ingester start(Map<String, String> overrides) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "INGESTER_HOST", "127.0.0.1", "INGESTER_PORT", "0",
        "KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap(), "KAFKA_TOPIC", "slow-" + UUID.randomUUID()));
    env.putAll(overrides);
    Ingester ingester = Ingester.start(IngesterConfig.from(new Settings(env)));
    started.add(ingester);
    await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
    return ingester;
  }
}
