package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.samples.OtlpSamples;
import io.telemetrylake.record.ResourceKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ingester against a real Kafka broker, over real HTTP. */
@ExtendWith(DevStackExtension.class)
class IngesterIT {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final DevStack stack;
  final List<Ingester> started = new ArrayList<>();
  String topic;
  Ingester ingester;

  IngesterIT(DevStack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void startIngester() {
    topic = "it-" + UUID.randomUUID();
    ingester = start(Map.of());
  }

  @AfterEach
  void stopIngesters() {
    started.forEach(Ingester::close);
  }

  Ingester start(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_TOPIC_PARTITIONS", "4");
    env.putAll(overrides);
    Ingester i = Ingester.start(IngesterConfig.from(new Settings(env)));
    started.add(i);
    await().atMost(Duration.ofSeconds(30)).until(i::isReady);
    return i;
  }

  @Test
  void acceptsProtobufAndPutsOneKeyedRecordPerResourceInTheTopic() throws Exception {
    ExportLogsServiceRequest request = request(resource("checkout", 3), resource("payments", 2));

    HttpResponse<byte[]> response = post(ingester, "application/x-protobuf", request.toByteArray(), false, false);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/x-protobuf"));
    assertThat(ExportLogsServiceResponse.parseFrom(response.body()).hasPartialSuccess()).isFalse();
    List<ConsumerRecord<byte[], byte[]>> records = consume(2);
    assertThat(records).hasSize(2);
    Map<String, ExportLogsServiceRequest> byKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      byKey.put(new String(r.key(), StandardCharsets.UTF_8), ExportLogsServiceRequest.parseFrom(r.value()));
    }
    for (ResourceLogs rl : request.getResourceLogsList()) {
      String key = new String(ResourceKeys.keyOf(rl.getResource()), StandardCharsets.UTF_8);
      assertThat(byKey.get(key).getResourceLogsList()).containsExactly(rl);
    }
  }

