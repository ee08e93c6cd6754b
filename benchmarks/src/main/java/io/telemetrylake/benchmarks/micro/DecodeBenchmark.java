package io.telemetrylake.benchmarks.micro;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpJsonEncoder;
import io.telemetrylake.otlp.OtlpLogsDecoder;
import io.telemetrylake.otlp.RequestBodies;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Request body decoding as the ingester does it, per log record (one invocation = one request of
 * 500 records): gzip inflate through {@link RequestBodies}, protobuf decode, OTLP/JSON decode.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Payloads.RECORDS_PER_REQUEST)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class DecodeBenchmark {
  private static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

  byte[][] protobuf;
  byte[][] json;
  byte[][] gzipProtobuf;
  byte[][] gzipJson;
  int next;

  @Setup
  public void setUp() {
    List<ExportLogsServiceRequest> requests = Payloads.requests("jmh", Defaults.POOL);
    protobuf = new byte[requests.size()][];
    json = new byte[requests.size()][];
    gzipProtobuf = new byte[requests.size()][];
    gzipJson = new byte[requests.size()][];
    for (int i = 0; i < requests.size(); i++) {
      protobuf[i] = requests.get(i).toByteArray();
      json[i] = OtlpJsonEncoder.encode(requests.get(i), OtlpJsonEncoder.Style.OTLP);
      gzipProtobuf[i] = Payloads.gzip(protobuf[i]);
      gzipJson[i] = Payloads.gzip(json[i]);
    }
  }

  private int index() {
    int i = next;
    next = (i + 1) % Defaults.POOL;
    return i;
  }

  @Benchmark
  public ExportLogsServiceRequest protobufDecode() throws OtlpDecodeException {
    return OtlpLogsDecoder.decode(protobuf[index()], OtlpEncoding.PROTOBUF);
  }

  @Benchmark
  public ExportLogsServiceRequest jsonDecode() throws OtlpDecodeException {
    return OtlpLogsDecoder.decode(json[index()], OtlpEncoding.JSON);
  }

  @Benchmark
  public byte[] gzipProtobufInflate() throws OtlpDecodeException, IOException {
    return RequestBodies.read(new ByteArrayInputStream(gzipProtobuf[index()]), "gzip", MAX_BODY_BYTES);
  }

  @Benchmark
  public byte[] gzipJsonInflate() throws OtlpDecodeException, IOException {
    return RequestBodies.read(new ByteArrayInputStream(gzipJson[index()]), "gzip", MAX_BODY_BYTES);
  }

  @Benchmark
  public byte[] identityRead() throws OtlpDecodeException, IOException {
    return RequestBodies.read(new ByteArrayInputStream(protobuf[index()]), null, MAX_BODY_BYTES);
  }
}
