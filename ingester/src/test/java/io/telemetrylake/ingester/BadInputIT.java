package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.samples.FuzzInputs;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Hostile and broken clients against a real ingester and broker: the service answers each with a
 * clean 4xx (or 200 with partial success), never a 5xx, never hangs, keeps memory bounded, stays
 * up, and never shows a secret.
 *
 * <p>The HTTP fuzz budget is {@code -Dfuzz.http.iterations} (default 400); the decoder-level fuzz
 * with a larger budget is {@code DecoderFuzzTest} in common-proto.
 */
@ExtendWith(DevStackExtension.class)
class BadInputIT {
  private static final int ITERATIONS = Integer.getInteger("fuzz.http.iterations", 400);
  private static final String TOKEN = "s3cret-token-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final DevStack stack;
  Ingester ingester;
  ListAppender<ILoggingEvent> logs;

  BadInputIT(DevStack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void start() {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    Map<String, String> env = new HashMap<>();
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    env.put("KAFKA_TOPIC", "bad-" + UUID.randomUUID());
    env.put("INGESTER_MAX_BODY_BYTES", Integer.toString(8 * 1024 * 1024));
    env.put("INGESTER_READ_TIMEOUT_SECONDS", "2");
    env.put("INGESTER_AUTH_TOKENS", TOKEN);
    ingester = Ingester.start(IngesterConfig.from(new Settings(env)));
    await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
  }

  @AfterEach
  void stop() {
    ingester.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
  }

  @Test
  void fuzzedBodiesGetCleanAnswersAndTheServiceStaysUp() throws Exception {
    Set<Integer> allowed = Set.of(200, 400, 413, 415);
    Map<String, Integer> outcomes = new TreeMap<>();
    FuzzInputs inputs = new FuzzInputs(Long.getLong("fuzz.seed", 7L));
    for (int i = 0; i < ITERATIONS; i++) {
      FuzzInputs.Input input = inputs.next();
      HttpRequest.Builder request = HttpRequest.newBuilder(logs())
          .timeout(Duration.ofSeconds(20))
          .header("Content-Type", input.encoding().contentType())
          .header("Authorization", "Bearer " + TOKEN)
          .POST(HttpRequest.BodyPublishers.ofByteArray(input.body()));
      if (input.contentEncoding() != null) {
        request.header("Content-Encoding", input.contentEncoding());
      }
      HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).as("input #%d %s", i, input).isIn(allowed);
      outcomes.merge(input.kind() + " -> " + response.statusCode(), 1, Integer::sum);
    }
    assertThat(outcomes.keySet()).anyMatch(k -> k.endsWith("200")).anyMatch(k -> k.endsWith("400"))
        .anyMatch(k -> k.endsWith("413"));

    System.gc();
    long heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    assertThat(heapAfter).as("heap after the fuzz run").isLessThan(512L * 1024 * 1024);
    assertThat(HTTP.send(HttpRequest.newBuilder(base().resolve("/healthz")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(200);
    assertThat(ingester.isReady()).isTrue();
  }

  @Test
  void aClientThatTricklesItsBodyIsCutOffByTheReadTimeout() throws Exception {
    long start = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", ingester.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
          + "Authorization: Bearer " + TOKEN + "\r\nContent-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0x0a, 0x01});
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] answer = in.readAllBytes(); // returns when the server closes the connection
      String text = new String(answer, StandardCharsets.US_ASCII);
      assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 4")).as(text).isTrue();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(ingester.isReady()).isTrue();
  }

  @Test
  void secretsNeverAppearInLogsMetricsOrErrorBodies() throws Exception {
    HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(logs())
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN + "x")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(logs())
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"resourceLogs\": 5}")).build(), HttpResponse.BodyHandlers.ofString());
    String metrics = HTTP.send(HttpRequest.newBuilder(base().resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    String ready = HTTP.send(HttpRequest.newBuilder(base().resolve("/readyz")).build(), HttpResponse.BodyHandlers.ofString()).body();

    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(bad.statusCode()).isEqualTo(400);
    StringBuilder everything = new StringBuilder(wrong.body()).append(bad.body()).append(metrics).append(ready);
    logs.list.forEach(e -> everything.append(e.getFormattedMessage()).append('\n'));
    assertThat(logs.list).isNotEmpty();
    assertThat(everything.toString()).doesNotContain(TOKEN);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + ingester.port());
  }

  private URI logs() {
    return base().resolve("/v1/logs");
  }
}
