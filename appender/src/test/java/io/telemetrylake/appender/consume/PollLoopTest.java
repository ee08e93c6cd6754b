package io.telemetrylake.appender.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.telemetrylake.appender.flush.FlushPolicy;
import io.telemetrylake.appender.flush.FlushHooks;
import io.telemetrylake.appender.flush.FlushReport;
import io.telemetrylake.appender.flush.FlushRequests;
import io.telemetrylake.appender.flush.FlushTrigger;
import io.telemetrylake.appender.flush.Flusher;
import io.telemetrylake.appender.flush.LocalFileIO;
import io.telemetrylake.appender.flush.UploadJournal;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.iceberg.TableSetup;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.appender.status.AppenderMetrics;
import io.telemetrylake.appender.status.AppenderStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poll loop on its own thread with Kafka's MockConsumer (the seam the consumer factory
 * offers), real DuckDB staging and a real Iceberg table on the local disk.
 */
class PollLoopTest {
  private static final String TOPIC = "logs";
  private static final String KEY = OffsetsSummary.key("g", TOPIC);
  private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

  @TempDir Path staging;
  @TempDir Path warehouse;
  private HadoopCatalog catalog;
  private Table table;
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final FlushRequests requests = new FlushRequests();
  private final AppenderStatus status = new AppenderStatus();
  private final AppenderMetrics metrics = new AppenderMetrics();
  private PollLoop loop;
  private Thread thread;