  @Test
  void acceptsGzippedJsonSentChunked() throws Exception {
    String json =
        """
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},
         "scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","severityNumber":9,
         "body":{"stringValue":"hello"},"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"}]}]}]}
        """;

    HttpResponse<byte[]> response = post(ingester, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8), true, true);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    LogRecord record = ExportLogsServiceRequest.parseFrom(consume(1).get(0).value())
        .getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    assertThat(record.getBody().getStringValue()).isEqualTo("hello");
    assertThat(record.getTraceId()).isEqualTo(ByteString.fromHex("5b8efff798038103d269b633813fc60c"));
  }

  @Test
  void acceptsEveryValidSampleAndKeepsEveryRecord() throws Exception {
    int expectedRecords = 0;
    int expectedKafkaRecords = 0;
    for (OtlpSamples.Sample sample : OtlpSamples.valid()) {
      HttpResponse<byte[]> response = post(ingester, "application/json", sample.bytes(), false, false);
      assertThat(response.statusCode()).as(sample.name()).isEqualTo(200);
      ExportLogsServiceRequest decoded = sample.decoded();
      expectedRecords += countRecords(decoded);
      expectedKafkaRecords += (int) decoded.getResourceLogsList().stream()
          .filter(rl -> rl.getScopeLogsList().stream().anyMatch(sl -> sl.getLogRecordsCount() > 0)).count();
    }
    List<ConsumerRecord<byte[], byte[]>> records = consume(expectedKafkaRecords);
    int found = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      found += countRecords(ExportLogsServiceRequest.parseFrom(r.value()));
    }
    assertThat(found).isEqualTo(expectedRecords).isPositive();
  }

  @Test
  void refusesInvalidSamplesWith400AndWritesNothing() throws Exception {
    for (OtlpSamples.Sample sample : OtlpSamples.invalid()) {
      HttpResponse<byte[]> response = post(ingester, "application/json", sample.bytes(), false, false);
      assertThat(response.statusCode()).as(sample.name()).isEqualTo(400);
      assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"message\"");
    }
    // A marker sent afterwards is the only record in the topic.
    post(ingester, "application/x-protobuf", request(resource("marker", 1)).toByteArray(), false, false);
    assertThat(consume(1)).singleElement()
        .satisfies(r -> assertThat(ExportLogsServiceRequest.parseFrom(r.value()).getResourceLogs(0).getResource())
            .isEqualTo(resource("marker", 1).getResource()));
  }

  @Test
  void reportsInvalidRecordsThroughPartialSuccessAndKeepsTheRest() throws Exception {
    ResourceLogs rl = resource("svc", 2).toBuilder()
        .setScopeLogs(0, resource("svc", 2).getScopeLogs(0).toBuilder()
            .addLogRecords(LogRecord.newBuilder().setTraceId(ByteString.copyFrom(new byte[5])).setBody(str("bad"))))
        .build();

    HttpResponse<byte[]> response = post(ingester, "application/x-protobuf", request(rl).toByteArray(), false, false);

    assertThat(response.statusCode()).isEqualTo(200);
    ExportLogsServiceResponse body = ExportLogsServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
    assertThat(body.getPartialSuccess().getErrorMessage()).containsIgnoringCase("trace");
    assertThat(countRecords(ExportLogsServiceRequest.parseFrom(consume(1).get(0).value()))).isEqualTo(2);
  }

  @Test
  void answersEmptyRequestsWith200() throws Exception {
    assertThat(post(ingester, "application/x-protobuf", new byte[0], false, false).statusCode()).isEqualTo(200);
    assertThat(post(ingester, "application/json", "{}".getBytes(StandardCharsets.UTF_8), false, false).statusCode()).isEqualTo(200);
  }

  @Test
  void refusesWrongContentTypeMethodAndOversizedBodies() throws Exception {
    assertThat(post(ingester, "text/plain", "hi".getBytes(StandardCharsets.UTF_8), false, false).statusCode()).isEqualTo(415);
    HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(logsUri(ingester)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    HttpResponse<byte[]> badEncoding = HTTP.send(
        HttpRequest.newBuilder(logsUri(ingester)).header("Content-Type", "application/json").header("Content-Encoding", "br")
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(badEncoding.statusCode()).isEqualTo(415);

    Ingester small = start(Map.of("INGESTER_MAX_BODY_BYTES", "2048"));
    byte[] big = request(resource("big", 200)).toByteArray();
    assertThat(post(small, "application/x-protobuf", big, false, false).statusCode()).isEqualTo(413);
    assertThat(post(small, "application/x-protobuf", big, true, true).statusCode()).isEqualTo(413);
  }

  @Test
  void requiresABearerTokenWhenConfigured() throws Exception {
    Ingester secured = start(Map.of("INGESTER_AUTH_TOKENS", "t0ken-a,t0ken-b"));
    byte[] body = request(resource("svc", 1)).toByteArray();

    HttpResponse<byte[]> missing = post(secured, "application/x-protobuf", body, false, false);
    HttpResponse<byte[]> wrong = HTTP.send(
        HttpRequest.newBuilder(logsUri(secured)).header("Content-Type", "application/x-protobuf")
            .header("Authorization", "Bearer nope").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> right = HTTP.send(
        HttpRequest.newBuilder(logsUri(secured)).header("Content-Type", "application/x-protobuf")
            .header("Authorization", "Bearer t0ken-b").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(consume(1)).hasSize(1);
  }

  @Test
  void answers429WithRetryAfterWhenTheInflightBoundIsHit() throws Exception {
    // A long linger, with batches larger than the request so it is not sent early, keeps the first
    // request in flight while the second arrives. A request needs 7x its body while decoded, then
    // its records (1x) stay in flight: a budget of 7.5 bodies admits the first, not the second.
    byte[] body = request(resource("bulk", 7000)).toByteArray();
    assertThat(body.length).isGreaterThan(600_000);
    Ingester slow = start(Map.of("INGESTER_MAX_INFLIGHT_BYTES", Long.toString(body.length * 15L / 2),
        "INGESTER_KAFKA_LINGER_MS", "5000", "INGESTER_KAFKA_BATCH_BYTES", Integer.toString(4 * 1024 * 1024)));

    CompletableFuture<HttpResponse<byte[]>> first = HTTP.sendAsync(
        HttpRequest.newBuilder(logsUri(slow)).header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    await().until(() -> scrape(slow).contains("ingester_inflight_bytes ") && !scrape(slow).contains("ingester_inflight_bytes 0.0"));
    HttpResponse<byte[]> second = post(slow, "application/x-protobuf", body, false, false);

    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(first.get().statusCode()).isEqualTo(200);
  }

  @Test
  void answers503WhileTheBrokerIsDownAndRecoversAfterItRestarts() throws Exception {
    Ingester quick = start(Map.of("INGESTER_PRODUCE_TIMEOUT_MS", "3000"));
    byte[] before = request(resource("before", 1)).toByteArray();
    assertThat(post(quick, "application/x-protobuf", before, false, false).statusCode()).isEqualTo(200);

    stack.kafka().stop();
    try {
      HttpResponse<byte[]> down = post(quick, "application/x-protobuf", request(resource("down", 1)).toByteArray(), false, false);
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).isPresent();
    } finally {
      stack.kafka().start();
    }

    await().atMost(Duration.ofSeconds(60)).until(
        () -> post(quick, "application/x-protobuf", request(resource("after", 1)).toByteArray(), false, false).statusCode() == 200);
    List<String> services = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : consumeAll(Duration.ofSeconds(5))) {
      services.add(ExportLogsServiceRequest.parseFrom(r.value()).getResourceLogs(0).getResource().getAttributes(0).getValue().getStringValue());
    }
    assertThat(services).contains("before", "after");
  }

  @Test
  void exposesProbesAndMetrics() throws Exception {
    post(ingester, "application/x-protobuf", request(resource("svc", 3)).toByteArray(), false, false);

    assertThat(HTTP.send(HttpRequest.newBuilder(base(ingester).resolve("/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(base(ingester).resolve("/readyz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"ready\":true");
    String metrics = scrape(ingester);
    assertThat(metrics).contains("ingester_requests_total{signal=\"logs\",status=\"200\"} 1.0");
    assertThat(metrics).contains("ingester_log_records_accepted_total 3.0");
    assertThat(metrics).contains("ingester_request_duration_seconds_bucket");
    assertThat(metrics).contains("ingester_produce_duration_seconds_count 1");
  }

  @Test
  void refusesNewRequestsWhileShuttingDownAndFinishesThoseInProgress() throws Exception {
    Ingester slow = start(Map.of("INGESTER_KAFKA_LINGER_MS", "3000",
        "INGESTER_KAFKA_BATCH_BYTES", Integer.toString(4 * 1024 * 1024)));
    CompletableFuture<HttpResponse<byte[]>> inProgress = HTTP.sendAsync(
        HttpRequest.newBuilder(logsUri(slow)).header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request(resource("late", 1)).toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    await().until(() -> scrape(slow).contains("ingester_inflight_bytes ") && !scrape(slow).contains("ingester_inflight_bytes 0.0"));

    slow.close();

    assertThat(inProgress.get().statusCode()).isEqualTo(200);
    assertThat(consume(1)).hasSize(1);
  }

  // ---- helpers

  static URI base(Ingester i) {
    return URI.create("http://127.0.0.1:" + i.port());
  }

  static URI logsUri(Ingester i) {
    return base(i).resolve("/v1/logs");
  }

  static String scrape(Ingester i) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(base(i).resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  static HttpResponse<byte[]> post(Ingester i, String contentType, byte[] body, boolean gzip, boolean chunked)
      throws IOException, InterruptedException {
    byte[] payload = gzip ? gzip(body) : body;
    HttpRequest.BodyPublisher publisher = chunked
        // An InputStream publisher has no known length, so the client sends Transfer-Encoding: chunked.
        ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(payload))
        : HttpRequest.BodyPublishers.ofByteArray(payload);
    HttpRequest.Builder b = HttpRequest.newBuilder(logsUri(i)).header("Content-Type", contentType).POST(publisher)
        .timeout(Duration.ofSeconds(30));
    if (gzip) {
      b.header("Content-Encoding", "gzip");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  List<ConsumerRecord<byte[], byte[]>> consume(int expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        return out.size() >= expected;
      });
      // Nothing beyond what was expected arrives.
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }

  List<ConsumerRecord<byte[], byte[]>> consumeAll(Duration quiet) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      long lastNew = System.nanoTime();
      while (System.nanoTime() - lastNew < quiet.toNanos()) {
        int before = out.size();
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (out.size() > before) {
          lastNew = System.nanoTime();
        }
      }
    }
    return out;
  }

  KafkaConsumer<byte[], byte[]> consumer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
    List<TopicPartition> partitions = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.partitionsFor(topic).isEmpty());
    consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  static int countRecords(ExportLogsServiceRequest r) {
    return r.getResourceLogsList().stream().flatMap(rl -> rl.getScopeLogsList().stream()).mapToInt(ScopeLogs::getLogRecordsCount).sum();
  }

  static ExportLogsServiceRequest request(ResourceLogs... resources) {
    return ExportLogsServiceRequest.newBuilder().addAllResourceLogs(List.of(resources)).build();
  }

  static ResourceLogs resource(String service, int records) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int n = 0; n < records; n++) {
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(1_700_000_000_000_000_000L + n)
          .setSeverityNumberValue(9)
          .setBody(str(service + " log line number " + n + " with some padding to look like a real message"))
          .addAttributes(KeyValue.newBuilder().setKey("n").setValue(AnyValue.newBuilder().setIntValue(n))));
    }
    return ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name").setValue(str(service))))
        .addScopeLogs(scope)
        .build();
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }
}
