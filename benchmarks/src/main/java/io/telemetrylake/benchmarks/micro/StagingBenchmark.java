package io.telemetrylake.benchmarks.micro;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.appender.stage.LogStaging;
import io.telemetrylake.appender.stage.StagingBuffer;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows into DuckDB through the appender's own {@link StagingBuffer} (an on-disk database, as in
 * production), per log record. One invocation = the rows of one request's two Kafka records.
 * The buffer is emptied after every iteration, as a flush would, so it never grows past what one
 * iteration appends.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Payloads.RECORDS_PER_REQUEST)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class StagingBenchmark {
  /** Per request, the rows of each of its Kafka records. */
  List<List<List<LogRow>>> rows;
  /** Per request, its Kafka values. */
  byte[][][] values;
  int next;
  int partition;
  Path dir;
  LogStaging staging;

  @Setup
  public void setUp() throws IOException, OtlpDecodeException {
    List<ExportLogsServiceRequest> requests = Payloads.requests("jmh", Defaults.POOL);
    rows = new ArrayList<>();
    values = new byte[requests.size()][][];
    for (int i = 0; i < requests.size(); i++) {
      List<KafkaRecord> records = Payloads.kafkaRecords(requests.get(i).toByteArray());
      values[i] = records.stream().map(KafkaRecord::value).toArray(byte[][]::new);
      List<List<LogRow>> perRecord = new ArrayList<>();
      for (KafkaRecord record : records) {
        perRecord.add(LogRowMapper.toRows(KafkaRecordFormat.decodeValue(record.value()), 0L));
      }
      rows.add(perRecord);
    }
    dir = Files.createTempDirectory("jmh-staging");
    // The appender's default APPENDER_DUCKDB_MEMORY_MB.
    staging = StagingBuffer.open(dir, 1024);
  }

  @TearDown(Level.Iteration)
  public void flush() {
    // countRows flushes the DuckDB appenders: the last rows' cost lands in this iteration.
    staging.countRows();
    staging.clear();
  }

  @TearDown
  public void close() throws IOException {
    staging.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private int index() {
    int i = next;
    next = (i + 1) % Defaults.POOL;
    return i;
  }

  /** Mapped rows -> StagingBuffer.append (the DuckDB appender calls). */
  @Benchmark
  public void appendRows() {
    for (List<LogRow> record : rows.get(index())) {
      staging.beginRecord(partition);
      partition = (partition + 1) % 12;
      for (LogRow row : record) {
        staging.append(row);
      }
    }
  }

  /** Kafka value -> decode -> rows -> staging: the appender's whole per-record path before a flush. */
  @Benchmark
  public void decodeMapAppend() throws OtlpDecodeException {
    for (byte[] value : values[index()]) {
      List<LogRow> mapped = LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), 0L);
      staging.beginRecord(partition);
      partition = (partition + 1) % 12;
      for (LogRow row : mapped) {
        staging.append(row);
      }
    }
  }
}
