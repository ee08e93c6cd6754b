package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dead-letter topic exists from start-up with the configured replication, and a DLQ that
 * does not take records holds the poison record's partition (retried with backoff, counted, shown
 * by /readyz) without skipping or losing anything; once it takes records again the partition
 * flows on. The DLQ is broken for real: its {@code max.message.bytes} is set below the poison
 * record's size, so the broker refuses the write (RecordTooLargeException), as it does for a large
 * record on a DLQ whose limit is smaller than the logs topic's. (Kafka 4 caps the effective
 * min.insync.replicas at the replica count, so a single broker cannot be made to refuse that way.)
 */
@ExtendWith(DevStackExtension.class)
class DeadLetterQueueIT {
  private static final byte[] POISON = {(byte) 0xff, 0x01, 0x02, 0x03};

  @TempDir Path tmp;

  @Test
  void aFailingDeadLetterTopicHoldsThePartitionVisiblyAndLosesNothing(DevStack stack) throws Exception {
    try (Lake lake = Lake.start(new LocalStack(stack), "dlq-down", Map.of("KAFKA_TOPIC_PARTITIONS", "1",
            "BUFFER_TIME_SECONDS", "2"));
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()))) {
      String dlq = lake.topic + "-dlq";

      // created at start-up, not on the first poison record, with the stack's replication
      TopicDescription created = admin.describeTopics(List.of(dlq)).allTopicNames().get(30, TimeUnit.SECONDS).get(dlq);
      assertThat(created.partitions().get(0).replicas()).hasSize(stack.replicationFactor());
      ConfigEntry minIsr = topicConfig(admin, dlq, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
      assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
      assertThat(minIsr.value()).isEqualTo(Integer.toString(stack.minInsyncReplicas()));

      setMaxMessageBytes(admin, dlq, AlterConfigOp.OpType.SET);
      produce(stack, lake.topic, POISON);
      Load load = Load.start(lake.logsUri(), tmp, "--count", "3000", "--rate", "1500", "--connections", "2", "--batch", "100");

      // held, retried with backoff, counted, and said by /readyz
      await().atMost(Duration.ofSeconds(90)).until(() -> dlqFailures(lake) >= 2);
      var readyz = lake.get(lake.appenderUri(), "/readyz");
      assertThat(readyz.statusCode()).isEqualTo(503);
      assertThat(readyz.body()).contains("dead-letter sends to " + dlq + " are failing")
          .contains("partition 0 at offset 0").contains("RecordTooLarge");
      assertThat(load.await()).isZero();
      lake.flush();
      assertThat(lake.count()).as("nothing behind the poison record is committed past it").isZero();

      double failuresWhileHeld = dlqFailures(lake);
      setMaxMessageBytes(admin, dlq, AlterConfigOp.OpType.DELETE);
      await().atMost(Duration.ofSeconds(120)).until(() -> lake.get(lake.appenderUri(), "/readyz").statusCode() == 200);

      // the partition flowed on: every acknowledged record is in the table once, the poison one in the DLQ once
      Set<String> acked = load.ackedIds();
      Map<String, Integer> counts =
          lake.awaitIds(acked, id -> true, Duration.ofSeconds(120), Duration.ofSeconds(2));
      Set<String> missing = new HashSet<>(acked);
      missing.removeAll(counts.keySet());
      assertThat(missing).isEmpty();
      assertThat(counts.values()).allMatch(c -> c == 1);
      List<ConsumerRecord<byte[], byte[]>> dead = readAll(stack, dlq);
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).value()).isEqualTo(POISON);
      assertThat(new String(dead.get(0).headers().lastHeader("source.offset").value(), StandardCharsets.UTF_8)).isEqualTo("0");
      System.out.printf("[reliability] DLQ refusing writes: %.0f failed DLQ sends while held, then %d acknowledged records"
          + " committed once each and the poison record in the DLQ once%n", failuresWhileHeld, acked.size());
    }
  }

  private static ConfigEntry topicConfig(Admin admin, String topic, String name) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(name);
  }

  /** SET: a limit no record batch fits in; DELETE: back to the broker's default. */
  private static void setMaxMessageBytes(Admin admin, String topic, AlterConfigOp.OpType op) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "16"), op))))
        .all().get(30, TimeUnit.SECONDS);
  }

  private static void produce(DevStack stack, String topic, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(DevStack stack, String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        return consumer.position(tp) >= end;
      });
    }
    return out;
  }

  private static double dlqFailures(Lake lake) throws Exception {
    Matcher m = Pattern.compile("(?m)^appender_dlq_failures_total (\\S+)$").matcher(lake.get(lake.appenderUri(), "/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
