package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpJsonEncoder;
import io.telemetrylake.samples.Codings;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@code Content-Encoding} an OTLP client may use (those of the Collector's HTTP server),
 * for both body encodings and every signal, over real HTTP into a real broker: each arrives whole;
 * a bomb of each gets 413, a corrupt body of each 400, anything else 415, every refusal with an
 * OTLP {@code Status} body in the request's encoding.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentEncodingIT {
  private static final int SMALL_LIMIT = 1 << 20;

  final DevStack stack;
  final String logsTopic = "enc-logs-" + UUID.randomUUID();
  final String tracesTopic = "enc-traces-" + UUID.randomUUID();
  final Map<Codings, byte[]> bombs = new EnumMap<>(Codings.class);
  Ingester ingester;
  Ingester small;

  ContentEncodingIT(DevStack stack) {
    this.stack = stack;
  }

  @BeforeAll
  void startIngesters() {
    ingester = start(Map.of());
    small = start(Map.of("INGESTER_MAX_BODY_BYTES", Integer.toString(SMALL_LIMIT)));
  }

  @AfterAll
  void stopIngesters() {
    if (ingester != null) {
      ingester.close();
    }
    if (small != null) {
      small.close();
    }
  }

  private Ingester start(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    env.put("KAFKA_TOPIC", logsTopic);
    env.put("KAFKA_TRACES_TOPIC", tracesTopic);
    env.put("KAFKA_TOPIC_PARTITIONS", "2");
    env.putAll(overrides);
    Ingester i = Ingester.start(IngesterConfig.from(new Settings(env)));
    await().atMost(Duration.ofSeconds(30)).until(i::isReady);
    return i;
  }

  static Stream<Arguments> everyCodingEncodingAndSignal() {
    List<Arguments> all = new ArrayList<>();
    for (Signal<?> signal : Signals.ALL) {
      for (Codings coding : Codings.values()) {
        for (OtlpEncoding encoding : OtlpEncoding.values()) {
          all.add(Arguments.of(signal.name(), coding, encoding));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("everyCodingEncodingAndSignal")
  void everyCodingOfEveryEncodingArrivesWhole(String signalName, Codings coding, OtlpEncoding encoding) throws Exception {
    Signal<?> signal = Signals.byName(signalName).orElseThrow();
    String service = "svc-" + UUID.randomUUID();
    Message request = request(signal, service, 3);
    byte[] body = encoding == OtlpEncoding.JSON ? json(request) : request.toByteArray();

    HttpResponse<byte[]> response = post(ingester, signal, encoding, coding.encode(body), coding.header());

    assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(encoding.contentType()));
    assertThat(recordOf(signal, service)).isEqualTo(request);
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void aBombOfEveryCodingGets413OnEverySignal(Codings coding) throws Exception {
    for (Signal<?> signal : Signals.ALL) {
      for (OtlpEncoding encoding : OtlpEncoding.values()) {
        HttpResponse<byte[]> response = post(small, signal, encoding, bomb(coding), coding.header());

        assertThat(response.statusCode()).as("%s %s", signal.name(), encoding).isEqualTo(413);
        assertStatusBody(response, encoding, 11, "exceeds the limit");
      }
    }
    assertThat(small.isReady()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Codings.class)
  void aTruncatedBodyOfEveryCodingGets400(Codings coding) throws Exception {
    for (Signal<?> signal : Signals.ALL) {
      for (OtlpEncoding encoding : OtlpEncoding.values()) {
        Message request = request(signal, "truncated", 200);
        byte[] compressed = coding.encode(encoding == OtlpEncoding.JSON ? json(request) : request.toByteArray());
        byte[] truncated = java.util.Arrays.copyOf(compressed, compressed.length / 2);

        HttpResponse<byte[]> response = post(ingester, signal, encoding, truncated, coding.header());

        assertThat(response.statusCode()).as("%s %s", signal.name(), encoding).isEqualTo(400);
        assertStatusBody(response, encoding, 3, "request body: ");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"br", "compress", "gzip, zstd", "zstd,deflate", "identity, gzip"})
  void anyOtherCodingGets415WithAStatusBody(String contentEncoding) throws Exception {
    for (Signal<?> signal : Signals.ALL) {
      for (OtlpEncoding encoding : OtlpEncoding.values()) {
        byte[] body = Codings.GZIP.encode(request(signal, "unsupported", 1).toByteArray());

        HttpResponse<byte[]> response = post(ingester, signal, encoding, body, contentEncoding);

        assertThat(response.statusCode()).as("%s %s", signal.name(), encoding).isEqualTo(415);
        assertStatusBody(response, encoding, 3, "unsupported Content-Encoding \"" + contentEncoding + "\"");
      }
    }
  }

  @Test
  void twoContentEncodingLinesAreTwoCodingsAndGet415() throws Exception {
    byte[] body = Codings.ZSTD.encode(Codings.GZIP.encode(request(Signals.LOGS, "twice", 1).toByteArray()));
    HttpRequest request = HttpRequest.newBuilder(uri(ingester, Signals.LOGS))
        .header("Content-Type", "application/x-protobuf")
        .header("Content-Encoding", "gzip")
        .header("Content-Encoding", "zstd")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();

    HttpResponse<byte[]> response = IngesterIT.HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(415);
    assertStatusBody(response, OtlpEncoding.PROTOBUF, 3, "unsupported Content-Encoding \"gzip, zstd\": one coding per request");
  }

  // ---- helpers

  /** 8 MiB of zeros in the coding: 8 times the small ingester's limit, a few KiB on the wire. */
  private byte[] bomb(Codings coding) {
    return bombs.computeIfAbsent(coding, c -> c.encode(new byte[8 * SMALL_LIMIT]));
  }

  private static Message request(Signal<?> signal, String service, int items) {
    if (signal == Signals.LOGS) {
      return IngesterIT.request(IngesterIT.resource(service, items));
    }
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int n = 0; n < items; n++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) n}))
          .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) (n + 1)}))
          .setName("GET /item/" + n)
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L + n)
          .setEndTimeUnixNano(1_700_000_000_500_000_000L + n));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name").setValue(IngesterIT.str(service))))
            .addScopeSpans(scope))
        .build();
  }

  private static byte[] json(Message request) {
    return request instanceof ExportLogsServiceRequest logs
        ? OtlpJsonEncoder.encode(logs, OtlpJsonEncoder.Style.OTLP)
        : OtlpJsonEncoder.encode((ExportTraceServiceRequest) request, OtlpJsonEncoder.Style.OTLP);
  }

  private static URI uri(Ingester i, Signal<?> signal) {
    return IngesterIT.base(i).resolve(signal.path());
  }

  /** Sent chunked, as real clients send compressed bodies. */
  private static HttpResponse<byte[]> post(Ingester i, Signal<?> signal, OtlpEncoding encoding, byte[] body, String contentEncoding)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri(i, signal))
        .header("Content-Type", encoding.contentType())
        .header("Content-Encoding", contentEncoding)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
        .timeout(Duration.ofSeconds(30))
        .build();
    return IngesterIT.HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The OTLP {@code google.rpc.Status} of a refusal: its code and (part of) its message. */
  private static void assertStatusBody(HttpResponse<byte[]> response, OtlpEncoding encoding, int code, String message)
      throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith(encoding.contentType()));
    if (encoding == OtlpEncoding.JSON) {
      String text = new String(response.body(), StandardCharsets.UTF_8);
      assertThat(text).contains("\"code\":" + code).contains(message.replace("\"", "\\\""));
    } else {
      UnknownFieldSet status = UnknownFieldSet.parseFrom(response.body());
      assertThat(status.getField(1).getVarintList()).containsExactly((long) code);
      assertThat(status.getField(2).getLengthDelimitedList()).singleElement()
          .satisfies(m -> assertThat(m.toStringUtf8()).contains(message));
    }
  }

  /** The one record of the signal's topic whose resource is that service, decoded. */
  private Message recordOf(Signal<?> signal, String service) {
    String topic = signal == Signals.LOGS ? logsTopic : tracesTopic;
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<Message> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          Message value = decode(signal, record.value());
          if (value.toString().contains(service)) {
            found.add(value);
          }
        }
        return !found.isEmpty();
      });
    }
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private static Message decode(Signal<?> signal, byte[] value) {
    try {
      return signal.decodeValue(value);
    } catch (OtlpDecodeException e) {
      throw new AssertionError(e);
    }
  }
}