  @BeforeEach
  void setUp() {
    LocalFileIO.failWrites = false;
    catalog = new HadoopCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("test", Map.of(
        CatalogProperties.WAREHOUSE_LOCATION, warehouse.toString(),
        CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName()));
    table = TableSetup.ensureTable(catalog, TableIdentifier.of(Namespace.of("otel"), "logs"));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L, P1, 0L));
  }

  private void start(long bufferBytes, long capBytes) {
    StagingBuffer first = StagingBuffer.open(staging.resolve("1"), 128);
    StagingBuffer second = StagingBuffer.open(staging.resolve("2"), 128);
    BatchCommitter committer = new BatchCommitter(table, KEY, 3, Duration.ofMillis(1), () -> {});
    Flusher flusher = new Flusher(committer, UploadJournal.open(staging), 128L << 20,
        FlushHooks.NONE, Clock.systemUTC(), "test");
    loop = new PollLoop(TOPIC, consumer,
        new DeadLetterQueue(producer, TOPIC + "-dlq", Duration.ofSeconds(5)),
        first, second, flusher, committer,
        new FlushPolicy(bufferBytes, Duration.ofHours(1), capBytes, Duration.ofMillis(200), Duration.ofSeconds(1)),
        requests, metrics, status, Clock.systemUTC(), Duration.ofSeconds(5), FlushHooks.NONE);
    thread = new Thread(loop, "test-poll-loop");
    thread.start();
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0, P1)));
    await().atMost(Duration.ofSeconds(10)).until(() -> status.stats().partitions().size() == 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    LocalFileIO.failWrites = false;
    CountDownLatch hold = LocalFileIO.holdWrites;
    LocalFileIO.holdWrites = null;
    if (hold != null) {
      hold.countDown();
    }
    if (loop != null) {
      loop.stop();
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
    catalog.close();
  }

  private void add(TopicPartition tp, long offset, int rows) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < rows; i++) {
      scope.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_763_600_000_000_000_000L + i)
          .setBody(AnyValue.newBuilder().setStringValue("row " + offset + "/" + i + " " + "x".repeat(200))));
    }
    byte[] value = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope)).build().toByteArray();
    consumer.schedulePollTask(() -> consumer.addRecord(
        new ConsumerRecord<>(TOPIC, tp.partition(), offset, null, value)));
  }

  private void awaitStaged(long records) {
    await().atMost(Duration.ofSeconds(10)).until(() -> status.stats().bufferRecords() == records);
  }

  private FlushReport flush() throws Exception {
    return requests.request(FlushTrigger.HTTP).get(30, TimeUnit.SECONDS);
  }

  @Test
  void commitsToTheTableAndThenTheGroupOnAnExplicitFlush() throws Exception {
    start(100L << 20, 400L << 20);
    add(P0, 0, 3);
    add(P0, 1, 2);
    add(P1, 0, 4);
    awaitStaged(3);

    FlushReport report = flush();

    assertThat(report.outcome()).isEqualTo(FlushReport.Outcome.COMMITTED);
    assertThat(report.rows()).isEqualTo(9);
    assertThat(report.offsets()).isEqualTo(Map.of(0, 2L, 1, 1L));
    table.refresh();
    assertThat(table.currentSnapshot().summary()).containsEntry(KEY, "{\"0\":2,\"1\":1}");
    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.committed(java.util.Set.of(P0, P1))
        .equals(Map.of(P0, new OffsetAndMetadata(2), P1, new OffsetAndMetadata(1))));
    assertThat(status.stats().bufferRecords()).isZero();
  }

  @Test
  void resumesAssignedPartitionsFromTheOffsetsInTheTable() throws Exception {
    new BatchCommitter(table, KEY, 0, Duration.ZERO, () -> {})
        .commit(List.of(), Map.of(0, 7L), Map.of(), "earlier", Map.of());
    start(100L << 20, 400L << 20);

    await().atMost(Duration.ofSeconds(10)).until(() ->
        Long.valueOf(7).equals(status.stats().partitions().get(0).position()));
    assertThat(status.stats().partitions().get(0).committedOffset()).isEqualTo(7L);
    assertThat(status.stats().partitions().get(1).position()).isZero();
  }

  @Test
  void dropsRowsAnotherAppenderCommittedAndResumesFromTheTable() throws Exception {
    start(100L << 20, 400L << 20);
    add(P0, 0, 3);
    add(P1, 0, 2);
    awaitStaged(2);
    // meanwhile, the partition's new owner committed partition 0 up to offset 10
    new BatchCommitter(catalog.loadTable(TableIdentifier.of(Namespace.of("otel"), "logs")), KEY, 0,
        Duration.ZERO, () -> {}).commit(List.of(), Map.of(0, 10L), Map.of(), "other", Map.of());

    FlushReport report = flush();

    assertThat(report.outcome()).isEqualTo(FlushReport.Outcome.COMMITTED);
    assertThat(report.fencedPartitions()).containsExactly(0);
    assertThat(report.rows()).isEqualTo(2);
    assertThat(report.offsets()).isEqualTo(Map.of(1, 1L));
    table.refresh();
    assertThat(table.currentSnapshot().summary()).containsEntry(KEY, "{\"0\":10,\"1\":1}");
    await().atMost(Duration.ofSeconds(5)).until(() ->
        Long.valueOf(10).equals(status.stats().partitions().get(0).position()));
  }

  @Test
  void keepsRowsStagedAndPausesAtTheCapWhileFlushesFailThenCatchesUp() throws Exception {
    start(1_000, 3_000);
    LocalFileIO.failWrites = true;
    add(P0, 0, 10);
    add(P0, 1, 10);

    // the failure is known once the (background) flush has ended
    await().atMost(Duration.ofSeconds(10)).until(() -> status.stats().paused()
        && status.notReadyReasons().stream().anyMatch(r -> r.startsWith("flushes are failing")));
    assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
    assertThat(status.notReadyReasons()).anyMatch(r -> r.startsWith("flushes are failing"))
        .anyMatch(r -> r.startsWith("consumption paused"));
    FlushReport failed = flush();
    assertThat(failed.outcome()).isEqualTo(FlushReport.Outcome.FAILED);
    // a typed reason: the exception's message never reaches /stats
    assertThat(failed.error()).startsWith("I/O failed (UncheckedIOException").doesNotContain("simulated S3 outage");
    assertThat(status.stats().bufferRecords()).isEqualTo(2);

    LocalFileIO.failWrites = false;
    FlushReport ok = flush();

    assertThat(ok.outcome()).isEqualTo(FlushReport.Outcome.COMMITTED);
    assertThat(ok.rows()).isEqualTo(20);
    assertThat(ok.offsets()).isEqualTo(Map.of(0, 2L));
    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.paused().isEmpty());
    assertThat(status.notReadyReasons()).isEmpty();
    table.refresh();
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "20");
  }

  @Test
  void consumesIntoTheOtherBufferWhileAFlushRunsAndCommitsBatchesInOrder() throws Exception {
    start(1_000, 100_000);
    LocalFileIO.holdWrites = new CountDownLatch(1);
    add(P0, 0, 10);
    // the record passes the flush size: its flush starts and hangs in the upload
    await().atMost(Duration.ofSeconds(10)).until(() -> LocalFileIO.heldWrites.get() == 1);

    add(P0, 1, 10);
    add(P1, 0, 10);
    awaitStaged(2);
    // the second batch is full too while the first is still flushing: intake waits for it
    await().atMost(Duration.ofSeconds(5)).until(() -> consumer.paused().containsAll(List.of(P0, P1)));
    table.refresh();
    assertThat(table.currentSnapshot()).isNull();

    LocalFileIO.holdWrites.countDown();

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      table.refresh();
      return table.currentSnapshot() != null
          && "{\"0\":2,\"1\":1}".equals(table.currentSnapshot().summary().get(KEY));
    });
    // the first batch alone first; the second (with partition 1's record, once resumed) after it
    assertThat(committedOffsetsInOrder()).first().isEqualTo("{\"0\":1}");
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "30");
  }

  @Test
  void retriesAFailedBackgroundFlushBeforeTheBatchStagedAfterIt() throws Exception {
    start(1_000, 100_000);
    LocalFileIO.failWrites = true;
    add(P0, 0, 10);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        status.notReadyReasons().stream().anyMatch(r -> r.startsWith("flushes are failing")));
    add(P0, 1, 10);
    awaitStaged(2);

    LocalFileIO.failWrites = false;

    await().atMost(Duration.ofSeconds(20)).until(() -> {
      table.refresh();
      return table.currentSnapshot() != null
          && "{\"0\":2}".equals(table.currentSnapshot().summary().get(KEY));
    });
    assertThat(committedOffsetsInOrder()).containsExactly("{\"0\":1}", "{\"0\":2}");
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "20");
  }

  @Test
  void aRevocationWaitsForTheRunningFlushThenCommitsTheRestBeforeLettingGo() throws Exception {
    start(1_000, 100_000);
    LocalFileIO.holdWrites = new CountDownLatch(1);
    add(P0, 0, 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> LocalFileIO.heldWrites.get() == 1);
    add(P0, 1, 10);
    awaitStaged(2);

    // partition 0 moves away while its first batch is still uploading
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P1)));
    LocalFileIO.holdWrites.countDown();

    await().atMost(Duration.ofSeconds(20))
        .until(() -> status.stats().partitions().keySet().equals(java.util.Set.of(1)));
    assertThat(committedOffsetsInOrder()).containsExactly("{\"0\":1}", "{\"0\":2}");
    assertThat(status.stats().bufferRecords()).isZero();
  }

  @Test
  void stoppingWaitsForTheRunningFlushThenCommitsTheRest() throws Exception {
    start(1_000, 100_000);
    LocalFileIO.holdWrites = new CountDownLatch(1);
    add(P0, 0, 10);
    await().atMost(Duration.ofSeconds(10)).until(() -> LocalFileIO.heldWrites.get() == 1);
    add(P1, 0, 10);
    awaitStaged(2);

    loop.stop();
    LocalFileIO.holdWrites.countDown();
    thread.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(thread.isAlive()).isFalse();
    assertThat(committedOffsetsInOrder()).containsExactly("{\"0\":1}", "{\"0\":1,\"1\":1}");
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "20");
  }

  @Test
  void aFatalConsumerErrorKillsTheLoopAtOnceWithoutLookingLikeAStop() throws Exception {
    start(100L << 20, 400L << 20);
    add(P0, 0, 10);
    awaitStaged(1);

    consumer.setPollException(new AuthenticationException("bad credentials"));

    // the loop thread ends with the error (uncaught, as in the appender): not this test's failure
    await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(status::isLoopDead);
    assertThat(status.isAlive()).isFalse();
    assertThat(status.isStopping()).isFalse();
    assertThat(status.deathCause()).hasValueSatisfying(c -> assertThat(c).contains("bad credentials"));
    thread.join(PollLoop.DEAD_FLUSH_WAIT.plusSeconds(10).toMillis());
    assertThat(thread.isAlive()).isFalse();
    assertThat(consumer.closed()).isTrue();
    // nothing is flushed from a dead loop: the rows are read again after the restart
    table.refresh();
    assertThat(table.currentSnapshot()).isNull();
  }

  /** The offsets each snapshot recorded, oldest first. */
  private List<String> committedOffsetsInOrder() {
    List<String> out = new ArrayList<>();
    table.refresh();
    table.snapshots().forEach(s -> {
      String offsets = s.summary().get(KEY);
      if (offsets != null) {
        out.add(offsets);
      }
    });
    return out;
  }

  @Test
  void sendsUndecodableRecordsToTheDeadLetterTopicAndCountsTheirOffsets() throws Exception {
    start(100L << 20, 400L << 20);
    consumer.schedulePollTask(() -> consumer.addRecord(
        new ConsumerRecord<>(TOPIC, 0, 0, "k".getBytes(), new byte[] {(byte) 0xff, 1, 2})));
    add(P0, 1, 2);
    awaitStaged(2);

    FlushReport report = flush();

    assertThat(producer.history()).hasSize(1);
    assertThat(producer.history().get(0).topic()).isEqualTo(TOPIC + "-dlq");
    assertThat(new String(producer.history().get(0).headers().lastHeader("source.offset").value()))
        .isEqualTo("0");
    assertThat(report.rows()).isEqualTo(2);
    assertThat(report.offsets()).isEqualTo(Map.of(0, 2L));
  }

  @Test
  void aFailingDeadLetterTopicHoldsThePartitionAtThePoisonRecordCountedAndNotReady() throws Exception {
    producer.sendException = new KafkaException("dlq unavailable");
    start(100L << 20, 400L << 20);
    consumer.schedulePollTask(() -> consumer.addRecord(
        new ConsumerRecord<>(TOPIC, 0, 0, "k".getBytes(), new byte[] {(byte) 0xff, 1, 2})));
    add(P0, 1, 2);
    add(P1, 0, 1);

    // P1 flows on; P0 waits at offset 0 and says so (MockConsumer forgets polled records, so the
    // retries after the seek are seen in the integration test only)
    awaitStaged(1);
    await().atMost(Duration.ofSeconds(15)).until(() -> metricValue("appender_dlq_failures_total") >= 1);
    assertThat(status.notReadyReasons()).anySatisfy(r -> assertThat(r)
        .contains("dead-letter sends to " + TOPIC + "-dlq are failing")
        .contains("partition 0 at offset 0 after 1 attempt(s)"));
    assertThat(status.stats().bufferRecords()).as("the record behind the poison one is not staged").isEqualTo(1);
    assertThat(status.stats().partitions().get(0).position()).as("P0 keeps its position").isZero();
    assertThat(producer.history()).isEmpty();

    FlushReport report = flush();
    assertThat(report.offsets()).as("nothing of P0 is committed past the poison record").isEqualTo(Map.of(1, 1L));
  }

  private double metricValue(String name) {
    for (String line : metrics.scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }
}
