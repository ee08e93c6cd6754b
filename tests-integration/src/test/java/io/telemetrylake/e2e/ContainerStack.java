package io.telemetrylake.e2e;

import io.telemetrylake.devstack.Pipeline;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The stack as container images on one Docker network, for {@code -Pcontainers}: Kafka, MinIO and
 * the Apache Iceberg REST fixture as in {@code docker/docker-compose.yml}, and our own images. The
 * services talk to each other by network alias; the test reaches everything through mapped ports.
 */
final class ContainerStack implements E2eStack, AutoCloseable {
  // Images and settings follow docker/docker-compose.yml (ContainerStackTest keeps them equal).
  static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
  // Compose says :latest; pinned (to the Helm chart's tag) so a run is repeatable.
  static final String MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";
  static final String CATALOG_IMAGE = "apache/iceberg-rest-fixture:1.10.0";

  static final String ACCESS_KEY = "lakeadmin";
  static final String SECRET_KEY = "lakeadmin-secret";
  static final String REGION = "us-east-1";
  static final String BUCKET = "warehouse";
  static final String WAREHOUSE = "s3://" + BUCKET + "/";

  /** Inside the network: an extra Kafka listener for other containers (the default one is for the host). */
  static final String KAFKA_INTERNAL = "kafka:19092";
  static final String MINIO_INTERNAL = "http://minio:9000";
  static final String CATALOG_INTERNAL = "http://iceberg-rest:8181";
  static final int INGESTER_PORT = 4318;
  static final int APPENDER_PORT = 8080;

  /** A JVM service in a container on a 2-core machine can take a while to answer. */
  private static final Duration SERVICE_START = Duration.ofMinutes(3);

  private final Network network = Network.newNetwork();
  private final KafkaContainer kafka;
  private final GenericContainer<?> minio;
  private final GenericContainer<?> catalog;
  private final Path repoRoot;
  private final Map<String, ImageFromDockerfile> builtImages = new HashMap<>();

