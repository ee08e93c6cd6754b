package io.telemetrylake.appender.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.appender.testing.Samples;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.Files;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingBufferTest {

  @TempDir Path dir;
  private LogStaging staging;

  @BeforeEach
  void open() {
    staging = StagingBuffer.open(dir, 256);
  }

  @AfterEach
  void close() {
    staging.close();
  }

  @Test
  void writesEveryStagedRowToParquetWithItsValues() throws Exception {
    List<LogRow> expected = new ArrayList<>();
    stage(0, Samples.sampleRequest(), expected);
    stage(1, Samples.sampleRequest(), expected);

    List<ExportedFile> files = staging.export("t1", 128L << 20, LogTable.SCHEMA);

    assertThat(files).extracting(ExportedFile::day).containsExactlyInAnyOrder(20412, 20413);
    assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(expected.size());
    List<Record> read = readAll(files);
    assertThat(read).hasSize(expected.size());
    assertThat(read.stream().map(Samples::asRow).sorted(Samples.ROW_ORDER).toList())
        .containsExactlyElementsOf(expected.stream().map(Samples::normalized).sorted(Samples.ROW_ORDER).toList());
  }

  @Test
  void keepsUtcInstantsAndDayPartitionsAcrossMidnight() throws Exception {
    stage(0, Samples.sampleRequest(), new ArrayList<>());

    List<ExportedFile> files = staging.export("t2", 128L << 20, LogTable.SCHEMA);

    for (ExportedFile f : files) {
      for (Record r : readAll(List.of(f))) {
        OffsetDateTime ts = (OffsetDateTime) r.getField(LogTable.TIMESTAMP);
        assertThat(ts.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(ts.toLocalDate().toEpochDay()).isEqualTo(f.day());
      }
    }
    List<OffsetDateTime> times =
        readAll(files).stream().map(r -> (OffsetDateTime) r.getField(LogTable.TIMESTAMP)).toList();
    assertThat(times).contains(OffsetDateTime.parse("2025-11-20T23:59:59.999999Z"));
  }

  @Test
  void sortsEachFileByServiceNameThenTimestampWithNullsFirst() throws Exception {
    stage(0, Samples.sampleRequest(), new ArrayList<>());

    for (ExportedFile f : staging.export("t3", 128L << 20, LogTable.SCHEMA)) {
      List<Record> records = readAll(List.of(f));
      assertThat(records).isSortedAccordingTo(
          Comparator.comparing(
                  (Record r) -> (String) r.getField(LogTable.SERVICE_NAME),
                  Comparator.nullsFirst(Comparator.<String>naturalOrder()))
              .thenComparing(r -> (OffsetDateTime) r.getField(LogTable.TIMESTAMP)));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void keepsEachRowWithItsOwnResourceAndTheSortOrderAcrossManyChunksAndDroppedPartitions()
      throws Exception {
    // 60 records of 1,000 rows whose times interleave, so the sort mixes resources; dropping two
    // partitions leaves gaps in the resource ids that the export's lookup must not shift over
    for (int record = 0; record < 60; record++) {
      ScopeLogs.Builder scope = ScopeLogs.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("scope")
              .addAttributes(kv("scope.record", "s" + record)));
      for (int i = 0; i < 1_000; i++) {
        scope.addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_763_600_000_000_000_000L + (i * 60L + (59 - record)) * 1_000L)
            .setBody(AnyValue.newBuilder().setStringValue(record + "/" + i)));
      }
      ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
          .addResourceLogs(ResourceLogs.newBuilder()
              .setResource(Resource.newBuilder()
                  .addAttributes(kv("service.name", "svc-" + record % 5))
                  .addAttributes(kv("record", "r" + record)))
              .addScopeLogs(scope))
          .build();
      stage(record % 6, request, new ArrayList<>());
    }
    staging.dropPartitions(List.of(1, 4));

    List<ExportedFile> files = staging.export("t6", 128L << 20, LogTable.SCHEMA);
    List<Record> read = readAll(files);

    // one file of small row groups (the flush's ROW_GROUP_ROWS), so the order holds across them
    assertThat(files).hasSize(1);
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(files.get(0).path()))) {
      assertThat(reader.getRowGroups()).hasSize(5)
          .allSatisfy(g -> assertThat(g.getRowCount()).isLessThanOrEqualTo(ParquetExport.ROW_GROUP_ROWS));
    }
    assertThat(read).hasSize(40_000);
    assertThat(read).isSortedAccordingTo(
        Comparator.comparing((Record r) -> (String) r.getField(LogTable.SERVICE_NAME))
            .thenComparing(r -> (OffsetDateTime) r.getField(LogTable.TIMESTAMP)));
    for (Record r : read) {
      String record = ((String) r.getField(LogTable.BODY)).split("/")[0];
      assertThat(Integer.parseInt(record) % 6).isNotIn(1, 4);
      assertThat((java.util.Map<Object, Object>) r.getField(LogTable.RESOURCE_ATTRIBUTES))
          .containsEntry("record", "r" + record);
      assertThat((java.util.Map<Object, Object>) r.getField(LogTable.SCOPE_ATTRIBUTES))
          .containsEntry("scope.record", "s" + record);
    }
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  @Test
  void dropsTheRowsOfRemovedPartitionsOnly() {
    List<LogRow> kept = new ArrayList<>();
    stage(0, Samples.sampleRequest(), new ArrayList<>());
    stage(1, Samples.sampleRequest(), kept);
    stage(2, Samples.sampleRequest(), new ArrayList<>());

    staging.dropPartitions(List.of(0, 2));

    assertThat(staging.countRows()).isEqualTo(kept.size());
    List<ExportedFile> files = staging.export("t4", 128L << 20, LogTable.SCHEMA);
    assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(kept.size());
  }

  @Test
  void isEmptyAfterClearAndAcceptsRowsAgain() {
    stage(0, Samples.sampleRequest(), new ArrayList<>());
    staging.clear();
    assertThat(staging.countRows()).isZero();

    List<LogRow> rows = new ArrayList<>();
    stage(3, Samples.sampleRequest(), rows);

    assertThat(staging.countRows()).isEqualTo(rows.size());
  }

  @Test
  void savesWhatItStagedToADatabaseFileAndGoesOnStaging() throws Exception {
    List<LogRow> rows = new ArrayList<>();
    stage(0, Samples.sampleRequest(), rows);
    int saved = rows.size();
    Path file = dir.resolve("saved.duckdb");

    staging.saveTo(file);
    stage(1, Samples.sampleRequest(), rows);

    assertThat(staging.countRows()).isEqualTo(rows.size());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM rows")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(saved);
    }
  }

  @Test
  void splitsLargeExportsIntoFilesNearTheTargetSize() throws Exception {
    List<LogRow> rows = new ArrayList<>();
    ExportLogsServiceRequest.Builder big = ExportLogsServiceRequest.newBuilder();
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < 300_000; i++) {
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(1_763_600_000_000_000_000L + i * 1000L)
          .setBody(AnyValue.newBuilder().setStringValue("line " + i + " " + Integer.toHexString(i * 31))));
    }
    big.addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope));
    stage(0, big.build(), rows);

    List<ExportedFile> files = staging.export("t5", 1L << 20, LogTable.SCHEMA);

    assertThat(files).hasSizeGreaterThan(1);
    assertThat(files.stream().mapToLong(ExportedFile::rows).sum()).isEqualTo(300_000);
  }

  @Test
  void stagesKafkaValuesFromTheirBytesWithTheValuesTheRowPathStages() throws Exception {
    List<byte[]> values = new ArrayList<>();
    values.add(Samples.sampleRequest().toByteArray());
    values.add(unusualValues().toByteArray());
    // a repeated singular field: the wire reader declines it, protobuf-java merges (last time wins)
    byte[] record = LogRecord.newBuilder().setTimeUnixNano(1_763_000_000_000_000_000L)
        .setBody(AnyValue.newBuilder().setStringValue("merged")).build().toByteArray();
    byte[] later = LogRecord.newBuilder().setTimeUnixNano(1_763_000_000_500_000_000L).build().toByteArray();
    byte[] merged = new byte[record.length + later.length];
    System.arraycopy(record, 0, merged, 0, record.length);
    System.arraycopy(later, 0, merged, record.length, later.length);
    values.add(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.parseFrom(merged))))
        .build().toByteArray());
    values.add(wrap(merged));

    List<LogRow> expected = new ArrayList<>();
    long staged = 0;
    for (byte[] value : values) {
      staged += staging.stage(0, value, 1_000_000L);
      expected.addAll(LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), 1_000_000L));
    }

    assertThat(staged).isEqualTo(expected.size()).isEqualTo(staging.countRows());
    List<Record> read = readAll(staging.export("t6", 128L << 20, LogTable.SCHEMA));
    assertThat(read.stream().map(Samples::asRow).sorted(Samples.ROW_ORDER).toList())
        .containsExactlyElementsOf(expected.stream().map(Samples::normalized).sorted(Samples.ROW_ORDER).toList());
  }

  @Test
  void stagesNothingOfAValueThatDoesNotDecode() {
    byte[] value = Samples.sampleRequest().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(value, value.length - 3);

    assertThatThrownBy(() -> staging.stage(0, truncated, 1_000_000L))
        .isInstanceOf(OtlpDecodeException.class);
    assertThat(staging.countRows()).isZero();
  }

  /** Values the common case does not have: every body type, odd ids, escapes, repeated keys. */
  private static ExportLogsServiceRequest unusualValues() {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("lib").setVersion("1.2"))
        .setSchemaUrl("https://scope");
    AnyValue[] bodies = {
      AnyValue.newBuilder().setIntValue(-42).build(),
      AnyValue.newBuilder().setDoubleValue(0.5).build(),
      AnyValue.newBuilder().setBoolValue(true).build(),
      AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(
          KeyValue.newBuilder().setKey("k").setValue(AnyValue.newBuilder().setStringValue("v")))).build(),
      AnyValue.newBuilder().setStringValue("").build(),
      AnyValue.newBuilder().setStringValue("naïve \"quoted\" \\ line\nbreak \u0001 🎉").build(),
      AnyValue.getDefaultInstance(),
    };
    for (int i = 0; i < bodies.length; i++) {
      LogRecord.Builder r = LogRecord.newBuilder()
          .setTimeUnixNano(i == 3 ? 0 : 1_763_000_000_000_000_000L + i * 1_000_000L)
          .setObservedTimeUnixNano(i % 2 == 0 ? 1_763_000_001_000_000_000L + i * 1_000L : 0)
          .setSeverityNumberValue(i * 3)
          .setSeverityText(i % 2 == 0 ? "WARN" : "")
          .setBody(bodies[i])
          .setFlags(i)
          .setEventName(i == 1 ? "an.event" : "")
          .setDroppedAttributesCount(i)
          .addAttributes(KeyValue.newBuilder().setKey("dup").setValue(AnyValue.newBuilder().setStringValue("first")))
          .addAttributes(KeyValue.newBuilder().setKey("esc \"\\ \t").setValue(AnyValue.newBuilder().setStringValue("日本\u0007")))
          .addAttributes(KeyValue.newBuilder().setKey("int").setValue(AnyValue.newBuilder().setIntValue(i)))
          .addAttributes(KeyValue.newBuilder().setKey("unset"))
          .addAttributes(KeyValue.newBuilder().setKey("dup").setValue(AnyValue.newBuilder().setStringValue("last")));
      byte[] trace = new byte[i == 2 ? 5 : i == 4 ? 0 : 16];
      byte[] span = new byte[i == 2 ? 3 : i == 4 ? 0 : 8];
      for (int b = 0; b < trace.length; b++) {
        trace[b] = (byte) (0xF1 + b * 7 + i);
      }
      for (int b = 0; b < span.length; b++) {
        span[b] = (byte) (0x8F - b * 5 + i);
      }
      r.setTraceId(com.google.protobuf.ByteString.copyFrom(trace));
      r.setSpanId(com.google.protobuf.ByteString.copyFrom(span));
      scope.addLogRecords(r);
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(KeyValue.newBuilder().setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("odd")))
                .addAttributes(KeyValue.newBuilder().setKey("port").setValue(AnyValue.newBuilder().setIntValue(8080))))
            .setSchemaUrl("https://resource")
            .addScopeLogs(scope)
            .addScopeLogs(ScopeLogs.newBuilder()))
        .build();
  }

  /** One resource, one scope, and these bytes as its one record (fields as they are). */
  private static byte[] wrap(byte[] record) throws Exception {
    byte[] scopeLogs = field(2, record);
    return field(1, field(2, scopeLogs));
  }

  private static byte[] field(int number, byte[] payload) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream.newInstance(out);
    coded.writeByteArray(number, payload);
    coded.flush();
    return out.toByteArray();
  }

  private void stage(int partition, ExportLogsServiceRequest request, List<LogRow> sink) {
    staging.beginRecord(partition);
    LogRowMapper.forEachRow(request, 1_000_000L, row -> {
      staging.append(row);
      sink.add(row);
    });
  }

  static List<Record> readAll(List<ExportedFile> files) throws Exception {
    List<Record> out = new ArrayList<>();
    for (ExportedFile f : files) {
      try (CloseableIterable<Record> it = Parquet.read(Files.localInput(f.path().toFile()))
          .project(LogTable.SCHEMA)
          .createReaderFunc(s -> GenericParquetReaders.buildReader(LogTable.SCHEMA, s))
          .build()) {
        it.forEach(out::add);
      }
    }
    return out;
  }

}
