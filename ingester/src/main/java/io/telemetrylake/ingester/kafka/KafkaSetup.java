package io.telemetrylake.ingester.kafka;

import io.telemetrylake.ingester.IngesterConfig;
import io.telemetrylake.topic.TopicDescriptions;
import io.telemetrylake.topic.TopicDurability;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Kafka clients from the config and makes sure the topics exist. */
public final class KafkaSetup {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSetup.class);

  private KafkaSetup() {}

  public static Map<String, Object> producerProperties(IngesterConfig config) {
    Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "telemetry-lake-ingester");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
    props.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs());
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, config.batchBytes());
    // Kafka's own per-record limit must admit what the splitter lets through, plus key and headers.
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1_048_576, config.maxRecordBytes() + 65_536));
    // The in-flight budget admits at most maxInflightBytes, so the producer's buffer never fills
    // and send() never blocks a request thread on memory.
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, config.maxInflightBytes() * 2 + 32L * 1024 * 1024);
    long timeout = config.produceTimeout().toMillis();
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(timeout, 2_000L));
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout, 30_000L));
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (timeout + config.lingerMs()));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  public static Map<String, Object> adminProperties(IngesterConfig config) {
    Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "telemetry-lake-ingester-admin");
    props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return props;
  }

  /**
   * Creates the topic when it is missing (partitions, replication factor, min.insync.replicas);
   * uses an existing one as it is, warning when it has fewer partitions than configured (it works,
   * with less parallelism). Then checks that it is durable.
   */
  public static void ensureTopic(Admin admin, IngesterConfig config, String name, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    Optional<TopicDescription> existing = TopicDescriptions.describe(admin, name, timeoutMs);
    if (existing.isEmpty()) {
      if (!config.createTopic()) {
        throw new IllegalStateException(
            "topic " + name + " does not exist and " + IngesterConfig.TOPIC_CREATE + "=false");
      }
      Optional<Short> replication =
          config.topicReplicationFactor() > 0 ? Optional.of(config.topicReplicationFactor()) : Optional.empty();
      NewTopic topic = new NewTopic(name, Optional.of(config.topicPartitions()), replication);
      if (config.topicMinInsyncReplicas() > 0) {
        topic.configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(config.topicMinInsyncReplicas())));
      }
      try {
        admin.createTopics(List.of(topic)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        LOG.info(
            "created topic {} with {} partitions, replication factor {}, min.insync.replicas {}",
            name, config.topicPartitions(), orBrokerDefault(config.topicReplicationFactor()),
            orBrokerDefault(config.topicMinInsyncReplicas()));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    } else {
      int partitions = existing.get().partitions().size();
      if (partitions < config.topicPartitions()) {
        LOG.warn(
            "topic {} has {} partitions, fewer than {}={}; using it as it is",
            name, partitions, IngesterConfig.TOPIC_PARTITIONS, config.topicPartitions());
      }
    }
    checkDurability(admin, config, name, timeoutMs);
  }

  /**
   * Checks the topic as the brokers have it (created now or long ago): a warning when losing one
   * broker could lose acknowledged records; with {@value IngesterConfig#REQUIRE_DURABLE_TOPIC} a
   * {@link NotDurableTopicException} instead.
   */
  static void checkDurability(Admin admin, IngesterConfig config, String name, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    TopicDescription description =
        TopicDescriptions.describe(admin, name, timeoutMs)
            .orElseThrow(() -> new IllegalStateException("topic " + name + " does not exist"));
    TopicDurability durability = TopicDescriptions.durability(admin, description, timeoutMs);
    if (durability.isDurable()) {
      return;
    }
    String problem = durability.describe(name);
    if (config.requireDurableTopic()) {
      throw new NotDurableTopicException(
          problem + "; refusing to start because " + IngesterConfig.REQUIRE_DURABLE_TOPIC + "=true");
    }
    LOG.warn(
        "{}. Raise them on the topic (kafka-topics --alter / kafka-configs), or set {}=true to refuse"
            + " such a topic", problem, IngesterConfig.REQUIRE_DURABLE_TOPIC);
  }

  private static String orBrokerDefault(int value) {
    return value > 0 ? Integer.toString(value) : "(broker default)";
  }

  /** The topic would lose acknowledged records with one broker, and durability is required. */
  public static final class NotDurableTopicException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NotDurableTopicException(String message) {
      super(message);
    }
  }

}
