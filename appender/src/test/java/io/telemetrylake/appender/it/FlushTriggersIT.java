package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.appender.Appender;
import io.telemetrylake.appender.consume.DeadLetterQueue;
import io.telemetrylake.appender.testing.Samples;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records reach the table after each in-process flush trigger: POST /flush, size, time. */
@ExtendWith(DevStackExtension.class)
class FlushTriggersIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void postFlushCommitsAndAnswersWithWhatWasCommittedFieldByField(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "http-flush", 2);
        Appender appender = Appender.start(lake.config("a", "APPENDER_AUTH_TOKEN", "it-token-123"))) {
      ExportLogsServiceRequest sample = Samples.sampleRequest();
      lake.send(0, sample.toByteArray());
      lake.send(1, sample.toByteArray());
      List<String> ids = lake.sendMany("h", 40, 7, 2);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> appender.status().stats().bufferRows() == ids.size() + 2L * LogRowMapper.toRows(sample, 0).size());

      assertThat(Lake.http("POST", appender.port(), "/flush", null).statusCode()).isEqualTo(401);
      assertThat(Lake.http("POST", appender.port(), "/flush", "wrong-token").statusCode()).isEqualTo(401);
      HttpResponse<String> response = Lake.http("POST", appender.port(), "/flush", "it-token-123");

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.get("outcome").asText()).isEqualTo("committed");
      assertThat(body.get("trigger").asText()).isEqualTo("http");
      int sampleRows = LogRowMapper.toRows(sample, 0).size();
      assertThat(body.get("rows").asLong()).isEqualTo(ids.size() + 2L * sampleRows);
      assertThat(body.get("files").asInt()).isPositive();
      assertThat(body.get("bytes").asLong()).isPositive();
      long snapshotId = body.get("snapshot_id").asLong();
      Snapshot current = lake.loadTable().currentSnapshot();
      assertThat(current.snapshotId()).isEqualTo(snapshotId);
      assertThat(current.summary()).containsKey("telemetry-lake.offsets.it-" + lake.topic() + "." + lake.topic());

      // the sample rows, field by field, as Iceberg reads them
      List<LogRow> expected = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        LogRowMapper.toRows(sample, 0).forEach(r -> expected.add(Samples.normalized(r)));
      }
      List<LogRow> sampleRowsRead = lake.rows().stream().map(Samples::asRow)
          .filter(r -> !r.logAttributes().containsKey(Lake.ID_ATTRIBUTE)).toList();
      assertThat(sampleRowsRead.stream().sorted(Samples.ROW_ORDER).toList())
          .containsExactlyElementsOf(expected.stream().sorted(Samples.ROW_ORDER).toList());
      assertThat(lake.ids().stream().filter(id -> id != null).toList())
          .containsExactlyInAnyOrderElementsOf(ids);

      JsonNode stats = JSON.readTree(Lake.http("GET", appender.port(), "/stats", "it-token-123").body());
      assertThat(stats.get("buffer_records").asLong()).isZero();
      assertThat(stats.get("last_flush").get("snapshot_id").asLong()).isEqualTo(snapshotId);
      assertThat(stats.get("partitions").get("0").get("committed_offset").asLong()).isPositive();
      assertThat(Lake.http("GET", appender.port(), "/readyz", null).statusCode()).isEqualTo(200);
      String metrics = Lake.http("GET", appender.port(), "/metrics", null).body();
      assertThat(metrics)
          .contains("appender_flushes_total{outcome=\"committed\",trigger=\"http\"} 1.0")
          .contains("appender_rows_staged_total " + (ids.size() + 2.0 * sampleRows))
          .doesNotContain("it-token-123").doesNotContain(stack.s3SecretKey());
    }
  }

  @Test
  void flushesWhenTheStagedSizeReachesTheBuffer(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "size-flush", 1);
        Appender appender = Appender.start(lake.config("a", "BUFFER_SIZE_MB", "1"))) {
      // ~5 MB of values; a flush takes at most what one poll adds past 1 MB (a fetch is at most
      // 1 MB per partition), so at least two size flushes
      List<String> ids = lake.sendMany("s", 5000, 100, 1, 1000);

      await().atMost(Duration.ofSeconds(90)).until(() -> triggers(lake).size() >= 2);

      assertThat(triggers(lake)).contains("size").doesNotContain("time", "http");
      // the rest (under 1 MB) waits for another trigger
      await().atMost(Duration.ofSeconds(60)).until(() ->
          appender.status().stats().totals().recordsConsumed() == 50);
      appender.requestFlush(io.telemetrylake.appender.flush.FlushTrigger.HTTP).get();
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  @Test
  void flushesWhenTheOldestStagedRecordReachesTheBufferTime(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "time-flush", 1);
        Appender appender = Appender.start(lake.config("a", "BUFFER_TIME_SECONDS", "2"))) {
      List<String> ids = lake.sendMany("t", 25, 5, 1);

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids));

      assertThat(triggers(lake)).containsOnly("time");
      // the loop publishes its stats right after the commit the table already shows
      await().atMost(Duration.ofSeconds(5)).until(() -> appender.status().stats().bufferRecords() == 0);
    }
  }

  @Test
  void sendsUndecodableRecordsToTheDeadLetterTopicAndKeepsGoing(DevStack stack) throws Exception {
    try (Lake lake = Lake.create(stack, "dlq", 1);
        Appender appender = Appender.start(lake.config("a"))) {
      List<String> ids = new ArrayList<>(lake.sendMany("d1", 10, 5, 1));
      byte[] poison = "this is not protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
      lake.send(0, poison);
      ids.addAll(lake.sendMany("d2", 10, 5, 1));
      await().atMost(Duration.ofSeconds(60)).until(() -> appender.status().stats().bufferRecords() == 5);

      HttpResponse<String> flushed = Lake.http("POST", appender.port(), "/flush", null);

      assertThat(flushed.statusCode()).as(flushed.body()).isEqualTo(200);
      assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(ids);
      ConsumerRecord<byte[], byte[]> dead = readOne(stack, lake.topic() + "-dlq");
      assertThat(dead.value()).isEqualTo(poison);
      Map<String, String> headers = new HashMap<>();
      for (Header h : dead.headers()) {
        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
      }
      assertThat(headers)
          .containsEntry(DeadLetterQueue.SOURCE_TOPIC_HEADER, lake.topic())
          .containsEntry(DeadLetterQueue.SOURCE_PARTITION_HEADER, "0")
          .containsEntry(DeadLetterQueue.SOURCE_OFFSET_HEADER, "2")
          .containsKey(DeadLetterQueue.ERROR_HEADER);
      assertThat(headers.get(DeadLetterQueue.ERROR_HEADER)).contains("protobuf");
      assertThat(Lake.http("GET", appender.port(), "/metrics", null).body())
          .contains("appender_dlq_records_total 1.0");
      // the table records the offset after the last record, poison included
      assertThat(lake.loadTable().currentSnapshot().summary().values()).contains("{\"0\":5}");
    }
  }

  private static List<String> triggers(Lake lake) {
    List<String> out = new ArrayList<>();
    for (Snapshot s : lake.loadTable().snapshots()) {
      String t = s.summary().get("telemetry-lake.trigger");
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  static ConsumerRecord<byte[], byte[]> readOne(DevStack stack, String topic) {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
        return !got.isEmpty();
      });
      assertThat(got).hasSize(1);
      return got.get(0);
    }
  }
}
