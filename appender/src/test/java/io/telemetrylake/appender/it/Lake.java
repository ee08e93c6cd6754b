package io.telemetrylake.appender.it;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.appender.AppenderConfig;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.table.LogTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the integration tests need around a {@link DevStack}: one topic and table per test, a
 * producer of records with unique ids, the appender's settings, and the table read back through
 * Iceberg's own REST client and generic reader (not the appender's code).
 */
public final class Lake implements AutoCloseable {
  public static final String NAMESPACE = "it";
  /** Log attribute carrying each test record's unique id. */
  public static final String ID_ATTRIBUTE = "test.id";

  final DevStack stack;
  final String topic;
  final String table;
  /** The traces pipeline's topic and table: every appender runs both signals unless SIGNALS says otherwise. */
  final String tracesTopic;
  final String tracesTable;
  final Path stagingRoot;
  private final KafkaProducer<byte[], byte[]> producer;
  private final RESTCatalog catalog;

  private Lake(DevStack stack, String name, int partitions, Path stagingRoot) {
    this.stack = stack;
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    this.topic = name + "-" + suffix;
    this.table = name.replace('-', '_') + "_" + suffix;
    this.tracesTopic = name + "-traces-" + suffix;
    this.tracesTable = name.replace('-', '_') + "_traces_" + suffix;
    this.stagingRoot = stagingRoot;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(
          new NewTopic(topic, partitions, (short) 1), new NewTopic(tracesTopic, partitions, (short) 1))).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
    this.catalog = new RESTCatalog();
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, stack.catalogUri().toString());
    props.put(CatalogProperties.WAREHOUSE_LOCATION, stack.warehouse());
    props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("s3.endpoint", stack.s3Endpoint().toString());
    props.put("s3.path-style-access", "true");
    props.put("s3.access-key-id", stack.s3AccessKey());
    props.put("s3.secret-access-key", stack.s3SecretKey());
    props.put("client.region", stack.s3Region());
    catalog.initialize("it", props);
  }

  /** A fresh topic (with this many partitions) and table name for one test. */
  public static Lake create(DevStack stack, String name, int partitions) {
    try {
      Path target = Path.of("target");
      Path root = Files.createTempDirectory(
          Files.isDirectory(target) ? target.toAbsolutePath() : Path.of(System.getProperty("java.io.tmpdir")),
          "appender-it-");
      return new Lake(stack, name, partitions, root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment an appender for this topic and table runs with. */
  public Map<String, String> env(String stagingName, String... overrides) {
    Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.put("KAFKA_TOPIC", topic);
    env.put("APPENDER_GROUP_ID", "it-" + topic);
    env.put("ICEBERG_NAMESPACE", NAMESPACE);
    env.put("ICEBERG_TABLE", table);
    env.put("KAFKA_TRACES_TOPIC", tracesTopic);
    env.put("ICEBERG_TRACES_TABLE", tracesTable);
    env.put("APPENDER_STAGING_DIR", stagingRoot.resolve(stagingName).toString());
    // one per staging directory: the same appender across restarts, distinct ones in one group
    env.put("APPENDER_INSTANCE_ID", stagingName.replaceAll("[^A-Za-z0-9._-]", "-"));
    env.put("APPENDER_PORT", "0");
    env.put("APPENDER_BIND_ADDRESS", "127.0.0.1");
    env.put("APPENDER_DUCKDB_MEMORY_MB", "256");
    env.put("APPENDER_SHUTDOWN_TIMEOUT_SECONDS", "20");
    for (int i = 0; i < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    return env;
  }

  public AppenderConfig config(String stagingName, String... overrides) {
    return AppenderConfig.from(new Settings(env(stagingName, overrides)));
  }

  public String topic() {
    return topic;
  }

  /** Sends one Kafka record holding {@code count} log records with ids {@code prefix-first..}. */
  public ExportLogsServiceRequest send(Integer partition, String prefix, int first, int count) {
    ExportLogsServiceRequest request = request(prefix, first, count);
    send(partition, request.toByteArray());
    return request;
  }

  public void send(Integer partition, byte[] value) {
    send(topic, partition, value);
  }

  /** Sends one record to the traces topic. */
  public void sendTraces(Integer partition, byte[] value) {
    send(tracesTopic, partition, value);
  }

  private void send(String topic, Integer partition, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, partition, null, value)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot produce to " + topic, e);
    }
  }

  /** Sends {@code total} ids as records of {@code perRecord} ids, round-robin over partitions. */
  public List<String> sendMany(String prefix, int total, int perRecord, int partitions) {
    return sendMany(prefix, total, perRecord, partitions, 0);
  }

  /** As above, each body padded with {@code padding} more characters. */
  public List<String> sendMany(String prefix, int total, int perRecord, int partitions, int padding) {
    List<String> ids = new ArrayList<>();
    int n = 0;
    int i = 0;
    while (n < total) {
      int count = Math.min(perRecord, total - n);
      producer.send(new ProducerRecord<>(topic, i++ % partitions, null,
          request(prefix, n, count, padding).toByteArray()));
      for (int k = n; k < n + count; k++) {
        ids.add(prefix + "-" + k);
      }
      n += count;
    }
    producer.flush();
    return ids;
  }

  static ExportLogsServiceRequest request(String prefix, int first, int count) {
    return request(prefix, first, count, 0);
  }

  static ExportLogsServiceRequest request(String prefix, int first, int count, int padding) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = first; i < first + count; i++) {
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(now + i)
          .setSeverityNumberValue(9)
          .setSeverityText("INFO")
          .setBody(AnyValue.newBuilder().setStringValue("message " + i + " " + "x".repeat(i % 50 + padding)))
          .addAttributes(KeyValue.newBuilder().setKey(ID_ATTRIBUTE)
              .setValue(AnyValue.newBuilder().setStringValue(prefix + "-" + i))));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder()
                .setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("it-" + prefix))))
            .addScopeLogs(scope))
        .build();
  }

  public TableIdentifier tableId() {
    return TableIdentifier.of(Namespace.of(NAMESPACE), table);
  }

  public TableIdentifier tracesTableId() {
    return TableIdentifier.of(Namespace.of(NAMESPACE), tracesTable);
  }

  public String tracesTopic() {
    return tracesTopic;
  }

  public boolean tableExists() {
    return catalog.tableExists(tableId());
  }

  public Table loadTable() {
    return catalog.loadTable(tableId());
  }

  public boolean tracesTableExists() {
    return catalog.tableExists(tracesTableId());
  }

  public Table loadTracesTable() {
    return catalog.loadTable(tracesTableId());
  }

  /** Every row of the table, read with Iceberg's generic reader. */
  public List<Record> rows() {
    return rows(tableId());
  }

  /** Every row of the traces table, read with Iceberg's generic reader. */
  public List<Record> tracesRows() {
    return rows(tracesTableId());
  }

  private List<Record> rows(TableIdentifier id) {
    if (!catalog.tableExists(id)) {
      return List.of();
    }
    List<Record> out = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(catalog.loadTable(id)).build()) {
      records.forEach(r -> out.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The test ids of all rows, duplicates kept. */
  @SuppressWarnings("unchecked")
  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (Record r : rows()) {
      Map<String, String> attributes = (Map<String, String>) r.getField(LogTable.LOG_ATTRIBUTES);
      ids.add(attributes.get(ID_ATTRIBUTE));
    }
    return ids;
  }

  /** Locations of the table's current data files. */
  public List<String> tableDataFiles() {
    Table t = loadTable();
    List<String> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = t.newScan().planFiles()) {
      tasks.forEach(task -> files.add(task.file().location()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Every object under the table's data/ prefix in the S3 server. */
  public List<String> warehouseDataFiles() {
    URI location = URI.create(loadTable().location());
    String bucket = location.getHost();
    String prefix = location.getPath().replaceFirst("^/", "") + "/data/";
    try (S3Client s3 = S3Client.builder()
        .endpointOverride(stack.s3Endpoint())
        .forcePathStyle(true)
        .region(Region.of(stack.s3Region()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(stack.s3AccessKey(), stack.s3SecretKey())))
        .build()) {
      List<String> out = new ArrayList<>();
      for (S3Object o : s3.listObjectsV2Paginator(
          ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build()).contents()) {
        out.add("s3://" + bucket + "/" + o.key());
      }
      return out;
    }
  }

  /** A plain HTTP call to an appender's admin port. */
  public static HttpResponse<String> http(String method, int port, String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofMinutes(3))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    producer.close();
    catalog.close();
  }
}
