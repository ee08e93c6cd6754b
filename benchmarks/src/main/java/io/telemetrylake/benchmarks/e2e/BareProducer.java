package io.telemetrylake.benchmarks.e2e;

import com.google.protobuf.MessageLite;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.config.Settings;
import io.telemetrylake.ingester.IngesterConfig;
import io.telemetrylake.ingester.kafka.KafkaSetup;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.tools.send.LogGenerator;
import io.telemetrylake.tools.send.RequestGenerator;
import io.telemetrylake.tools.send.SpanGenerator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A bare kafka-clients producer in this JVM, configured exactly like the ingester's
 * ({@link KafkaSetup#producerProperties}: acks=all, idempotence, lz4, linger 5 ms, 512 KiB
 * batches, ...), sending Kafka records the ingester would have made. Only {@code buffer.memory} is
 * smaller (64 MiB instead of the ingester's 544 MiB), so that this JVM's heap stays small; it only
 * bounds how much may wait for the broker, and send() blocks when it is full.
 */
final class BareProducer implements AutoCloseable {
  static final long BUFFER_MEMORY = 64L * 1024 * 1024;
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final IngesterConfig config;

  BareProducer(String bootstrap, String topic) {
    this.topic = topic;
    this.config = IngesterConfig.from(new Settings(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "KAFKA_TOPIC", topic)));
    Map<String, Object> props = KafkaSetup.producerProperties(config);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-bare-producer");
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY);
    this.producer = new KafkaProducer<>(props);
  }

  /** The producer settings, for the report. */
  static Map<String, Object> settings(String bootstrap) {
    IngesterConfig c = IngesterConfig.from(new Settings(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap)));
    Map<String, Object> p = KafkaSetup.producerProperties(c);
    Map<String, Object> out = Report.map();
    for (String k : List.of(ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, ProducerConfig.LINGER_MS_CONFIG, ProducerConfig.BATCH_SIZE_CONFIG,
        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)) {
      out.put(k, p.get(k));
    }
    return out;
  }

  /** Creates the topic like the ingester does (its partitions and replication defaults). */
  void ensureTopic(String bootstrap) throws Exception {
    Map<String, Object> adminProps = KafkaSetup.adminProperties(config);
    try (Admin admin = Admin.create(adminProps)) {
      KafkaSetup.ensureTopic(admin, config, config.topic(), 30_000);
    }
  }

  /** What a timed run measured. */
  record Run(double seconds, long logRecords, long kafkaRecords, long valueBytes, long cpuNanos, long errors) {
    double logRecordsPerSecond() {
      return logRecords / seconds;
    }
  }

  /**
   * Sends the records round-robin from {@code threads} threads as fast as the producer takes
   * them: a warm-up, then a measured window (acknowledgements counted inside it only).
   */
  Run run(List<KafkaRecord> records, int threads, Duration warmup, Duration measured) throws InterruptedException {
    AtomicLong logs = new AtomicLong();
    AtomicLong kafkaRecords = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<Exception> firstError = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    boolean[] stop = {false};
    for (int t = 0; t < threads; t++) {
      int offset = t * records.size() / threads;
      Thread w = new Thread(() -> {
        long i = offset;
        while (!stopped(stop)) {
          KafkaRecord r = records.get((int) (i++ % records.size()));
          producer.send(new ProducerRecord<>(topic, r.key(), r.value()), (md, e) -> {
            if (e != null) {
              errors.incrementAndGet();
              firstError.compareAndSet(null, e);
            } else {
              logs.addAndGet(r.itemCount());
              kafkaRecords.incrementAndGet();
              bytes.addAndGet(r.value().length);
            }
          });
        }
      }, "bare-" + t);
      w.start();
      workers.add(w);
    }
    Thread.sleep(warmup.toMillis());
    long logs0 = logs.get();
    long records0 = kafkaRecords.get();
    long bytes0 = bytes.get();
    long cpu0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    Thread.sleep(measured.toMillis());
    long logs1 = logs.get();
    long records1 = kafkaRecords.get();
    long bytes1 = bytes.get();
    long cpu1 = OS.getProcessCpuTime();
    long t1 = System.nanoTime();
    synchronized (stop) {
      stop[0] = true;
    }
    for (Thread w : workers) {
      w.join();
    }
    producer.flush();
    if (firstError.get() != null) {
      Report.log("bare producer: %d send errors, first: %s", errors.get(), firstError.get());
    }
    return new Run((t1 - t0) / 1e9, logs1 - logs0, records1 - records0, bytes1 - bytes0, cpu1 - cpu0, errors.get());
  }

  private static boolean stopped(boolean[] stop) {
    synchronized (stop) {
      return stop[0];
    }
  }

  /** What a pre-fill wrote; {@code logRecords} counts the signal's items (log records or spans). */
  record Fill(long logRecords, long kafkaRecords, long valueBytes, double seconds) {}

  /**
   * Writes {@code items} fresh log records or spans of {@code signal} (unique ids
   * {@code runId-<seq>}, current timestamps) as the ingester would: generated like {@code lake
   * send} does, split per resource, sent from {@code threads} threads; waits for every
   * acknowledgement.
   */
  Fill fill(Signal<?> signal, String runId, long items, int threads) throws InterruptedException {
    long requests = (items + Payloads.RECORDS_PER_REQUEST - 1) / Payloads.RECORDS_PER_REQUEST;
    AtomicLong errors = new AtomicLong();
    AtomicLong logs = new AtomicLong();
    AtomicLong kafkaRecords = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long t0 = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      Thread w = new Thread(() -> {
        long seed = runId.hashCode() * 31L + first;
        RequestGenerator<? extends MessageLite> generator = signal == Signals.TRACES
            ? new SpanGenerator(runId, Payloads.SERVICES, seed)
            : new LogGenerator(runId, Payloads.SERVICES, seed);
        for (long i = first; i < requests; i += threads) {
          byte[] body = generator.request(i * Payloads.RECORDS_PER_REQUEST, Payloads.RECORDS_PER_REQUEST,
              Payloads.RESOURCES_PER_REQUEST, System.currentTimeMillis() * 1_000_000L).toByteArray();
          for (KafkaRecord r : Payloads.kafkaRecords(signal, body)) {
            producer.send(new ProducerRecord<>(topic, r.key(), r.value()), (md, e) -> {
              if (e != null) {
                errors.incrementAndGet();
              }
            });
            logs.addAndGet(r.itemCount());
            kafkaRecords.incrementAndGet();
            bytes.addAndGet(r.value().length);
          }
        }
      }, "fill-" + t);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    producer.flush();
    if (errors.get() > 0) {
      throw new IllegalStateException(errors.get() + " records failed while pre-filling the topic");
    }
    return new Fill(logs.get(), kafkaRecords.get(), bytes.get(), (System.nanoTime() - t0) / 1e9);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
