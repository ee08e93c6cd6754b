package io.telemetrylake.devstack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/** A single KRaft node in combined mode (broker and controller in one process). */
final class KafkaDefinition implements ServerDefinition {

  static final String MAIN_CLASS = "io.telemetrylake.devstack.kafka.KafkaMain";

  private final Path home;
  private final Path runDir;
  private final int port;
  private final int controllerPort;

  KafkaDefinition(Path home, Path runDir, int port, int controllerPort) {
    this.home = home;
    this.runDir = runDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  @Override
  public String name() {
    return "kafka";
  }

  String bootstrap() {
    return Ports.HOST + ":" + port;
  }

  @Override
  public List<Integer> ports() {
    return List.of(port, controllerPort);
  }

  @Override
  public ChildSpec prepare() throws IOException {
    Files.createDirectories(home);
    Files.createDirectories(runDir);
    Path serverProperties = runDir.resolve("kafka-server.properties");
    Files.writeString(serverProperties, serverProperties(), StandardCharsets.UTF_8);
    return new ChildSpec(
        name(),
        List.of(
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true"),
        MAIN_CLASS,
        List.of(serverProperties.toString(), clusterId()));
  }

  /**
   * Static quorum ({@code controller.quorum.voters}) rather than a formatted dynamic one: the
   * voter's address then comes from this file on every start, so the data directory survives a
   * change of ports.
   */
  String serverProperties() {
    String host = Ports.HOST;
    return String.join(
            "\n",
            "# written by the devstack launcher on every start",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + host + ":" + controllerPort,
            "listeners=PLAINTEXT://"
                + host
                + ":"
                + port
                + ",CONTROLLER://"
                + host
                + ":"
                + controllerPort,
            "advertised.listeners=PLAINTEXT://" + host + ":" + port,
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "log.dirs=" + home.resolve("data"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=10",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "")
        .replace("\\", "/");
  }

  /** Made once per data directory: formatting stamps it into the log directory. */
  String clusterId() throws IOException {
    Path file = home.resolve("cluster.id");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    String id = Uuid.randomUuid().toString();
    Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
    return id;
  }

  /** A cheap socket check first, so the admin client only starts once the port listens. */
  @Override
  public void probe() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(Ports.HOST, port), 1000);
    }
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            3000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            3000,
            AdminClientConfig.CLIENT_ID_CONFIG,
            "devstack-readiness");
    Admin admin = Admin.create(config);
    try {
      if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
        throw new IllegalStateException("no broker registered yet");
      }
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
  }
}
