package io.telemetrylake.devstack;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
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
 * A Kafka broker, an S3 server (s3proxy) and an Iceberg REST catalog, each a child JVM on 127.0.0.1
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
  private final KafkaDefinition kafkaDefinition;
  private final S3Definition s3Definition;
  private final CatalogDefinition catalogDefinition;
  private final ManagedServer kafka;
  private final ManagedServer s3;
  private final ManagedServer catalog;
  private final List<ManagedServer> services = new CopyOnWriteArrayList<>();
  private final Path runDir;
  private final Path logs;
  private final Duration readyTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread shutdownHook;

  private DevStack(DevStackConfig config, DataDir dataDir) {
    this.dataDir = dataDir;
    int[] free = Ports.free(4);
    this.runDir = dataDir.resolve("run");
    this.logs = dataDir.resolve("logs");
    this.readyTimeout = config.readyTimeout();
    ClassLoader loader = DevStack.class.getClassLoader();
    ClassDataSharing sharing = ClassDataSharing.fromEnvironment();

    kafkaDefinition =
        new KafkaDefinition(
            dataDir.resolve("kafka"), runDir, Ports.orFree(config.kafkaPort(), free[0]), free[1]);
    s3Definition =
        new S3Definition(
            dataDir.resolve("s3"),
            runDir,
            Ports.orFree(config.s3Port(), free[2]),
            ACCESS_KEY,
            SECRET_KEY,
            BUCKET);
    catalogDefinition =
        new CatalogDefinition(
            dataDir.resolve("catalog"),
            runDir,
            Ports.orFree(config.catalogPort(), free[3]),
            s3Definition.endpoint(),
            ACCESS_KEY,
            SECRET_KEY,
            REGION,
            WAREHOUSE);
    kafka = server(kafkaDefinition, loader, runDir, logs, config, sharing);
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
        RuntimeClasspath.of(definition.name(), loader),
        runDir,
        logs.resolve(definition.name() + ".log"),
        config.readyTimeout(),
        sharing);
  }

  /**
   * Starts all three servers and returns once each one answers. Kafka and S3 start side by side;
   * the catalog follows S3 because it needs the warehouse bucket.
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
      stack.kafka.launch();
      stack.s3.launch();
      stack.s3.awaitReady();
      stack.catalog.launch();
      stack.kafka.awaitReady();
      stack.catalog.awaitReady();
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  public String kafkaBootstrap() {
    return kafkaDefinition.bootstrap();
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

  public ManagedServer kafka() {
    return kafka;
  }

  public ManagedServer s3() {
    return s3;
  }

  public ManagedServer catalog() {
    return catalog;
  }

  /** The three servers in start order. */
  public List<ManagedServer> servers() {
    return List.of(kafka, s3, catalog);
  }

  /** Environment variables that point the ingester and the appender at this stack. */
  public Map<String, String> serviceEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap());
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
            // service classes change with every build: an archive would rarely be reused
            ClassDataSharing.disabled());
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
      kafka.requestStop();
      catalog.awaitStopped();
      s3.requestStop();
      kafka.awaitStopped();
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