  private ContainerStack(Path repoRoot) {
    this.repoRoot = repoRoot;
    kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
        .withNetwork(network).withNetworkAliases("kafka").withListener(KAFKA_INTERNAL);
    minio = new GenericContainer<>(DockerImageName.parse(MINIO_IMAGE))
        .withNetwork(network).withNetworkAliases("minio")
        .withEnv("MINIO_ROOT_USER", ACCESS_KEY).withEnv("MINIO_ROOT_PASSWORD", SECRET_KEY)
        .withCommand("server", "/data")
        .withExposedPorts(9000)
        .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000));
    catalog = new GenericContainer<>(DockerImageName.parse(CATALOG_IMAGE))
        .withNetwork(network).withNetworkAliases("iceberg-rest")
        .withEnv(catalogEnv())
        .withExposedPorts(8181)
        .waitingFor(Wait.forHttp("/v1/config").forPort(8181));
  }

  /** Starts Kafka, MinIO (with the warehouse bucket) and the catalog; the services start per test. */
  static ContainerStack start() {
    ContainerStack stack = new ContainerStack(Pipeline.repoRootFromModule());
    try {
      stack.kafka.start();
      stack.minio.start();
      stack.createBucket();
      stack.catalog.start();
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  /** The REST fixture's settings, as in docker-compose.yml (CATALOG_ prefix, __ for -, _ for .). */
  static Map<String, String> catalogEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CATALOG_WAREHOUSE", WAREHOUSE);
    env.put("CATALOG_IO__IMPL", "org.apache.iceberg.aws.s3.S3FileIO");
    env.put("CATALOG_S3_ENDPOINT", MINIO_INTERNAL);
    env.put("CATALOG_S3_PATH__STYLE__ACCESS", "true");
    env.put("CATALOG_S3_ACCESS__KEY__ID", ACCESS_KEY);
    env.put("CATALOG_S3_SECRET__ACCESS__KEY", SECRET_KEY);
    env.put("CATALOG_URI", "jdbc:sqlite:/tmp/catalog.db");
    env.put("AWS_REGION", REGION);
    return env;
  }

  /** What points a service container at the stack: in-network addresses only. */
  static Map<String, String> stackEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA_INTERNAL);
    env.put("ICEBERG_CATALOG_URI", CATALOG_INTERNAL);
    env.put("ICEBERG_WAREHOUSE", WAREHOUSE);
    env.put("S3_ENDPOINT", MINIO_INTERNAL);
    env.put("S3_ACCESS_KEY_ID", ACCESS_KEY);
    env.put("S3_SECRET_ACCESS_KEY", SECRET_KEY);
    env.put("S3_REGION", REGION);
    env.put("S3_PATH_STYLE_ACCESS", "true");
    return env;
  }

  /** As {@code Pipeline}: the stack's endpoints, then the test's settings; the port is the image's. */
  static Map<String, String> ingesterEnv(Map<String, String> settings) {
    Map<String, String> env = new LinkedHashMap<>(stackEnv());
    env.putAll(settings);
    env.put("INGESTER_HOST", "0.0.0.0");
    env.put("INGESTER_PORT", Integer.toString(INGESTER_PORT));
    return env;
  }

  static Map<String, String> appenderEnv(Map<String, String> settings) {
    Map<String, String> env = new LinkedHashMap<>(stackEnv());
    env.putAll(settings);
    env.put("APPENDER_BIND_ADDRESS", "0.0.0.0");
    env.put("APPENDER_PORT", Integer.toString(APPENDER_PORT));
    return env;
  }

  @Override
  public Map<String, String> catalogProperties() {
    URI catalogFromHost = URI.create("http://" + catalog.getHost() + ":" + catalog.getMappedPort(8181));
    return E2eStack.readerProperties(
        catalogFromHost, WAREHOUSE, minioFromHost(), ACCESS_KEY, SECRET_KEY, REGION);
  }

  @Override
  public Services startServices(Map<String, String> settings) {
    GenericContainer<?> ingester = service("ingester", INGESTER_PORT, ingesterEnv(settings));
    GenericContainer<?> appender = service("appender", APPENDER_PORT, appenderEnv(settings));
    try {
      ingester.start();
      appender.start();
    } catch (RuntimeException e) {
      appender.stop();
      ingester.stop();
      throw e;
    }
    return new ContainerServices(ingester, appender);
  }

  private GenericContainer<?> service(String name, int port, Map<String, String> env) {
    GenericContainer<?> container = ServiceImage.override(name)
        .map(image -> new GenericContainer<>(DockerImageName.parse(image)))
        .orElseGet(() -> new GenericContainer<>(builtImage(name)));
    // Ready means the same as for the child processes: the service answers /readyz with 200.
    return container.withNetwork(network).withEnv(env).withExposedPorts(port)
        .waitingFor(Wait.forHttp("/readyz").forPort(port).withStartupTimeout(SERVICE_START));
  }

  /** Built once per run, when the first container of the service starts. */
  private synchronized ImageFromDockerfile builtImage(String name) {
    return builtImages.computeIfAbsent(name, n -> ServiceImage.fromDockerfile(repoRoot, n));
  }

  private URI minioFromHost() {
    return URI.create("http://" + minio.getHost() + ":" + minio.getMappedPort(9000));
  }

  private void createBucket() {
    try (S3Client s3 = S3Client.builder()
        .endpointOverride(minioFromHost())
        .forcePathStyle(true)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build()) {
      s3.createBucket(b -> b.bucket(BUCKET));
    }
  }

  @Override
  public void close() {
    catalog.stop();
    minio.stop();
    kafka.stop();
    network.close();
  }

  record ContainerServices(GenericContainer<?> ingester, GenericContainer<?> appender) implements Services {
    @Override
    public URI ingesterUri() {
      return URI.create("http://" + ingester.getHost() + ":" + ingester.getMappedPort(INGESTER_PORT));
    }

    @Override
    public List<URI> appenderUris() {
      return List.of(URI.create("http://" + appender.getHost() + ":" + appender.getMappedPort(APPENDER_PORT)));
    }

    @Override
    public String logs() {
      return ingester.getLogs() + appender.getLogs();
    }

    @Override
    public void close() {
      appender.stop();
      ingester.stop();
    }
  }
}
