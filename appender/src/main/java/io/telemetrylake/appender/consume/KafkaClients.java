package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.AppenderConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Where the poll loop gets its Kafka clients: a seam for tests, real clients in production. */
public interface KafkaClients {
  /** Consumer defaults ({@code KAFKA_CLIENT_SESSION_TIMEOUT_MS} etc. override them). */
  int SESSION_TIMEOUT_MS = 30_000;

  int HEARTBEAT_INTERVAL_MS = 3_000;

  Consumer<byte[], byte[]> consumer();

  Producer<byte[], byte[]> producer();

  /** For creating the dead-letter topic at start-up; closed by the caller. */
  Admin admin();

  /** Real clients: our defaults, then {@code KAFKA_CLIENT_*}, then what exactly-once needs. */
  static KafkaClients from(AppenderConfig config) {
    return new KafkaClients() {
      @Override
      public Consumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(consumerProperties(config));
      }

      @Override
      public Producer<byte[], byte[]> producer() {
        return new KafkaProducer<>(producerProperties(config));
      }

      @Override
      public Admin admin() {
        return Admin.create(adminProperties(config));
      }
    };
  }

  static Map<String, Object> adminProperties(AppenderConfig config) {
    Map<String, Object> p = new HashMap<>();
    config.kafkaClientProperties().forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, config.groupId() + "-admin-" + config.instanceId());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return p;
  }

  /** Kafka records per poll (each holds one resource's many log records or spans). */
  int MAX_POLL_RECORDS = 32;

  static Map<String, Object> consumerProperties(AppenderConfig config) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-" + config.instanceId());
    // A crashed appender that is not restarted keeps its partitions this long; a restarted one
    // gets them back at once (static membership), so this need not be short. 30 s rides out a
    // broker failover or a long GC pause without a rebalance; heartbeats every 3 s (a tenth).
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
    // A poll's records stay on the heap, decompressed, until all are staged: Kafka's 500 of up
    // to INGESTER_MAX_RECORD_BYTES (1 MB) each held ~65 MB per signal with collector-sized
    // batches and kept a 256 MB heap in full GCs; 32 bounds it at ~32 MB (docs/BENCHMARKS.md).
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    p.putAll(config.kafkaClientProperties());
    // not overridable: offsets live in the table; the rebalance listener needs eager callbacks
    // per partition (cooperative: only moved partitions are revoked)
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  static Map<String, Object> producerProperties(AppenderConfig config) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-dlq-" + config.instanceId());
    // consumer-only pass-through keys make the producer log "unknown config": keep only its own
    config.kafkaClientProperties().forEach((k, v) -> {
      if (ProducerConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }
}
