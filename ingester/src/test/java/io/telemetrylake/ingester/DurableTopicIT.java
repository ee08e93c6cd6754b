package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.ingester.kafka.KafkaSetup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The ingester checks the topic's durability at start-up, on the shared single-broker stack
 * (where no topic can have more than one replica).
 */
@ExtendWith(DevStackExtension.class)
class DurableTopicIT {
  private final DevStack stack;
  private final String topic = "durable-" + UUID.randomUUID();
  private Admin admin;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger setupLogger = (Logger) LoggerFactory.getLogger(KafkaSetup.class);

  @TempDir Path tmp;

  DurableTopicIT(DevStack stack) {
    this.stack = stack;
  }

  @BeforeEach
  void setUp() {
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()));
    logs.start();
    setupLogger.addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    setupLogger.detachAppender(logs);
    admin.close();
  }

  @Test
  void anExistingTopicWithOneReplicaIsALoudWarningButTheIngesterRuns() throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);

    try (Ingester ingester = Ingester.start(IngesterConfig.from(new Settings(env(Map.of()))))) {
      await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
    }

    assertThat(logs.list)
        .filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m)
            .contains("topic " + topic + " is not durable")
            .contains("replication factor 1 < 2")
            .contains("min.insync.replicas 1 < 2")
            .contains("INGESTER_REQUIRE_DURABLE_TOPIC"));
  }

  @Test
  void anExistingTopicWithOneReplicaStopsStartUpWhenDurabilityIsRequired() throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
    Path output = tmp.resolve("ingester.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                IngesterMain.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().putAll(env(Map.of("INGESTER_REQUIRE_DURABLE_TOPIC", "true")));

    Process process = builder.start();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    String log = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(exited).as("the ingester exits instead of serving (log:%n%s)", log).isTrue();
    assertThat(process.exitValue()).isNotZero();
    assertThat(log)
        .contains("topic " + topic + " is not durable (replication factor 1 < 2")
        .contains("refusing to start because INGESTER_REQUIRE_DURABLE_TOPIC=true");
  }

  @Test
  void aCreatedTopicGetsTheConfiguredMinInsyncReplicas() throws Exception {
    try (Ingester ingester = Ingester.start(IngesterConfig.from(new Settings(
        env(Map.of("KAFKA_TOPIC_REPLICATION_FACTOR", "1", "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "1")))))) {
      await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
    }

    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry minIsr =
        admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
            .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    // set on the topic itself, not inherited from the broker
    assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    assertThat(minIsr.value()).isEqualTo("1");
    assertThat(Optional.ofNullable(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
        .get(topic).partitions().get(0).replicas().size())).contains(1);
  }

  private Map<String, String> env(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_TOPIC_PARTITIONS", "2");
    env.putAll(overrides);
    return env;
  }
}
