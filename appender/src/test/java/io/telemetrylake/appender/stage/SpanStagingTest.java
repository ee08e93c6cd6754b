package io.telemetrylake.appender.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.telemetrylake.appender.testing.SpanSamples;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.SpanRowMapper;
import io.telemetrylake.table.TraceTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traces staging on a real DuckDB file: Kafka values of the traces topic in, Parquet files out
 * through the flush's export, read back with Iceberg's own Parquet reader and the table's schema
 * (so every column, nested ones included, is found by its field id or not at all).
 */
class SpanStagingTest {
  private static final long FALLBACK_MICROS = 1_763_683_200_000_000L; // 2025-11-21T00:00:00Z
  private static final long TARGET = 128L << 20;

  /** The schema as a catalog creates the table (fresh ids), which the flush passes to the export. */
  private static final Schema TABLE_SCHEMA = TableMetadata.newTableMetadata(
      TraceTable.SCHEMA, TraceTable.DEFINITION.partitionSpec(), TraceTable.DEFINITION.sortOrder(),
      "file:/tmp/traces", Map.of()).schema();

  @TempDir Path dir;
  private SpanStaging staging;

  @BeforeEach
  void open() {
    staging = (SpanStaging) StagingBuffer.open(Signals.TRACES, dir, 256);
  }

  @AfterEach
  void close() {
    staging.close();
  }

