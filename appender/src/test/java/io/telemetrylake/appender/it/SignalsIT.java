package io.telemetrylake.appender.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.telemetrylake.appender.Appender;
import io.telemetrylake.appender.consume.DeadLetterQueue;
import io.telemetrylake.appender.iceberg.OffsetsSummary;
import io.telemetrylake.appender.testing.SpanSamples;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.SpanRowMapper;
import io.telemetrylake.table.TraceTable;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Logs and traces in one appender (real Kafka, S3 and REST catalog): each signal's rows reach its
 * own table, each table's snapshots record only its own topic's offsets, and the admin API shows
 * and flushes both. One appender, set up once: records of both signals are produced, staged and
 * flushed with one POST /flush; the tests check what that did. {@code SIGNALS=traces} gets an
 * appender of its own.
 */
@ExtendWith(DevStackExtension.class)
class SignalsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Expected rows are mapped with this fallback time; the appender uses the Kafka record's. */
  private static final long ANY_FALLBACK = 0;

  private static Lake lake;
  private static Appender appender;
  private static List<String> logIds;
  private static List<SpanRow> spans;
  private static HttpResponse<String> flush;
  private static final byte[] POISON = "not a trace \u0000".getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void produceBothSignalsAndFlushOnce(DevStack stack) {
    lake = Lake.create(stack, "signals", 2);
    appender = Appender.start(lake.config("both"));
    // different record counts per signal and partition, so offsets cannot be taken for each other:
    // logs 3 records on partition 0 and 2 on 1; traces 4 on 0 and 2 on 1 (one of them poison)
    logIds = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      int partition = r < 3 ? 0 : 1;
      lake.send(partition, "log", r * 6, 6);
      for (int i = r * 6; i < r * 6 + 6; i++) {
        logIds.add("log-" + i);
      }
    }
    spans = new ArrayList<>();
    List<ExportTraceServiceRequest> traces = List.of(
        SpanSamples.everyField("a1b2c3"), SpanSamples.simple("svc-t", "t0", 0, 4),
        SpanSamples.simple("svc-t", "t1", 4, 3), SpanSamples.simple("svc-u", "t2", 7, 2),
        SpanSamples.everyField("d4e5f6"));
    for (int r = 0; r < traces.size(); r++) {
      lake.sendTraces(r < 4 ? 0 : 1, traces.get(r).toByteArray());
      spans.addAll(SpanRowMapper.toRows(traces.get(r), ANY_FALLBACK));
    }
    lake.sendTraces(1, POISON);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        appender.status(Signals.LOGS).stats().bufferRows() == logIds.size()
            && appender.status(Signals.TRACES).stats().bufferRows() == spans.size()
            // the poison record too (a staged batch counts the records it sent to the DLQ)
            && appender.status(Signals.TRACES).stats().bufferRecords() == 6);

    flush = Lake.http("POST", appender.port(), "/flush", null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (appender != null) {
      appender.close();
    }
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void postFlushAnswersWithEverySignalsReportUnderSignals() throws Exception {
    assertThat(flush.statusCode()).as(flush.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(flush.body());
    JsonNode logs = body.get("signals").get("logs");
    JsonNode traces = body.get("signals").get("traces");
    assertThat(body.get("signals").size()).isEqualTo(2);

    assertThat(logs.get("outcome").asText()).isEqualTo("committed");
    assertThat(logs.get("trigger").asText()).isEqualTo("http");
    assertThat(logs.get("rows").asLong()).isEqualTo(logIds.size());
    assertThat(logs.get("records").asLong()).isEqualTo(5);
    assertThat(logs.get("snapshot_id").asLong()).isEqualTo(lake.loadTable().currentSnapshot().snapshotId());
    assertThat(traces.get("outcome").asText()).isEqualTo("committed");
    assertThat(traces.get("rows").asLong()).isEqualTo(spans.size());
    assertThat(traces.get("records").asLong()).isEqualTo(6);
    // one file per day: the samples' two days, and today (the others, and the Kafka time of spans without one)
    assertThat(traces.get("files").asInt()).isEqualTo(3);
    assertThat(traces.get("snapshot_id").asLong()).isEqualTo(lake.loadTracesTable().currentSnapshot().snapshotId());
    assertThat(JSON.treeToValue(traces.get("offsets"), Map.class)).isEqualTo(Map.of("0", 4, "1", 2));
    assertThat(JSON.treeToValue(logs.get("offsets"), Map.class)).isEqualTo(Map.of("0", 3, "1", 2));
    // the first signal's report at the top, as with one signal
    assertThat(body.get("rows").asLong()).isEqualTo(logIds.size());
    assertThat(body.get("snapshot_id").asLong()).isEqualTo(logs.get("snapshot_id").asLong());
  }

  @Test
  void eachTableHoldsItsOwnSignalsRowsFieldByField() {
    assertThat(lake.ids()).containsExactlyInAnyOrderElementsOf(logIds);

    List<SpanRow> read = lake.tracesRows().stream().map(SpanSamples::asRow).toList();
    // spans without a start time take the Kafka record's time: compare those without it
    assertThat(read.stream().map(SignalsIT::timeless).toList())
        .containsExactlyInAnyOrderElementsOf(spans.stream().map(SignalsIT::timeless).toList());
    assertThat(read.stream().filter(r -> r.traceId() != null).toList())
        .containsExactlyInAnyOrderElementsOf(spans.stream().filter(r -> r.traceId() != null).toList());
    assertThat(read).filteredOn(r -> r.traceId() == null).hasSize(2)
        .allSatisfy(r -> assertThat(r.timestampMicros()).isGreaterThan(1_700_000_000_000_000L));
    // the traces table as the appender created it
    Table traces = lake.loadTracesTable();
    assertThat(traces.schema().sameSchema(TraceTable.SCHEMA)).isTrue();
    assertThat(traces.sortOrder().fields()).extracting(f -> traces.schema().findColumnName(f.sourceId()))
        .containsExactly(TraceTable.TRACE_ID, TraceTable.TIMESTAMP);
    assertThat(traces.spec().fields()).extracting(f -> f.transform().toString()).containsExactly("day");
  }

  @Test
  void eachTablesSnapshotRecordsOnlyItsOwnTopicsOffsets() {
    String group = "it-" + lake.topic();
    assertThat(offsetKeys(lake.loadTable().currentSnapshot()))
        .containsExactly(Map.entry(OffsetsSummary.key(group, lake.topic()), "{\"0\":3,\"1\":2}"));
    assertThat(offsetKeys(lake.loadTracesTable().currentSnapshot()))
        .containsExactly(Map.entry(OffsetsSummary.key(group + "-traces", lake.tracesTopic()), "{\"0\":4,\"1\":2}"));
    for (Table t : List.of(lake.loadTable(), lake.loadTracesTable())) {
      assertThat(t.snapshots()).hasSize(1);
    }
  }

  @Test
  void statsShowEverySignalAndOneOnRequest() throws Exception {
    JsonNode stats = JSON.readTree(Lake.http("GET", appender.port(), "/stats", null).body());
    JsonNode logs = stats.get("signals").get("logs");
    JsonNode traces = stats.get("signals").get("traces");
    long logsSnapshot = lake.loadTable().currentSnapshot().snapshotId();
    long tracesSnapshot = lake.loadTracesTable().currentSnapshot().snapshotId();

    assertThat(logs.get("last_flush").get("snapshot_id").asLong()).isEqualTo(logsSnapshot);
    assertThat(logs.get("totals").get("rows_committed").asLong()).isEqualTo(logIds.size());
    assertThat(traces.get("last_flush").get("snapshot_id").asLong()).isEqualTo(tracesSnapshot);
    assertThat(traces.get("totals").get("rows_committed").asLong()).isEqualTo(spans.size());
    assertThat(traces.get("totals").get("records_consumed").asLong()).isEqualTo(6);
    assertThat(traces.get("partitions").get("0").get("committed_offset").asLong()).isEqualTo(4);
    assertThat(traces.get("partitions").get("1").get("committed_offset").asLong()).isEqualTo(2);
    assertThat(logs.get("partitions").get("0").get("committed_offset").asLong()).isEqualTo(3);
    // the top is the logs view, as with one signal
    assertThat(stats.get("last_flush").get("snapshot_id").asLong()).isEqualTo(logsSnapshot);
    assertThat(stats.get("buffer_records").asLong()).isZero();

    HttpResponse<String> one = Lake.http("GET", appender.port(), "/stats?signal=traces", null);
    assertThat(one.statusCode()).isEqualTo(200);
    JsonNode only = JSON.readTree(one.body());
    assertThat(only.has("signals")).isFalse();
    assertThat(only.get("last_flush").get("snapshot_id").asLong()).isEqualTo(tracesSnapshot);
    assertThat(only.get("totals").get("rows_committed").asLong()).isEqualTo(spans.size());

    HttpResponse<String> unknown = Lake.http("GET", appender.port(), "/stats?signal=metrics", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("metrics").contains("[logs, traces]");

    assertThat(Lake.http("GET", appender.port(), "/metrics", null).body())
        .contains("appender_rows_committed_total " + (double) logIds.size())
        .contains("appender_traces_rows_committed_total " + (double) spans.size());
  }

  @Test
  void aPoisonTracesRecordGoesToTheTracesDeadLetterTopic() throws Exception {
    ConsumerRecord<byte[], byte[]> dead = FlushTriggersIT.readOne(lake.stack, lake.tracesTopic() + "-dlq");

    assertThat(dead.value()).isEqualTo(POISON);
    assertThat(new String(dead.headers().lastHeader(DeadLetterQueue.SOURCE_TOPIC_HEADER).value(), StandardCharsets.UTF_8))
        .isEqualTo(lake.tracesTopic());
    assertThat(new String(dead.headers().lastHeader(DeadLetterQueue.SOURCE_OFFSET_HEADER).value(), StandardCharsets.UTF_8))
        .isEqualTo("1");
    JsonNode stats = JSON.readTree(Lake.http("GET", appender.port(), "/stats", null).body());
    assertThat(stats.get("signals").get("traces").get("totals").get("dlq_records").asLong()).isEqualTo(1);
    assertThat(stats.get("signals").get("logs").get("totals").get("dlq_records").asLong()).isZero();
    assertThat(Lake.http("GET", appender.port(), "/metrics", null).body())
        .contains("appender_traces_dlq_records_total 1.0");
  }

  @Test
  void tracesAloneRunsOnlyTheTracesPipeline(DevStack stack) throws Exception {
    try (Lake alone = Lake.create(stack, "traces-only", 1);
        Appender traces = Appender.start(alone.config("t", "SIGNALS", "traces"))) {
      alone.send(0, "ignored", 0, 3);
      ExportTraceServiceRequest request = SpanSamples.simple("svc", "only", 0, 5);
      alone.sendTraces(0, request.toByteArray());
      await().atMost(Duration.ofSeconds(60)).until(() -> traces.status().stats().bufferRows() == 5);

      HttpResponse<String> flushed = Lake.http("POST", traces.port(), "/flush", null);

      assertThat(flushed.statusCode()).as(flushed.body()).isEqualTo(200);
      JsonNode report = JSON.readTree(flushed.body());
      assertThat(report.has("signals")).isFalse();
      assertThat(report.get("outcome").asText()).isEqualTo("committed");
      assertThat(report.get("rows").asLong()).isEqualTo(5);
      assertThat(alone.tracesRows().stream().map(SpanSamples::asRow).toList())
          .containsExactlyInAnyOrderElementsOf(SpanRowMapper.toRows(request, 0));
      // no logs pipeline: no logs table, nothing consumed from the logs topic
      assertThat(alone.tableExists()).isFalse();
      assertThatThrownBy(() -> traces.status(Signals.LOGS)).hasMessageContaining("no logs pipeline");
      JsonNode stats = JSON.readTree(Lake.http("GET", traces.port(), "/stats", null).body());
      assertThat(stats.has("signals")).isFalse();
      assertThat(stats.get("totals").get("records_consumed").asLong()).isEqualTo(1);
      assertThat(Lake.http("GET", traces.port(), "/stats?signal=logs", null).statusCode()).isEqualTo(404);
      assertThat(Lake.http("GET", traces.port(), "/stats?signal=traces", null).statusCode()).isEqualTo(200);
      assertThat(Lake.http("GET", traces.port(), "/metrics", null).body())
          .contains("appender_traces_records_consumed_total 1.0")
          .doesNotContain("appender_records_consumed_total");
    }
  }

  private static Map<String, String> offsetKeys(Snapshot snapshot) {
    Map<String, String> out = new TreeMap<>();
    snapshot.summary().forEach((k, v) -> {
      if (k.startsWith(OffsetsSummary.KEY_PREFIX)) {
        out.put(k, v);
      }
    });
    return out;
  }

  private static SpanRow timeless(SpanRow r) {
    return new SpanRow(0, r.traceId(), r.spanId(), r.parentSpanId(), r.traceState(), r.spanName(),
        r.spanKind(), r.serviceName(), r.resourceAttributes(), r.scopeName(), r.scopeVersion(),
        r.scopeAttributes(), r.spanAttributes(), r.durationNanos(), r.statusCode(), r.statusMessage(),
        r.events(), r.links(), r.traceFlags(), r.droppedAttributesCount(), r.droppedEventsCount(),
        r.droppedLinksCount(), r.resourceSchemaUrl(), r.scopeSchemaUrl());
  }
}
