package io.telemetrylake.benchmarks.micro;

import io.telemetrylake.signal.Signals;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.otlp.LogRecordValidator;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpLogsDecoder;
import io.telemetrylake.otlp.RequestBodies;
import io.telemetrylake.record.ResourceSplitter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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

/**
 * The ingester's CPU work per log record between the HTTP body and the Kafka producer: validation,
 * per-resource split + re-encode, and the whole path (gzip, decode, validate, split) that
 * ExportHandler runs for every request.
 *
 * <p>Split and validate get a freshly decoded request per invocation, as in the ingester:
 * protobuf memoizes sizes and decoded strings in the message, so a request reused across
 * invocations would make them look cheaper than they are.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Payloads.RECORDS_PER_REQUEST)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class IngestPathBenchmark {
  private static final long MAX_BODY_BYTES = 64L * 1024 * 1024;

  byte[][] protobuf;
  byte[][] gzipProtobuf;
  int next;
  final ResourceSplitter splitter = Signals.LOGS.splitter(Payloads.MAX_VALUE_BYTES);

  @Setup
  public void setUp() {
    List<ExportLogsServiceRequest> requests = Payloads.requests("jmh", Defaults.POOL);
    protobuf = new byte[requests.size()][];
    gzipProtobuf = new byte[requests.size()][];
    for (int i = 0; i < requests.size(); i++) {
      protobuf[i] = requests.get(i).toByteArray();
      gzipProtobuf[i] = Payloads.gzip(protobuf[i]);
    }
  }

  /** A request decoded just before each invocation (outside the measured time). */
  @State(Scope.Thread)
  public static class Fresh {
    byte[] body;
    ExportLogsServiceRequest request;

    @Setup(Level.Invocation)
    public void decode(IngestPathBenchmark b) throws OtlpDecodeException {
      body = b.protobuf[b.index()];
      request = OtlpLogsDecoder.decode(body, OtlpEncoding.PROTOBUF);
    }
  }

  int index() {
    int i = next;
    next = (i + 1) % Defaults.POOL;
    return i;
  }

  @Benchmark
  public io.telemetrylake.otlp.Validated<?> validate(Fresh fresh) {
    return LogRecordValidator.validate(fresh.request);
  }

  /** Split + re-encode every resource (the only way before the split could reuse the bytes). */
  @Benchmark
  public ResourceSplitter.Split split(Fresh fresh) {
    return splitter.split(fresh.request);
  }

  /** Split copying each resource from the bytes the request arrived in (the ingester's path). */
  @Benchmark
  public ResourceSplitter.Split splitFromBytes(Fresh fresh) {
    return splitter.split(fresh.request, fresh.body);
  }

  /** gzip + decode + validate + split: everything ExportHandler computes per request. */
  @Benchmark
  public ResourceSplitter.Split wholeRequest() throws OtlpDecodeException, IOException {
    byte[] body = RequestBodies.read(new ByteArrayInputStream(gzipProtobuf[index()]), "gzip", MAX_BODY_BYTES);
    ExportLogsServiceRequest request = OtlpLogsDecoder.decode(body, OtlpEncoding.PROTOBUF);
    io.telemetrylake.otlp.Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);
    return splitter.split(validated.request(), validated.request() == request ? body : null);
  }

  /** The same with the split re-encoding every resource, as the ingester did before. */
  @Benchmark
  public ResourceSplitter.Split wholeRequestReencoding() throws OtlpDecodeException, IOException {
    byte[] body = RequestBodies.read(new ByteArrayInputStream(gzipProtobuf[index()]), "gzip", MAX_BODY_BYTES);
    ExportLogsServiceRequest request = OtlpLogsDecoder.decode(body, OtlpEncoding.PROTOBUF);
    return splitter.split(LogRecordValidator.validate(request).request());
  }
}