  @Test
  void writesEverySpanColumnAsTheRowMapperMapsIt() throws Exception {
    List<SpanRow> expected = new ArrayList<>();
    expected.addAll(stage(0, SpanSamples.everyField("a1b2c3")));
    expected.addAll(stage(1, SpanSamples.everyField("d4e5f6")));

    List<ExportedFile> files = staging.export("t1", TARGET, TABLE_SCHEMA);

    assertThat(staging.countRows()).isEqualTo(expected.size()).isEqualTo(10);
    assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(expected.size());
    List<SpanRow> read = readAll(files).stream().map(SpanSamples::asRow).toList();
    assertThat(read).containsExactlyInAnyOrderElementsOf(expected);
    // the comparison above is only as good as the sample: it must reach every corner
    SpanRow full = read.stream().filter(r -> r.events().size() == 2).findFirst().orElseThrow();
    assertThat(full.spanName()).contains(SpanSamples.AWKWARD);
    assertThat(full.spanAttributes()).containsEntry("key" + SpanSamples.AWKWARD, "value" + SpanSamples.AWKWARD)
        .containsEntry("", "empty key").containsEntry("unset", "null").containsEntry("int", "-9223372036854775808");
    assertThat(full.events().get(0).attributes()).containsEntry("retry", "3");
    assertThat(full.links().get(0).traceState()).isEqualTo("vendor=" + SpanSamples.AWKWARD);
    assertThat(full.links().get(1)).isEqualTo(new SpanRow.Link(null, null, null, Map.of(), 0));
    assertThat(full.statusCode()).isEqualTo("STATUS_CODE_ERROR");
    assertThat(full.parentSpanId()).isEqualTo("ffffffffffffff01");
    assertThat(read).extracting(SpanRow::spanKind).contains("SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "42");
    assertThat(read).filteredOn(r -> r.traceId() == null).hasSize(2)
        .allSatisfy(r -> assertThat(r.timestampMicros()).isEqualTo(FALLBACK_MICROS))
        .allSatisfy(r -> assertThat(r.durationNanos()).isNull())
        .allSatisfy(r -> assertThat(r.statusCode()).isEqualTo("9"));
    assertThat(read).filteredOn(r -> r.parentSpanId() == null && r.traceId() != null)
        .isNotEmpty().allSatisfy(r -> assertThat(r.events()).isEmpty());
  }

  @Test
  void keepsNulCharactersInNamesAttributeKeysAndValues() throws Exception {
    String nul = "before\u0000after";
    Span span = Span.newBuilder()
        .setTraceId(SpanSamples.id("01", 16)).setSpanId(SpanSamples.id("02", 8))
        .setName(nul)
        .setStartTimeUnixNano(SpanSamples.NANOS_BEFORE_MIDNIGHT)
        .addAttributes(SpanSamples.kv("k" + nul, "v" + nul))
        .addEvents(Span.Event.newBuilder().setName(nul).addAttributes(SpanSamples.kv(nul, nul)))
        .build();
    List<SpanRow> expected = stage(0, request(span));

    List<SpanRow> read = readAll(staging.export("nul", TARGET, TABLE_SCHEMA)).stream()
        .map(SpanSamples::asRow).toList();

    assertThat(read).containsExactlyElementsOf(expected);
  }

  @Test
  void writesTheTablesFieldIdsIntoEveryFileIncludingMapListAndStructChildren() throws Exception {
    stage(0, SpanSamples.everyField("a1b2c3"));

    List<ExportedFile> files = staging.export("ids", TARGET, TABLE_SCHEMA);

    // the ids a catalog assigns are TraceTable's, so reading with TraceTable.SCHEMA is reading with the table's
    assertThat(TypeUtil.indexNameById(TABLE_SCHEMA.asStruct()))
        .isEqualTo(TypeUtil.indexNameById(TraceTable.SCHEMA.asStruct()));
    assertThat(files).hasSize(2);
    for (ExportedFile f : files) {
      MessageType parquet;
      try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(f.path()))) {
        parquet = reader.getFooter().getFileMetaData().getSchema();
      }
      Schema fileSchema = ParquetSchemaUtil.convert(parquet);
      // every id, nested ones too (map key/value 25..30, 36/37, 44/45; list elements 31/38; struct fields)
      assertThat(TypeUtil.indexNameById(fileSchema.asStruct()))
          .as(parquet.toString())
          .isEqualTo(TypeUtil.indexNameById(TABLE_SCHEMA.asStruct()));
      // and the table's types at those ids (DuckDB marks columns without nulls required: fine for optional)
      for (Integer id : TypeUtil.indexById(TABLE_SCHEMA.asStruct()).keySet()) {
        Type expected = TABLE_SCHEMA.findType(id);
        Type actual = fileSchema.findType(id);
        assertThat(actual).as("field %d", id).isNotNull();
        if (expected.isPrimitiveType()) {
          assertThat(actual).as("field %d", id).isEqualTo(expected);
        } else {
          assertThat(actual.typeId()).as("field %d", id).isEqualTo(expected.typeId());
        }
      }
    }
  }

  @Test
  void sortsEachFileByTraceIdThenTimestampWithNullsFirstAcrossManyChunksAndFiles() throws Exception {
    // 40 values of 3,100 spans whose trace ids and times interleave across values, plus spans
    // without a trace id; past one row group (122,880 rows) a small target size makes two files
    Random random = new Random(42);
    long staged = 0;
    for (int value = 0; value < 40; value++) {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder();
      for (int i = 0; i < 3_100; i++) {
        Span.Builder span = Span.newBuilder()
            .setSpanId(SpanSamples.id(Long.toHexString(random.nextLong()), 8))
            .setName("v" + value + "/" + i + " " + Long.toHexString(random.nextLong()))
            .setStartTimeUnixNano(SpanSamples.NANOS_BEFORE_MIDNIGHT - 3_600_000_000_000L
                + random.nextInt(1_000_000) * 1_000L)
            .setEndTimeUnixNano(SpanSamples.NANOS_BEFORE_MIDNIGHT);
        if (i % 100 != 0) {
          span.setTraceId(SpanSamples.id(String.format("%08x", random.nextInt(5_000)), 16));
        }
        scope.addSpans(span);
      }
      staged += stage(value % 3, ExportTraceServiceRequest.newBuilder()
          .addResourceSpans(ResourceSpans.newBuilder()
              .setResource(Resource.newBuilder().addAttributes(SpanSamples.kv("service.name", "svc-" + value)))
              .addScopeSpans(scope))
          .build()).size();
    }

    List<ExportedFile> files = staging.export("sorted", 1L << 20, TABLE_SCHEMA);

    assertThat(files).hasSizeGreaterThan(1);
    long read = 0;
    Comparator<Record> tableOrder = Comparator
        .comparing((Record r) -> (String) r.getField(TraceTable.TRACE_ID),
            Comparator.nullsFirst(Comparator.<String>naturalOrder()))
        .thenComparing(r -> (OffsetDateTime) r.getField(TraceTable.TIMESTAMP));
    for (ExportedFile f : files) {
      List<Record> records = readAll(List.of(f));
      assertThat(records).hasSize((int) f.rows()).isSortedAccordingTo(tableOrder);
      read += records.size();
    }
    assertThat(read).isEqualTo(staged).isEqualTo(124_000);
  }

  @Test
  void exportsABatchOfWideSpansWithinABoundedMemoryLimit() throws Exception {
    // 100,000 spans with 8 attributes and an event each (~64 MB of Kafka values) within 160 MB
    // of DuckDB memory (they need more than 96 MB). Full 100 MB batches once ran out of a 512 MB
    // limit: per-span resource maps and a COPY on two threads (docs/BENCHMARKS.md)
    Path small = dir.resolve("small");
    long staged = 0;
    try (StagingBuffer tight = StagingBuffer.open(Signals.TRACES, small, 160)) {
      Random random = new Random(7);
      for (int value = 0; value < 50; value++) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int i = 0; i < 2_000; i++) {
          Span.Builder span = Span.newBuilder()
              .setTraceId(SpanSamples.id(Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()), 16))
              .setSpanId(SpanSamples.id(Long.toHexString(random.nextLong()), 8))
              .setName("GET /api/v1/orders/" + random.nextInt(1_000_000))
              .setStartTimeUnixNano(SpanSamples.NANOS_BEFORE_MIDNIGHT - random.nextInt(1_000_000) * 1_000L)
              .setEndTimeUnixNano(SpanSamples.NANOS_BEFORE_MIDNIGHT)
              .addEvents(Span.Event.newBuilder().setName("retry")
                  .addAttributes(SpanSamples.kv("reason", "timeout after " + random.nextInt(1000) + " ms")));
          for (int a = 0; a < 8; a++) {
            span.addAttributes(SpanSamples.kv("attribute.key." + a, Long.toHexString(random.nextLong()) + "-value-" + a));
          }
          scope.addSpans(span);
        }
        byte[] bytes = ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(SpanSamples.kv("service.name", "svc-" + value % 4)))
                .addScopeSpans(scope))
            .build().toByteArray();
        staged += tight.stage(value % 3, bytes, FALLBACK_MICROS);
      }
      tight.seal();

      List<ExportedFile> files = tight.export("tight", TARGET, TABLE_SCHEMA);

      assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(staged).isEqualTo(100_000);
      // ids over the whole range (a staged UUID must order as its hex text, top bit set or not)
      List<String> traceIds = readAll(files).stream().map(r -> (String) r.getField(TraceTable.TRACE_ID)).toList();
      assertThat(traceIds).hasSize(100_000).isSorted()
          .anySatisfy(id -> assertThat(id).startsWith("f")).anySatisfy(id -> assertThat(id).startsWith("0"));
    }
  }

  @Test
  void writesOneDirectoryPerDayHoldingThatDaysSpansOnly() throws Exception {
    List<SpanRow> rows = stage(0, SpanSamples.everyField("a1b2c3"));

    List<ExportedFile> files = staging.export("days", TARGET, TABLE_SCHEMA);

    // 2025-11-20 (the spans before midnight) and 2025-11-21 (after midnight, and the fallback time)
    assertThat(files).extracting(ExportedFile::day).containsExactlyInAnyOrder(20412, 20413);
    for (ExportedFile f : files) {
      assertThat(f.path().getParent().getFileName().toString()).isEqualTo("day=" + f.day());
      List<Record> records = readAll(List.of(f));
      assertThat(records).hasSize((int) f.rows()).isNotEmpty();
      for (Record r : records) {
        OffsetDateTime ts = (OffsetDateTime) r.getField(TraceTable.TIMESTAMP);
        assertThat(ts.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(ts.toLocalDate().toEpochDay()).isEqualTo(f.day());
      }
    }
    assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(rows.size());
    assertThat(readAll(files).stream().map(r -> (OffsetDateTime) r.getField(TraceTable.TIMESTAMP)))
        .contains(OffsetDateTime.parse("2025-11-20T23:59:59.999999Z"),
            OffsetDateTime.parse("2025-11-21T00:00:00.000000Z"));
  }

  @Test
  void dropsTheRowsOfRemovedPartitionsOnly() throws Exception {
    stage(0, SpanSamples.simple("p0", "zero", 0, 30));
    List<SpanRow> kept = stage(1, SpanSamples.simple("p1", "one", 0, 20));
    stage(2, SpanSamples.simple("p2", "two", 0, 10));
    kept.addAll(stage(3, SpanSamples.everyField("a1b2c3")));

    staging.dropPartitions(List.of(0, 2));

    assertThat(staging.countRows()).isEqualTo(kept.size());
    // the resource JSON cache must not outlive dropped rows: the same resource again, then export
    kept.addAll(stage(1, SpanSamples.simple("p1", "one", 20, 5)));
    List<ExportedFile> files = staging.export("drop", TARGET, TABLE_SCHEMA);
    assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(kept.size());
    assertThat(readAll(files).stream().map(SpanSamples::asRow).toList())
        .containsExactlyInAnyOrderElementsOf(kept);
  }

  @Test
  void isEmptyAfterClearAndStagesAgainWhenTheFlushRanOnAnotherThread() throws Exception {
    ExecutorService flushThread = Executors.newSingleThreadExecutor();
    try {
      stage(0, SpanSamples.simple("svc", "first", 0, 10));
      staging.seal();
      // the flush thread exports and clears, as FlushCycle does after seal()
      List<ExportedFile> files = CompletableFuture.supplyAsync(() -> {
        List<ExportedFile> exported = staging.export("t-first", TARGET, TABLE_SCHEMA);
        staging.clear();
        return exported;
      }, flushThread).join();
      assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(10);
      assertThat(staging.countRows()).isZero();

      List<SpanRow> again = stage(4, SpanSamples.simple("svc", "second", 0, 7));

      assertThat(staging.countRows()).isEqualTo(7);
      assertThat(readAll(staging.export("t-second", TARGET, TABLE_SCHEMA)).stream().map(SpanSamples::asRow).toList())
          .containsExactlyInAnyOrderElementsOf(again);
    } finally {
      flushThread.shutdownNow();
    }
  }

  @Test
  void stagesNothingOfAValueThatDoesNotDecode() {
    stage(0, SpanSamples.simple("svc", "ok", 0, 3));

    assertThatThrownBy(() -> staging.stage(0, "not protobuf \u00ff".getBytes(StandardCharsets.ISO_8859_1), 0))
        .isInstanceOf(OtlpDecodeException.class)
        .hasMessageContaining("protobuf");
    assertThat(staging.countRows()).isEqualTo(3);
  }

  private static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(SpanSamples.kv("service.name", "svc")))
            .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
        .build();
  }

  /** Stages the request as a Kafka value of the traces topic; the rows SpanRowMapper makes of it. */
  private List<SpanRow> stage(int partition, ExportTraceServiceRequest request) {
    try {
      int staged = staging.stage(partition, request.toByteArray(), FALLBACK_MICROS);
      List<SpanRow> rows = new ArrayList<>(SpanRowMapper.toRows(request, FALLBACK_MICROS));
      assertThat(staged).isEqualTo(rows.size());
      return rows;
    } catch (OtlpDecodeException e) {
      throw new AssertionError(e);
    }
  }

  static List<Record> readAll(List<ExportedFile> files) throws Exception {
    List<Record> out = new ArrayList<>();
    for (ExportedFile f : files) {
      try (CloseableIterable<Record> it = Parquet.read(Files.localInput(f.path().toFile()))
          .project(TraceTable.SCHEMA)
          .createReaderFunc(s -> GenericParquetReaders.buildReader(TraceTable.SCHEMA, s))
          .build()) {
        it.forEach(r -> out.add(r.copy()));
      }
    }
    return out;
  }
}
