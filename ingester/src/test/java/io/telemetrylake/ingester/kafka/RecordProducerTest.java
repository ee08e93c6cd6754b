package io.telemetrylake.ingester.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.ingester.kafka.Partitioning.Mode;
import io.telemetrylake.record.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class RecordProducerTest {
  static final Cluster CLUSTER = new Cluster(
      "c", List.of(PartitioningTest.LEADER), PartitioningTest.partitions("logs", 4, Set.of()), Set.of(), Set.of());

  final MockProducer<byte[], byte[]> mock =
      new MockProducer<>(CLUSTER, true, null, new ByteArraySerializer(), new ByteArraySerializer());

  @Test
  void spreadSendsARequestToOnePartitionAndTheNextRequestToTheNext() {
    RecordProducer producer = new RecordProducer(mock, new Partitioning(Mode.SPREAD, 0));
    List<KafkaRecord> threeResources = List.of(record("checkout"), record("payments"), record("auth"));

    producer.send("logs", threeResources).join();
    producer.send("logs", threeResources).join();
    producer.send("logs", List.of(record("checkout"))).join();

    List<ProducerRecord<byte[], byte[]>> sent = mock.history();
    assertThat(sent).extracting(ProducerRecord::partition).containsExactly(0, 0, 0, 1, 1, 1, 2);
    // the key stays the resource's: only the partition is chosen
    assertThat(new String(sent.get(4).key(), StandardCharsets.UTF_8)).isEqualTo("payments");
  }

  @Test
  void resourceModeLeavesThePartitionToKafkasKeyHash() {
    RecordProducer producer = new RecordProducer(mock, new Partitioning(Mode.RESOURCE, 0));

    producer.send("logs", List.of(record("checkout"), record("payments"))).join();

    assertThat(mock.history()).extracting(ProducerRecord::partition).containsOnlyNulls().hasSize(2);
  }

  @Test
  void failsTheRequestWhenTheTopicsPartitionsAreUnknown() {
    mock.partitionsForException = new TimeoutException("Topic logs not present in metadata after 2000 ms.");
    RecordProducer producer = new RecordProducer(mock, new Partitioning(Mode.SPREAD, 0));

    CompletableFuture<Void> acked = producer.send("logs", List.of(record("checkout")));

    assertThat(acked).isCompletedExceptionally();
    assertThat(mock.history()).isEmpty();
  }

  static KafkaRecord record(String key) {
    return new KafkaRecord(key.getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}, 1);
  }
}
