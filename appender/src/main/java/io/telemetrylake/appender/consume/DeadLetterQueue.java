package io.telemetrylake.appender.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends records that cannot be decoded to the dead-letter topic, unchanged (key, value, headers,
 * timestamp), with headers saying why and where they came from. Sends synchronously: poison
 * records are rare, and the record's offset may only be committed once it is safe in the DLQ.
 */
public final class DeadLetterQueue implements AutoCloseable {
  public static final String ERROR_HEADER = "error";
  public static final String SOURCE_TOPIC_HEADER = "source.topic";
  public static final String SOURCE_PARTITION_HEADER = "source.partition";
  public static final String SOURCE_OFFSET_HEADER = "source.offset";

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Duration timeout;
  private final BooleanSupplier ensureTopic;
  private boolean topicEnsured;

  public DeadLetterQueue(Producer<byte[], byte[]> producer, String topic, Duration timeout) {
    this(producer, topic, timeout, () -> true);
  }

  /**
   * @param ensureTopic creates the topic if missing; true once it exists. Asked before sends until
   *     it says true (start-up could not reach Kafka, or someone deleted the topic meanwhile).
   */
  public DeadLetterQueue(
      Producer<byte[], byte[]> producer, String topic, Duration timeout, BooleanSupplier ensureTopic) {
    this.producer = producer;
    this.topic = topic;
    this.timeout = timeout;
    this.ensureTopic = ensureTopic;
  }

  /** The topic is known to exist (checked at start-up): no need to ask before the first send. */
  public DeadLetterQueue topicExists() {
    topicEnsured = true;
    return this;
  }

  public String topic() {
    return topic;
  }

  /**
   * @throws DeadLetterException when the DLQ did not acknowledge the record in time
   */
  public void send(ConsumerRecord<byte[], byte[]> source, String error) {
    RecordHeaders headers = new RecordHeaders();
    for (Header h : source.headers()) {
      headers.add(h);
    }
    headers.add(ERROR_HEADER, utf8(error));
    headers.add(SOURCE_TOPIC_HEADER, utf8(source.topic()));
    headers.add(SOURCE_PARTITION_HEADER, utf8(Integer.toString(source.partition())));
    headers.add(SOURCE_OFFSET_HEADER, utf8(Long.toString(source.offset())));
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic,
            null,
            source.timestamp() >= 0 ? source.timestamp() : null,
            source.key(),
            source.value(),
            headers);
    if (!topicEnsured) {
      topicEnsured = ensureTopic.getAsBoolean();
    }
    try {
      producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeadLetterException("interrupted while sending to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      topicEnsured = false;
      throw new DeadLetterException("cannot send to " + topic + ": " + cause, cause);
    } catch (KafkaException e) {
      topicEnsured = false;
      // send() itself refused (e.g. the producer failed): the same for the caller, not taken
      throw new DeadLetterException("cannot send to " + topic + ": " + e, e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** The dead-letter topic did not take a record. */
  public static final class DeadLetterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeadLetterException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
