package io.telemetrylake.devstack;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

@ExtendWith(DevStackExtension.class)
class DevStackIT {

  private final DevStack stack;

  DevStackIT(DevStack stack) {
    this.stack = stack;
  }

  @Test
  void kafkaCreatesTopicsAndDeliversWhatWasProduced() throws Exception {
    String topic = createTopic();

    produce(topic, "a", 10);

    assertThat(consume(topic, 10)).containsExactlyInAnyOrderElementsOf(values("a", 10));
  }

  @Test
  void s3StoresObjectsAndHoldsTheWarehouseBucket() {
    String bucket = "it-" + UUID.randomUUID();
    byte[] content = "hello from the devstack".getBytes(StandardCharsets.UTF_8);
    try (S3Client s3 = s3Client()) {
      s3.createBucket(b -> b.bucket(bucket));
      s3.putObject(p -> p.bucket(bucket).key("dir/object.txt"), RequestBody.fromBytes(content));

      byte[] read = s3.getObjectAsBytes(g -> g.bucket(bucket).key("dir/object.txt")).asByteArray();

      assertThat(read).isEqualTo(content);
      assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains("warehouse", bucket);
    }
  }

  @Test
  void restCatalogCreatesTablesWhoseFilesLiveInS3() throws Exception {
    Namespace namespace = Namespace.of("it_" + UUID.randomUUID().toString().replace("-", ""));
    TableIdentifier id = TableIdentifier.of(namespace, "logs");
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "body", Types.StringType.get()));
    byte[] content = "written through the table's FileIO".getBytes(StandardCharsets.UTF_8);

    try (RESTCatalog catalog = restCatalog();
        S3Client s3 = s3Client()) {
      catalog.createNamespace(namespace);
      catalog.createTable(id, schema, PartitionSpec.unpartitioned());

      Table table = catalog.loadTable(id);
      assertThat(catalog.listNamespaces()).contains(namespace);
      assertThat(table.schema().asStruct()).isEqualTo(schema.asStruct());
      assertThat(table.location()).startsWith("s3://warehouse/");

      String location = table.location() + "/data/devstack-it.txt";
      try (OutputStream out = table.io().newOutputFile(location).create()) {
        out.write(content);
      }
      try (InputStream in = table.io().newInputFile(location).newStream()) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
      // both the catalog (metadata) and the client (data) wrote into the S3 server's bucket
      String key = location.substring("s3://warehouse/".length());
      assertThat(s3.headObject(h -> h.bucket("warehouse").key(key)).contentLength())
          .isEqualTo(content.length);
      String metadataKey =
          ((HasTableOperations) table)
              .operations()
              .current()
              .metadataFileLocation()
              .substring("s3://warehouse/".length());
      assertThat(s3.headObject(h -> h.bucket("warehouse").key(metadataKey)).contentLength())
          .isPositive();
    }
  }

  @Test
  void brokerServesAgainWithItsDataAfterStopAndStart() throws Exception {
    String topic = createTopic();
    produce(topic, "before", 5);
    String bootstrap = stack.kafkaBootstrap();

    stack.kafka().stop();
    assertThat(stack.kafka().isRunning()).isFalse();
    assertThatThrownBy(() -> connect(stack.kafkaBootstrap())).isInstanceOf(ConnectException.class);

    stack.kafka().start();
    assertThat(stack.kafka().isRunning()).isTrue();
    assertThat(stack.kafkaBootstrap()).isEqualTo(bootstrap);
    produce(topic, "after", 5);

    List<String> expected = new ArrayList<>(values("before", 5));
    expected.addAll(values("after", 5));
    assertThat(consume(topic, 10)).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void s3ServesItsObjectsAgainAfterAKill() {
    String bucket = "it-" + UUID.randomUUID();
    try (S3Client s3 = s3Client()) {
      s3.createBucket(b -> b.bucket(bucket));
      s3.putObject(p -> p.bucket(bucket).key("k"), RequestBody.fromString("survives"));
    }

    stack.s3().kill();
    assertThat(stack.s3().isRunning()).isFalse();
    stack.s3().start();

    try (S3Client s3 = s3Client()) {
      assertThat(s3.getObjectAsBytes(g -> g.bucket(bucket).key("k")).asUtf8String())
          .isEqualTo("survives");
    }
  }

  @Test
  void serviceEnvironmentPointsAtTheRunningServers() {
    Map<String, String> env = stack.serviceEnv();

    assertThat(env)
        .containsEntry("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap())
        .containsEntry("ICEBERG_CATALOG_URI", stack.catalogUri().toString())
        .containsEntry("ICEBERG_WAREHOUSE", "s3://warehouse/")
        .containsEntry("S3_ENDPOINT", stack.s3Endpoint().toString())
        .containsEntry("S3_ACCESS_KEY_ID", stack.s3AccessKey())
        .containsEntry("S3_SECRET_ACCESS_KEY", stack.s3SecretKey())
        .containsEntry("S3_REGION", "us-east-1")
        .containsEntry("S3_PATH_STYLE_ACCESS", "true");
    assertThat(stack.servers()).allMatch(ManagedServer::isRunning);
    assertThat(stack.servers())
        .allSatisfy(
            s -> assertThat(s.logFile()).startsWith(stack.dataDir().resolve("logs")).exists());
  }

  @Test
  void serversListenOnLoopbackOnly() throws Exception {
    Optional<InetAddress> external = externalAddress();
    org.junit.jupiter.api.Assumptions.assumeTrue(external.isPresent(), "no non-loopback address");
    for (int port :
        List.of(
            port(stack.kafkaBootstrap()),
            stack.s3Endpoint().getPort(),
            stack.catalogUri().getPort())) {
      assertThatThrownBy(
              () -> {
                try (Socket socket = new Socket()) {
                  socket.connect(new InetSocketAddress(external.get(), port), 1000);
                }
              })
          .as("port %d on %s", port, external.get())
          .isInstanceOf(IOException.class);
    }
  }

  // --- helpers

  private String createTopic() throws Exception {
    String topic = "it-" + UUID.randomUUID();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, SECONDS);
    }
    return topic;
  }

  private void produce(String topic, String prefix, int count) throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            stack.kafkaBootstrap(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      for (String value : values(prefix, count)) {
        producer.send(new ProducerRecord<>(topic, value, value)).get(30, SECONDS);
      }
    }
  }

  private List<String> consume(String topic, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            stack.kafkaBootstrap(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "it-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class);
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInSameThread()
          .pollInterval(Duration.ZERO)
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                  received.add(r.value());
                }
                return received.size() >= expected;
              });
    }
    return List.copyOf(received);
  }

  private static List<String> values(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
  }

  private S3Client s3Client() {
    return S3Client.builder()
        .endpointOverride(stack.s3Endpoint())
        .region(Region.of(stack.s3Region()))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(stack.s3AccessKey(), stack.s3SecretKey())))
        .forcePathStyle(true)
        .build();
  }

  private RESTCatalog restCatalog() {
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize(
        "devstack",
        Map.of(
            CatalogProperties.URI,
            stack.catalogUri().toString(),
            CatalogProperties.WAREHOUSE_LOCATION,
            stack.warehouse(),
            CatalogProperties.FILE_IO_IMPL,
            "org.apache.iceberg.aws.s3.S3FileIO",
            "s3.endpoint",
            stack.s3Endpoint().toString(),
            "s3.path-style-access",
            "true",
            "s3.access-key-id",
            stack.s3AccessKey(),
            "s3.secret-access-key",
            stack.s3SecretKey(),
            "client.region",
            stack.s3Region()));
    return catalog;
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static void connect(String hostPort) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port(hostPort)), 1000);
    }
  }

  private static Optional<InetAddress> externalAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return Optional.of(address);
          }
        }
      }
    }
    return Optional.empty();
  }
}
