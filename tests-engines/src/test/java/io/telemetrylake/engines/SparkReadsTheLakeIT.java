package io.telemetrylake.engines;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogTable;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.TraceTable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.metrics.ScanReport;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Apache Spark (local, one core, Iceberg's Spark runtime) reads the tables the real pipeline wrote
 * through the real REST catalog and S3 server, as the README promises.
 *
 * <p>Each batch below is posted over OTLP/HTTP and committed by one flush, i.e. one snapshot. The
 * layout makes file pruning checkable: a filter on {@code alpha} in the first hour of day 2 needs
 * b2's file only; b1 and b4 are other days (partition pruning), b3 has other services and b5 a
 * later hour in the same partition (column statistics).
 *
 * <p>Every check holds before and after compaction, so the tests do not depend on their order; the
 * compaction test runs them again on the compacted table.
 */
@ExtendWith(DevStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkReadsTheLakeIT {
  private static final Instant DAY1 = Instant.parse("2026-11-02T00:00:00Z");
  private static final Instant DAY2 = DAY1.plus(Duration.ofDays(1));
  private static final Instant DAY3 = DAY2.plus(Duration.ofDays(1));
  private static final List<LogBatch> BATCHES = List.of(
      new LogBatch("b1", List.of("alpha", "beta"), DAY1.plus(Duration.ofHours(1)), 20),
      new LogBatch("b2", List.of("alpha", "beta"), DAY2.plus(Duration.ofHours(1)), 20),
      new LogBatch("b3", List.of("delta", "gamma"), DAY2.plus(Duration.ofHours(1)), 20),
      new LogBatch("b4", List.of("alpha", "beta"), DAY3.plus(Duration.ofHours(1)), 20),
      new LogBatch("b5", List.of("alpha", "beta"), DAY2.plus(Duration.ofHours(5)), 20));
  private static final SpanBatch SPANS = new SpanBatch("s1", List.of("alpha", "beta"), DAY1.plus(Duration.ofHours(2)), 10);

  /** The filter of the pruning check and the rows it must return. */
  private static final String FILTER = "service_name = 'alpha'"
      + " AND timestamp >= TIMESTAMP '2026-11-03 01:00:00' AND timestamp < TIMESTAMP '2026-11-03 02:00:00'";
  /** The same rows, by expressions that Iceberg cannot turn into a scan filter. */
  private static final String HIDDEN_FILTER = "upper(service_name) = 'ALPHA'"
      + " AND date_format(timestamp, 'yyyy-MM-dd HH') = '2026-11-03 01'";
  private static final List<String> FILTERED_IDS = BATCHES.get(1).ids("alpha");

  private LakePipeline lake;
  private LakeSpark spark;
  /** The current snapshot after each batch's flush, in batch order. */
  private final List<Long> snapshotAfterBatch = new ArrayList<>();

  @BeforeAll
  void writeTheTablesThroughThePipeline(DevStack stack) throws Exception {
    lake = LakePipeline.start(stack, "spark");
    spark = LakeSpark.start(stack);
    long committed = 0;
    for (int i = 0; i < BATCHES.size(); i++) {
      LogBatch batch = BATCHES.get(i);
      lake.post(Signals.LOGS, batch.request().toByteArray());
      // the spans ride along with the first batch: no flush of their own
      long spans = i == 0 ? SPANS.size() : 0;
      if (spans > 0) {
        lake.post(Signals.TRACES, SPANS.request().toByteArray());
      }
      lake.flushWhenStaged(batch.size(), spans);
      committed += batch.size();
      Row current = currentSnapshot(lake.logsTable);
      assertThat(Long.parseLong(current.getAs("total"))).as("rows committed after %s", batch.name()).isEqualTo(committed);
      snapshotAfterBatch.add(current.getAs("snapshot_id"));
    }
    assertThat(new HashSet<>(snapshotAfterBatch)).as("one snapshot per batch").hasSize(BATCHES.size());
  }

  @AfterAll
  void stop() {
    if (spark != null) {
      spark.close();
    }
    if (lake != null) {
      lake.close();
    }
  }

  @Test
  void seesTheColumnsTypesAndPartitionsTheProjectDefines() {
    StructType logs = spark.spark.table(LakeSpark.name(lake.logsTable)).schema();
    assertThat(SparkTypes.actual(logs)).containsExactlyElementsOf(SparkTypes.expected(LogTable.SCHEMA));
    // spelled out, as a Spark user relies on them
    assertThat(logs.apply("timestamp").dataType()).isEqualTo(DataTypes.TimestampType);
    assertThat(logs.apply("severity_number").dataType()).isEqualTo(DataTypes.IntegerType);
    assertThat(logs.apply("log_attributes").dataType())
        .isEqualTo(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true));

    StructType traces = spark.spark.table(LakeSpark.name(lake.tracesTable)).schema();
    assertThat(SparkTypes.actual(traces)).containsExactlyElementsOf(SparkTypes.expected(TraceTable.SCHEMA));

    // day(timestamp) partitions, one per UTC day that has records
    List<LocalDate> days = spark.sql("SELECT partition." + LogTable.TIMESTAMP_DAY + " AS day FROM "
        + LakeSpark.name(lake.logsTable, "partitions")).stream().map(r -> r.<LocalDate>getAs("day")).toList();
    assertThat(days).containsExactlyInAnyOrder(day(DAY1), day(DAY2), day(DAY3));
  }

  @Test
  void readsEveryRowWithTheValuesThatWereSent() {
    assertReadsEveryRowAsSent();
  }

  @Test
  void mapAccessReturnsTheAttributeValuesThatWereSent() {
    assertMapAccess();
  }

  @Test
  void serviceAndTimeFilterReturnsExactlyItsRowsAndReadsOnlyTheFilesThatHoldThem() {
    assertFilterPrunes();
  }

  @Test
  void timeTravelToEachEarlierSnapshotReturnsExactlyTheRowsCommittedUpToIt() {
    assertTimeTravel();
  }

  @Test
  void afterCompactionReadsTheSameRowsFromTheRewrittenFiles() throws Exception {
    String table = LakeSpark.name(lake.logsTable);
    Set<String> before = dataFiles();
    long lastAppend = snapshotAfterBatch.get(snapshotAfterBatch.size() - 1);

    // day 2 holds three files (b2, b3, b5); the default of 5 small files would leave them alone.
    // Snapshots younger than 30 days stay, so time travel still has them afterwards.
    LakePipeline.MaintainRun run = lake.maintain("--min-input-files", "2", "--expire-older-than", "30d", "--json");
    assertThat(run.exitCode()).as("lake maintain exit code (log %s); report: %s", run.log(), run.report()).isZero();

    Set<String> after = dataFiles();
    Set<String> replaced = difference(before, after);
    Set<String> written = difference(after, before);
    assertThat(replaced).as("files compacted away").hasSizeGreaterThanOrEqualTo(2);
    assertThat(written).as("compacted files").isNotEmpty();
    assertThat(after).as("data files after compaction").hasSizeLessThan(before.size());
    Row current = currentSnapshot(lake.logsTable);
    assertThat(current.<String>getAs("operation")).isEqualTo("replace");
    assertThat(Long.parseLong(current.getAs("total"))).isEqualTo(allRows().size());

    // the rewritten files hold exactly the rows of the files they replace, read by Spark from both
    List<String> inNewFiles = ids(spark.sql("SELECT log_attributes['lake.id'] AS id FROM " + table
        + " WHERE _file IN (" + quoted(written) + ")"));
    List<String> inOldFiles = ids(spark.sql("SELECT log_attributes['lake.id'] AS id FROM " + table
        + " VERSION AS OF " + lastAppend + " WHERE _file IN (" + quoted(replaced) + ")"));
    assertThat(inNewFiles).isNotEmpty().containsExactlyInAnyOrderElementsOf(inOldFiles);

    assertReadsEveryRowAsSent();
    assertMapAccess();
    assertFilterPrunes();
    assertTimeTravel();
  }

  @Test
  void readsSpanAttributesFromTheTracesTable() {
    Map<String, SpanRow> expected = SPANS.rows().stream()
        .collect(Collectors.toMap(r -> r.spanAttributes().get(LogBatch.ID), Function.identity()));
    List<Row> rows = spark.sql("SELECT span_attributes['" + LogBatch.ID + "'] AS id, span_attributes['"
        + LogBatch.K + "'] AS k, service_name, span_name, span_kind, duration, timestamp,"
        + " events[0].name AS event FROM " + LakeSpark.name(lake.tracesTable));

    assertThat(ids(rows)).containsExactlyInAnyOrderElementsOf(expected.keySet());
    assertThat(rows).allSatisfy(r -> {
      SpanRow span = expected.get(r.<String>getAs("id"));
      assertThat(r.<String>getAs("k")).isEqualTo(LogBatch.k(r.getAs("id")));
      assertThat(r.<String>getAs("service_name")).isEqualTo(span.serviceName());
      assertThat(r.<String>getAs("span_name")).isEqualTo(span.spanName());
      assertThat(r.<String>getAs("span_kind")).isEqualTo(span.spanKind());
      assertThat(r.<Long>getAs("duration")).isEqualTo(span.durationNanos());
      assertThat(LakeSpark.micros(r.getAs("timestamp"))).isEqualTo(span.timestampMicros());
      assertThat(r.<String>getAs("event")).isEqualTo(span.events().get(0).name());
    });
  }

  /** Every column of every row, as the project's row mapping says the table must hold them. */
  private void assertReadsEveryRowAsSent() {
    String table = LakeSpark.name(lake.logsTable);
    Map<String, LogRow> expected = byId(allRows());
    Map<String, LogRow> actual = byId(spark.sql("SELECT * FROM " + table).stream().map(LakeSpark::toLogRow).toList());

    assertThat(spark.sql("SELECT count(*) AS n FROM " + table).get(0).<Long>getAs("n")).isEqualTo(expected.size());
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach((id, row) -> assertThat(actual.get(id)).as(id).isEqualTo(row));
  }

  private void assertMapAccess() {
    String table = LakeSpark.name(lake.logsTable);
    Map<String, String> k = new HashMap<>();
    for (Row r : spark.sql("SELECT log_attributes['" + LogBatch.ID + "'] AS id, log_attributes['" + LogBatch.K
        + "'] AS k FROM " + table)) {
      assertThat(k.put(r.getAs("id"), r.getAs("k"))).as("duplicate %s", r.<String>getAs("id")).isNull();
    }
    Map<String, String> sent = allRows().stream().map(row -> row.logAttributes().get(LogBatch.ID))
        .collect(Collectors.toMap(Function.identity(), LogBatch::k));
    assertThat(k).isEqualTo(sent);

    // a predicate on a map value finds its one row
    String one = LogBatch.id("b3", "gamma", 7);
    assertThat(ids(spark.sql("SELECT log_attributes['" + LogBatch.ID + "'] AS id FROM " + table
        + " WHERE log_attributes['" + LogBatch.K + "'] = '" + LogBatch.k(one) + "'"))).containsExactly(one);
  }

  /**
   * The filter returns exactly its rows, and Iceberg planned only files that hold some of them. The
   * same filter hidden from Iceberg (wrapped in functions it cannot evaluate) plans every file: the
   * count is the one pruning changes, not a constant.
   */
  private void assertFilterPrunes() {
    long tableFiles = dataFiles().size();
    Scan pruned = scan(FILTER);
    Scan hidden = scan(HIDDEN_FILTER);

    assertThat(pruned.ids()).containsExactlyInAnyOrderElementsOf(FILTERED_IDS);
    assertThat(hidden.ids()).containsExactlyInAnyOrderElementsOf(FILTERED_IDS);
    assertThat(hidden.plannedFiles()).as("data files planned without pruning").isEqualTo(tableFiles);
    assertThat(pruned.plannedFiles()).as("data files planned for %s (table has %d)", FILTER, tableFiles)
        .isEqualTo(pruned.filesWithMatches().size())
        .isLessThan(tableFiles);
  }

  /** What one filtered read returned and how many data files Iceberg planned for it. */
  private record Scan(List<String> ids, Set<String> filesWithMatches, long plannedFiles) {}

  private Scan scan(String filter) {
    ScanReports.clear();
    List<Row> rows = spark.sql("SELECT log_attributes['" + LogBatch.ID + "'] AS id, _file AS file FROM "
        + LakeSpark.name(lake.logsTable) + " WHERE " + filter);
    List<ScanReport> reports = ScanReports.of(LakePipeline.NAMESPACE, lake.logsTable);
    assertThat(reports).as("Iceberg scan reports of the query filtered by %s", filter).hasSize(1);
    return new Scan(ids(rows), rows.stream().map(r -> r.<String>getAs("file")).collect(Collectors.toSet()),
        reports.get(0).scanMetrics().resultDataFiles().value());
  }

  private void assertTimeTravel() {
    String table = LakeSpark.name(lake.logsTable);
    List<String> committed = new ArrayList<>();
    for (int i = 0; i < BATCHES.size(); i++) {
      committed.addAll(BATCHES.get(i).ids());
      List<String> ids = ids(spark.sql("SELECT log_attributes['" + LogBatch.ID + "'] AS id FROM " + table
          + " VERSION AS OF " + snapshotAfterBatch.get(i)));
      assertThat(ids).as("rows at the snapshot of %s", BATCHES.get(i).name()).containsExactlyInAnyOrderElementsOf(committed);
    }
  }

  /** The table's current snapshot: id, operation and total-records. */
  private Row currentSnapshot(String table) {
    List<Row> rows = spark.sql("SELECT s.snapshot_id, s.operation, s.summary['total-records'] AS total"
        + " FROM " + LakeSpark.name(table, "snapshots") + " s JOIN " + LakeSpark.name(table, "refs") + " r"
        + " ON s.snapshot_id = r.snapshot_id WHERE r.name = 'main'");
    assertThat(rows).as("current snapshot of %s", table).hasSize(1);
    return rows.get(0);
  }

  /** The data files of the logs table's current snapshot. */
  private Set<String> dataFiles() {
    return spark.sql("SELECT file_path FROM " + LakeSpark.name(lake.logsTable, "data_files")).stream()
        .map(r -> r.<String>getAs("file_path")).collect(Collectors.toSet());
  }

  private static List<LogRow> allRows() {
    return BATCHES.stream().flatMap(b -> b.rows().stream()).toList();
  }

  private static Map<String, LogRow> byId(List<LogRow> rows) {
    return rows.stream().collect(Collectors.toMap(r -> r.logAttributes().get(LogBatch.ID), Function.identity(),
        (a, b) -> {
          throw new AssertionError("duplicate row " + a.logAttributes().get(LogBatch.ID));
        }));
  }

  private static List<String> ids(List<Row> rows) {
    return rows.stream().map(r -> r.<String>getAs("id")).toList();
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toSet());
  }

  private static String quoted(Set<String> values) {
    return values.stream().map(v -> "'" + v.replace("'", "''") + "'").collect(Collectors.joining(", "));
  }

  private static LocalDate day(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalDate();
  }
}
