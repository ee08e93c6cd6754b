package io.telemetrylake.appender.consume;

import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import io.telemetrylake.otlp.OtlpDecodeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts polled records into a staged batch: decodes and maps each record whole, stages its rows,
 * and sends what cannot be decoded to the dead-letter topic. A record the DLQ did not take is not
 * skipped: its partition is rewound to it and held with backoff ({@link DeadLetterRetry}).
 * Poll-loop thread only.
 */
final class RecordStager {
  private static final Logger LOG = LoggerFactory.getLogger(RecordStager.class);

  private final String topic;
  private final Consumer<byte[], byte[]> consumer;
  private final Positions positions;
  private final DeadLetterQueue dlq;
  private final DeadLetterRetry dlqRetry;
  private final AppenderMetrics metrics;
  private final AppenderStatus status;
  private final Clock clock;

  RecordStager(
      String topic,
      Consumer<byte[], byte[]> consumer,
      Positions positions,
      DeadLetterQueue dlq,
      DeadLetterRetry dlqRetry,
      AppenderMetrics metrics,
      AppenderStatus status,
      Clock clock) {
    this.topic = topic;
    this.consumer = consumer;
    this.positions = positions;
    this.dlq = dlq;
    this.dlqRetry = dlqRetry;
    this.metrics = metrics;
    this.status = status;
    this.clock = clock;
  }

  void stage(ConsumerRecords<byte[], byte[]> records, Slot into) {
    long t0 = System.nanoTime();
    Set<Integer> rewound = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      int partition = record.partition();
      if (rewound.contains(partition) || !positions.accepts(partition)) {
        // not ours, or not positioned yet: the seek that positions it re-reads these records
        continue;
      }
      Instant now = clock.instant();
      long valueBytes = record.value() == null ? 0 : record.value().length;
      int rows;
      try {
        rows = stageWhole(record, into);
      } catch (OtlpDecodeException | RuntimeException e) {
        if (deadLetter(record, e)) {
          into.batch().add(partition, record.offset(), valueBytes, 0, now);
        } else {
          rewound.add(partition);
        }
        continue;
      }
      into.batch().add(partition, record.offset(), valueBytes, rows, now);
      metrics.recordConsumed(rows);
    }
    into.batch().addStageNanos(System.nanoTime() - t0);
  }

  /** Decodes and maps the whole record before anything is staged: a failure stages nothing. */
  private int stageWhole(ConsumerRecord<byte[], byte[]> record, Slot into) throws OtlpDecodeException {
    if (record.value() == null) {
      throw new OtlpDecodeException(OtlpDecodeException.Reason.MALFORMED, "record has no value");
    }
    long fallbackMicros =
        (record.timestamp() >= 0 ? record.timestamp() : clock.millis()) * 1000L;
    return into.buffer().stage(record.partition(), record.value(), fallbackMicros);
  }

  /**
   * Sends an undecodable record to the DLQ; true once it is there. When the DLQ fails, the
   * partition waits at this record (paused, backoff) and reads it again, instead of skipping it.
   */
  private boolean deadLetter(ConsumerRecord<byte[], byte[]> record, Exception e) {
    int partition = record.partition();
    try {
      dlq.send(record, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (DeadLetterQueue.DeadLetterException dlqFailure) {
      Duration backoff =
          dlqRetry.failed(partition, record.offset(), dlqFailure.getMessage(), clock.instant());
      metrics.deadLetterFailed();
      status.deadLetterFailure(dlqRetry.reason(dlq.topic()).orElse(null));
      LOG.warn(
          "partition {} offset {}: undecodable and the DLQ failed ({}); partition held, retry in {}",
          partition, record.offset(), dlqFailure.getMessage(), backoff);
      consumer.seek(new TopicPartition(topic, partition), record.offset());
      return false;
    }
    dlqRetry.succeeded(partition);
    status.deadLetterFailure(dlqRetry.reason(dlq.topic()).orElse(null));
    metrics.deadLettered();
    metrics.recordConsumed(0);
    LOG.warn(
        "partition {} offset {}: undecodable record sent to {}: {}",
        partition, record.offset(), dlq.topic(), e.getMessage());
    return true;
  }
}
