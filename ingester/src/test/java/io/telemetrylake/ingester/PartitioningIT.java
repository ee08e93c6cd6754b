package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.record.ResourceKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code INGESTER_PARTITIONING} against a real broker: one resource's requests stay in one
 * partition (resource) or go round all of them (spread), on both signals' topics.
 */
@ExtendWith(DevStackExtension.class)
class PartitioningIT {
  static final int PARTITIONS = 6;
  static final int REQUESTS = 12;

  final DevStack stack;
  final String logsTopic = "part-logs-" + UUID.randomUUID();
  final String tracesTopic = "part-traces-" + UUID.randomUUID();
  final List<Ingester> started = new ArrayList<>();

  PartitioningIT(DevStack stack) {
    this.stack = stack;
  }

  @AfterEach
  void stop() {
    started.forEach(Ingester::close);
  }

  @Test
  void spreadSendsOneResourcesRequestsToEveryPartitionInTurn() throws Exception {
    Ingester ingester = start("spread");
    byte[] logs = IngesterIT.request(IngesterIT.resource("checkout", 3)).toByteArray();

    for (int n = 0; n < REQUESTS; n++) {
      assertThat(IngesterIT.post(ingester, "application/x-protobuf", logs, false, false).statusCode()).isEqualTo(200);
    }

    Map<Integer, Integer> perPartition = recordsPerPartition(logsTopic, REQUESTS);
    // round-robin per request: 12 requests over 6 partitions, 2 each
    assertThat(perPartition).hasSize(PARTITIONS).allSatisfy((p, records) -> assertThat(records).isEqualTo(2));
  }

  @Test
  void spreadKeepsARequestsResourcesTogetherInOnePartition() throws Exception {
    Ingester ingester = start("spread");
    byte[] twoResources =
        IngesterIT.request(IngesterIT.resource("checkout", 2), IngesterIT.resource("payments", 2)).toByteArray();

    for (int n = 0; n < PARTITIONS; n++) {
      assertThat(IngesterIT.post(ingester, "application/x-protobuf", twoResources, false, false).statusCode()).isEqualTo(200);
    }

    List<ConsumerRecord<byte[], byte[]>> records = consume(logsTopic, 2 * PARTITIONS);
    Map<Integer, List<String>> keysByPartition = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      keysByPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(new String(r.key()));
    }
    String checkout = new String(ResourceKeys.keyOf(IngesterIT.resource("checkout", 2).getResource()));
    String payments = new String(ResourceKeys.keyOf(IngesterIT.resource("payments", 2).getResource()));
    // each request's two records in one partition, keyed by their resources as in resource mode
    assertThat(keysByPartition).hasSize(PARTITIONS)
        .allSatisfy((p, keys) -> assertThat(keys).containsExactlyInAnyOrder(checkout, payments));
  }

  @Test
  void spreadAppliesToTheTracesTopicToo() throws Exception {
    Ingester ingester = start("spread");
    byte[] spans = spans("checkout").toByteArray();

    for (int n = 0; n < REQUESTS; n++) {
      assertThat(post(ingester, "/v1/traces", spans).statusCode()).isEqualTo(200);
    }

    assertThat(recordsPerPartition(tracesTopic, REQUESTS)).hasSize(PARTITIONS)
        .allSatisfy((p, records) -> assertThat(records).isEqualTo(2));
  }

  @Test
  void resourceModeKeepsOneResourceInTheOnePartitionOfItsKey() throws Exception {
    Ingester ingester = start("resource");
    byte[] logs = IngesterIT.request(IngesterIT.resource("checkout", 3)).toByteArray();
    byte[] spans = spans("checkout").toByteArray();

    for (int n = 0; n < REQUESTS; n++) {
      assertThat(IngesterIT.post(ingester, "application/x-protobuf", logs, false, false).statusCode()).isEqualTo(200);
      assertThat(post(ingester, "/v1/traces", spans).statusCode()).isEqualTo(200);
    }

    // Kafka's default partitioner: murmur2 of the key, so every ingester agrees
    int logsPartition = partitionOfKey(ResourceKeys.keyOf(IngesterIT.resource("checkout", 3).getResource()));
    int tracesPartition = partitionOfKey(ResourceKeys.keyOf(spans("checkout").getResourceSpans(0).getResource()));
    assertThat(recordsPerPartition(logsTopic, REQUESTS)).containsExactly(Map.entry(logsPartition, REQUESTS));
    assertThat(recordsPerPartition(tracesTopic, REQUESTS)).containsExactly(Map.entry(tracesPartition, REQUESTS));
  }

  // ---- helpers

  Ingester start(String partitioning) {
    Map<String, String> env = new HashMap<>();
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    env.put("KAFKA_TOPIC", logsTopic);
    env.put("KAFKA_TRACES_TOPIC", tracesTopic);
    env.put("KAFKA_TOPIC_PARTITIONS", Integer.toString(PARTITIONS));
    env.put("INGESTER_PARTITIONING", partitioning);
    Ingester ingester = Ingester.start(IngesterConfig.from(new Settings(env)));
    started.add(ingester);
    await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
    return ingester;
  }

  static int partitionOfKey(byte[] key) {
    return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
  }

  static HttpResponse<byte[]> post(Ingester ingester, String path, byte[] body) throws Exception {
    return IngesterIT.HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingester.port() + path))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static ExportTraceServiceRequest spans(String service) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int n = 0; n < 3; n++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(1).putLong(n + 1).array()))
          .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(n + 1).array()))
          .setName("GET /cart")
          .setStartTimeUnixNano(1_700_000_000_000_000_000L)
          .setEndTimeUnixNano(1_700_000_000_100_000_000L));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue(service))))
            .addScopeSpans(scope))
        .build();
  }

  /** Kafka records per partition, once the topic holds {@code expected} of them. */
  Map<Integer, Integer> recordsPerPartition(String topic, int expected) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : consume(topic, expected)) {
      counts.merge(r.partition(), 1, Integer::sum);
    }
    return counts;
  }

  List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        return out.size() >= expected;
      });
      // every request was acknowledged before we read: nothing more may come
      assertThat(consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(expected);
    }
    return out;
  }
}
