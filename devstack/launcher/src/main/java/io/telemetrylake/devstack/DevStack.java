package io.telemetrylake.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka (one broker, or a cluster of three), an S3 server (s3proxy) and an Iceberg REST catalog,
 * each a child JVM on 127.0.0.1
 * with its own classpath. The catalog's warehouse {@value #WAREHOUSE} lives in the S3 server.
 * Children end with this JVM however it ends: {@link #close()}, a shutdown hook, or (after SIGKILL)
 * by seeing their stdin close.
 */
public final class DevStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

  static final String ACCESS_KEY = "devstack";
  static final String SECRET_KEY = "devstack-secret";
  static final String REGION = "us-east-1";
  static final String BUCKET = "warehouse";
  static final String WAREHOUSE = "s3://" + BUCKET + "/";

  private final DataDir dataDir;
  private final List<KafkaDefinition> kafkaDefinitions;
  private final int replicationFactor;
  private final int minInsyncReplicas;
  private final S3Definition s3Definition;
  private final CatalogDefinition catalogDefinition;
  private final List<ManagedServer> kafkaBrokers;
  private final ManagedServer s3;
  private final ManagedServer catalog;
  private final List<ManagedServer> services = new CopyOnWriteArrayList<>();
  private final Path runDir;
  private final Path logs;
  private final Duration readyTimeout;
  private final ClassDataSharing sharing;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread shutdownHook;

  private DevStack(DevStackConfig config, DataDir dataDir) {
    this.dataDir = dataDir;
    int brokers = config.kafkaBrokers();
    int[] free = Ports.free(2 + 2 * brokers);
    this.runDir = dataDir.resolve("run");
    this.logs = dataDir.resolve("logs");
    this.readyTimeout = config.readyTimeout();
    this.replicationFactor = config.replicationFactor();
    this.minInsyncReplicas = config.minInsyncReplicas();
    ClassLoader loader = DevStack.class.getClassLoader();
    sharing = ClassDataSharing.fromEnvironment();

    kafkaDefinitions = kafkaDefinitions(config, dataDir, runDir, free);
    s3Definition =
        new S3Definition(
            dataDir.resolve("s3"),
            runDir,
            Ports.orFree(config.s3Port(), free[2 * brokers]),
            ACCESS_KEY,
            SECRET_KEY,
            BUCKET);
    catalogDefinition =
        new CatalogDefinition(
            dataDir.resolve("catalog"),
            runDir,
            Ports.orFree(config.catalogPort(), free[2 * brokers + 1]),
            s3Definition.endpoint(),
            ACCESS_KEY,
            SECRET_KEY,
            REGION,
            WAREHOUSE);
    kafkaBrokers =
        kafkaDefinitions.stream().map(d -> server(d, loader, runDir, logs, config, sharing)).toList();
    s3 = server(s3Definition, loader, runDir, logs, config, sharing);
    catalog = server(catalogDefinition, loader, runDir, logs, config, sharing);
    shutdownHook = new Thread(this::stopAll, "devstack-shutdown");
  }

  private static ManagedServer server(
      ServerDefinition definition,
      ClassLoader loader,
      Path runDir,
      Path logs,
      DevStackConfig config,
      ClassDataSharing sharing) {
    return new ManagedServer(
        definition,
        RuntimeClasspath.of(definition.runtime(), loader),
        runDir,
        logs.resolve(definition.name() + ".log"),
        config.readyTimeout(),
        sharing);
  }

  /**
   * The Kafka nodes: node 1 in {@code kafka/} (as with one broker), the others in {@code
   * kafka-<n>/}; all of them voters of the KRaft quorum. The data directory remembers how many
   * there were: a cluster cannot grow or shrink by restarting on other settings.
   */
  private static List<KafkaDefinition> kafkaDefinitions(
      DevStackConfig config, DataDir dataDir, Path runDir, int[] free) {
    int brokers = config.kafkaBrokers();
    Path first = dataDir.resolve("kafka");
    checkBrokerCount(first, brokers);
    List<KafkaDefinition.Voter> voters = new ArrayList<>();
    for (int n = 1; n <= brokers; n++) {
      voters.add(new KafkaDefinition.Voter(n, free[2 * (n - 1) + 1]));
    }
    List<KafkaDefinition> definitions = new ArrayList<>();
    for (int n = 1; n <= brokers; n++) {
      int port = config.kafkaPort() == 0 ? free[2 * (n - 1)] : config.kafkaPort() + n - 1;
      definitions.add(
          new KafkaDefinition(
              n == 1 ? first : dataDir.resolve("kafka-" + n),
              runDir,
              first.resolve("cluster.id"),
              n,
              port,
              voters.get(n - 1).controllerPort(),
              voters,
              config.replicationFactor(),
              config.minInsyncReplicas()));
    }
    return List.copyOf(definitions);
  }

  private static void checkBrokerCount(Path firstKafkaHome, int brokers) {
    Path marker = firstKafkaHome.resolve("brokers");
    try {
      Files.createDirectories(firstKafkaHome);
      String recorded =
          Files.exists(marker)
              ? Files.readString(marker).strip()
              // a data directory from before the marker: made by a single broker
              : Files.exists(firstKafkaHome.resolve("data")) ? "1" : null;
      if (recorded != null && !recorded.equals(Integer.toString(brokers))) {
        throw new IllegalStateException(
            "the data directory holds a Kafka cluster of "
                + recorded
                + " broker(s), not "
                + brokers
                + " (LAKE_KAFKA_BROKERS): start with --wipe, or use another LAKE_DATA_DIR");
      }
      Files.writeString(marker, brokers + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the broker count in " + marker, e);
    }
  }

  /**
   * Starts every server and returns once each one answers. Kafka and S3 start side by side (the
   * Kafka nodes all at once: a quorum needs a majority of its voters); the catalog follows S3
   * because it needs the warehouse bucket.
   */
  public static DevStack start(DevStackConfig config) {
    DataDir dataDir = DataDir.open(config.dataDir(), config.wipe());
    DevStack stack;
    try {
      stack = new DevStack(config, dataDir);
    } catch (RuntimeException e) {
      dataDir.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
    try {
      stack.kafkaBrokers.forEach(ManagedServer::launch);
      stack.s3.launch();
      stack.s3.awaitReady();
      stack.catalog.launch();
      stack.kafkaBrokers.forEach(ManagedServer::awaitReady);
      stack.catalog.awaitReady();
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  /** Every broker, comma-separated. */
  public String kafkaBootstrap() {
    return String.join(",", kafkaDefinitions.stream().map(KafkaDefinition::bootstrap).toList());
  }

  /** The replication factor topics get here: 1 with one broker, 3 with three. */
  public int replicationFactor() {
    return replicationFactor;
  }

  /** min.insync.replicas here: 1 with one broker, 2 with three. */
  public int minInsyncReplicas() {
    return minInsyncReplicas;
  }

  public URI s3Endpoint() {
    return s3Definition.endpoint();
  }

  public String s3AccessKey() {
    return ACCESS_KEY;
  }

  public String s3SecretKey() {
    return SECRET_KEY;
  }

  public String s3Region() {
    return REGION;
  }

  /** {@value #WAREHOUSE}: the catalog's warehouse, a bucket of the S3 server. */
  public String warehouse() {
    return WAREHOUSE;
  }

  public URI catalogUri() {
    return catalogDefinition.uri();
  }

  public Path dataDir() {
    return dataDir.root();
  }

  /** The (first) Kafka broker. */
  public ManagedServer kafka() {
    return kafkaBrokers.get(0);
  }

  /** Every Kafka broker; the one with node id {@code n} is at index {@code n - 1}. */
  public List<ManagedServer> kafkaBrokers() {
    return kafkaBrokers;
  }

  public ManagedServer s3() {
    return s3;
  }

  public ManagedServer catalog() {
    return catalog;
  }

  /** The servers in start order: the Kafka brokers, S3, the catalog. */
  public List<ManagedServer> servers() {
    List<ManagedServer> all = new ArrayList<>(kafkaBrokers);
    all.add(s3);
    all.add(catalog);
    return List.copyOf(all);
  }

  /** Environment variables that point the ingester and the appender at this stack. */
  public Map<String, String> serviceEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap());
    // topics as durable as this stack can make them (1 and 1 with a single broker)
    env.put("KAFKA_TOPIC_REPLICATION_FACTOR", Integer.toString(replicationFactor));
    env.put("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", Integer.toString(minInsyncReplicas));
    env.put("ICEBERG_CATALOG_URI", catalogUri().toString());
    env.put("ICEBERG_WAREHOUSE", warehouse());
    env.put("S3_ENDPOINT", s3Endpoint().toString());
    env.put("S3_ACCESS_KEY_ID", ACCESS_KEY);
    env.put("S3_SECRET_ACCESS_KEY", SECRET_KEY);
    env.put("S3_REGION", REGION);
    env.put("S3_PATH_STYLE_ACCESS", "true");
    return Collections.unmodifiableMap(env);
  }

  /**
   * Starts one of telemetry-lake's own services from its module's build output, as a child JVM
   * like the servers, and waits until {@code readyPath} answers 200. The stack stops its services
   * before its servers (an appender flushes on shutdown and needs Kafka, S3 and the catalog).
   *
   * @param module the Maven module (directory under {@code repoRoot}) that holds the service
   */
  public ManagedServer startService(
      Path repoRoot,
      String name,
      String module,
      String mainClass,
      int port,
      String readyPath,
      Map<String, String> env,
      List<String> jvmOptions) {
    ServiceDefinition definition = new ServiceDefinition(name, mainClass, port, readyPath, env, jvmOptions);
    ManagedServer service =
        new ManagedServer(
            definition,
            ServiceDefinition.moduleClasspath(repoRoot, module),
            runDir,
            logs.resolve(name + ".log"),
            readyTimeout,
            // from the module's jar, keyed by its size and time: a new build gets a new archive
            sharing);
    services.add(service);
    service.start();
    return service;
  }

  /** Stops (gracefully) and forgets the services started with {@link #startService}. */
  public void stopServices() {
    services.forEach(ManagedServer::requestStop);
    services.forEach(ManagedServer::awaitStopped);
    services.clear();
  }

  /**
   * Stops every server (all at once, gracefully) and waits until their processes are gone, also
   * when another thread (the shutdown hook) is already closing the stack.
   */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running or has run
    }
  }

  private void stopAll() {
    if (!closed.compareAndSet(false, true)) {
      awaitStopped();
      return;
    }
    try {
      LOG.info("stopping devstack in {}", dataDir.root());
      services.forEach(ManagedServer::retire);
      stopServices();
      servers().forEach(ManagedServer::retire);
      // the catalog goes first so it does not see S3 vanish under a request
      catalog.requestStop();
      kafkaBrokers.forEach(ManagedServer::requestStop);
      catalog.awaitStopped();
      s3.requestStop();
      kafkaBrokers.forEach(ManagedServer::awaitStopped);
      s3.awaitStopped();
      dataDir.close();
    } finally {
      stopped.countDown();
    }
  }

  private void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
