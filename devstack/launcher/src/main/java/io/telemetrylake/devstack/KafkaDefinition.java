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

/**
 * One KRaft node in combined mode (broker and controller in one process): alone, or one of three
 * voters of a cluster. Every node has its own ports, data directory and log; they share the
 * cluster id and the list of voters.
 */
final class KafkaDefinition implements ServerDefinition {

  static final String MAIN_CLASS = "io.telemetrylake.devstack.kafka.KafkaMain";

  /** A controller of the quorum: its node id and controller port. */
  record Voter(int nodeId, int controllerPort) {}

  private final Path home;
  private final Path runDir;
  private final Path clusterIdFile;
  private final int nodeId;
  private final int port;
  private final int controllerPort;
  private final List<Voter> voters;
  private final int replicationFactor;
  private final int minInsyncReplicas;

  /** The single node of a one-broker stack. */
  KafkaDefinition(Path home, Path runDir, int port, int controllerPort) {
    this(home, runDir, home.resolve("cluster.id"), 1, port, controllerPort,
        List.of(new Voter(1, controllerPort)), 1, 1);
  }

  KafkaDefinition(
      Path home,
      Path runDir,
      Path clusterIdFile,
      int nodeId,
      int port,
      int controllerPort,
      List<Voter> voters,
      int replicationFactor,
      int minInsyncReplicas) {
    this.home = home;
    this.runDir = runDir;
    this.clusterIdFile = clusterIdFile;
    this.nodeId = nodeId;
    this.port = port;
    this.controllerPort = controllerPort;
    this.voters = List.copyOf(voters);
    this.replicationFactor = replicationFactor;
    this.minInsyncReplicas = minInsyncReplicas;
  }

  /** "kafka" for the first node (as with one broker), then "kafka-2", "kafka-3". */
  @Override
  public String name() {
    return nodeId == 1 ? "kafka" : "kafka-" + nodeId;
  }

  /** Every node runs the same runtime module. */
  @Override
  public String runtime() {
    return "kafka";
  }

  int nodeId() {
    return nodeId;
  }

  String bootstrap() {
    return Ports.HOST + ":" + port;
  }

  @Override
  public String address() {
    return bootstrap();
  }

  @Override
  public List<Integer> ports() {
    return List.of(port, controllerPort);
  }

  @Override
  public ChildSpec prepare() throws IOException {
    Files.createDirectories(home);
    Files.createDirectories(runDir);
    Path serverProperties = runDir.resolve(name() + "-server.properties");
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
            "node.id=" + nodeId,
            "controller.quorum.voters=" + quorumVoters(),
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
            // every topic, internal ones too, on all brokers; writes need a majority in sync
            "default.replication.factor=" + replicationFactor,
            "min.insync.replicas=" + minInsyncReplicas,
            "offsets.topic.replication.factor=" + replicationFactor,
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=" + replicationFactor,
            "transaction.state.log.min.isr=" + minInsyncReplicas,
            "transaction.state.log.num.partitions=10",
            "share.coordinator.state.topic.replication.factor=" + replicationFactor,
            "share.coordinator.state.topic.min.isr=" + minInsyncReplicas,
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "")
        .replace("\\", "/");
  }

  private String quorumVoters() {
    StringBuilder out = new StringBuilder();
    for (Voter v : voters) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(v.nodeId()).append('@').append(Ports.HOST).append(':').append(v.controllerPort());
    }
    return out.toString();
  }

  /**
   * Made once per data directory and shared by every node: formatting stamps it into each log
   * directory.
   */
  String clusterId() throws IOException {
    Path file = clusterIdFile;
    Files.createDirectories(file.getParent());
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
      // this node, not just any: in a cluster the others may answer for it
      if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream().noneMatch(n -> n.id() == nodeId)) {
        throw new IllegalStateException("broker " + nodeId + " is not registered yet");
      }
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
  }
}
