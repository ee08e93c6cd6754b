package io.telemetrylake.benchmarks.micro;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRowMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The appender's CPU work per log record before DuckDB: decode a Kafka value (one resource, 250
 * records) and map it to {@code LogRow}s. One invocation = the two Kafka records of one request.
 * The mapping-only case gets freshly decoded values per invocation (see IngestPathBenchmark).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Payloads.RECORDS_PER_REQUEST)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class RowMappingBenchmark {
  /** Kafka values, two per request. */
  byte[][][] values;
  int next;

  @Setup
  public void setUp() {
    List<ExportLogsServiceRequest> requests = Payloads.requests("jmh", Defaults.POOL);
    values = new byte[requests.size()][][];
    for (int i = 0; i < requests.size(); i++) {
      List<KafkaRecord> records = Payloads.kafkaRecords(requests.get(i).toByteArray());
      if (records.stream().mapToInt(KafkaRecord::itemCount).sum() != Payloads.RECORDS_PER_REQUEST) {
        throw new IllegalStateException("unexpected split: " + records.size());
      }
      values[i] = records.stream().map(KafkaRecord::value).toArray(byte[][]::new);
    }
  }

  /** The values of one request decoded just before each invocation (outside the measured time). */
  @State(Scope.Thread)
  public static class Fresh {
    final List<ExportLogsServiceRequest> requests = new ArrayList<>(2);

    @Setup(Level.Invocation)
    public void decode(RowMappingBenchmark b) throws OtlpDecodeException {
      requests.clear();
      for (byte[] value : b.values[b.index()]) {
        requests.add(KafkaRecordFormat.decodeValue(value));
      }
    }
  }

  int index() {
    int i = next;
    next = (i + 1) % Defaults.POOL;
    return i;
  }

  @Benchmark
  public void mapRows(Fresh fresh, Blackhole bh) {
    for (ExportLogsServiceRequest request : fresh.requests) {
      LogRowMapper.forEachRow(request, 0L, bh::consume);
    }
  }

  /** What the appender's poll loop does per Kafka record before staging (it collects a list). */
  @Benchmark
  public void decodeAndMapRows(Blackhole bh) throws OtlpDecodeException {
    for (byte[] value : values[index()]) {
      bh.consume(LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), 0L));
    }
  }

  @Benchmark
  public void decodeValue(Blackhole bh) throws OtlpDecodeException {
    for (byte[] value : values[index()]) {
      bh.consume(KafkaRecordFormat.decodeValue(value));
    }
  }
}
