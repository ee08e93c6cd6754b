package io.telemetrylake.ingester.kafka;

import io.telemetrylake.record.KafkaRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends one request's Kafka records and completes when Kafka has acknowledged all of them.
 *
 * <p>The future fails when any record fails or when the acknowledgement does not come within the
 * produce timeout; either way the caller must not answer 200. Records that Kafka takes after a
 * timeout may be sent again by the client's retry: at least once, never lost.
 *
 * <p>Where the records go is {@link Partitioning}'s choice, made once per request: by the resource
 * key (Kafka's partitioner), or all of the request to one partition, the next request to the next.
 */
public final class RecordProducer implements AutoCloseable {
  private final Producer<byte[], byte[]> producer;
  private final Partitioning partitioning;

  public RecordProducer(Producer<byte[], byte[]> producer, Partitioning partitioning) {
    this.producer = producer;
    this.partitioning = partitioning;
  }

  /** Sends to {@code topic}: one producer serves every signal's topic. */
  public CompletableFuture<Void> send(String topic, List<KafkaRecord> records) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (records.isEmpty()) {
      done.complete(null);
      return done;
    }
    Integer partition;
    try {
      // partitionsFor reads the producer's metadata cache (it waits up to max.block.ms only for
      // a topic it has never seen); resource mode does not ask
      partition = partitioning.partitionFor(topic, () -> producer.partitionsFor(topic));
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
      return done;
    }
    AtomicInteger pending = new AtomicInteger(records.size());
    for (KafkaRecord record : records) {
      try {
        producer.send(
            new ProducerRecord<>(topic, partition, record.key(), record.value()),
            (metadata, error) -> {
              if (error != null) {
                done.completeExceptionally(error);
              } else if (pending.decrementAndGet() == 0) {
                done.complete(null);
              }
            });
      } catch (RuntimeException e) {
        // send() throws for e.g. a timed-out metadata fetch or a closed producer.
        done.completeExceptionally(e);
        break;
      }
    }
    return done;
  }

  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
