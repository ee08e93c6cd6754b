package io.telemetrylake.tools.send;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpJsonEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code lake send} needs to know about one OTLP signal: its HTTP path, how its requests are
 * generated and encoded, and how the answer reports rejected records. Everything else (the
 * command, the sender, retries, stats) is shared by all signals.
 *
 * @param <R> the signal's export request
 */
final class SendSignal<R extends MessageLite> {
  /** Encodes one request as an HTTP body (before gzip). */
  @FunctionalInterface
  interface BodyEncoder<R> {
    byte[] encode(R request);
  }

  /**
   * Makes a generator from a run id, a number of distinct services, the busy service's share (0 =
   * all alike; only where {@link #hasHotShare}) and a seed.
   */
  @FunctionalInterface
  interface GeneratorFactory<R> {
    RequestGenerator<R> create(String runId, int services, double hotShare, long seed);
  }

  /** Reads the rejected count from a protobuf export response. */
  @FunctionalInterface
  interface RejectedReader {
    long rejected(byte[] body) throws InvalidProtocolBufferException;
  }

  static final SendSignal<ExportLogsServiceRequest> LOGS = new SendSignal<>(
      "logs", "/v1/logs", "logs",
      LogGenerator::new, true,
      request -> OtlpJsonEncoder.encode(request, OtlpJsonEncoder.Style.OTLP),
      body -> ExportLogsServiceResponse.parseFrom(body).getPartialSuccess().getRejectedLogRecords(),
      "rejectedLogRecords");

  static final SendSignal<ExportTraceServiceRequest> TRACES = new SendSignal<>(
      "traces", "/v1/traces", "spans",
      // a trace crosses services: one busy service is not a per-resource choice here
      (runId, services, hotShare, seed) -> new SpanGenerator(runId, services, seed), false,
      request -> OtlpJsonEncoder.encode(request, OtlpJsonEncoder.Style.OTLP),
      body -> ExportTraceServiceResponse.parseFrom(body).getPartialSuccess().getRejectedSpans(),
      "rejectedSpans");

  static final List<SendSignal<?>> ALL = List.of(LOGS, TRACES);

  private final String name;
  private final String path;
  private final String unit;
  private final GeneratorFactory<R> generators;
  private final boolean hasHotShare;
  private final BodyEncoder<R> json;
  private final RejectedReader rejected;
  private final Pattern jsonRejected;

  private SendSignal(String name, String path, String unit, GeneratorFactory<R> generators, boolean hasHotShare,
      BodyEncoder<R> json, RejectedReader rejected, String jsonRejectedField) {
    this.name = name;
    this.path = path;
    this.unit = unit;
    this.generators = generators;
    this.hasHotShare = hasHotShare;
    this.json = json;
    this.rejected = rejected;
    this.jsonRejected = Pattern.compile("\"" + jsonRejectedField + "\"\\s*:\\s*\"?(\\d+)");
  }

  /** The signal named on the command line (case-insensitive). */
  static SendSignal<?> named(String name) {
    for (SendSignal<?> signal : ALL) {
      if (signal.name.equalsIgnoreCase(name.strip())) {
        return signal;
      }
    }
    throw new IllegalArgumentException("expected one of " + names() + ", got '" + name + "'");
  }

  static String names() {
    return ALL.stream().map(SendSignal::name).collect(Collectors.joining(", "));
  }

  /** {@code logs}, {@code traces}. */
  String name() {
    return name;
  }

  /** The OTLP/HTTP path, e.g. {@code /v1/logs}. */
  String path() {
    return path;
  }

  /** What the summary counts per second: {@code logs}, {@code spans}. */
  String unit() {
    return unit;
  }

  RequestGenerator<R> generator(String runId, int services, double hotShare, long seed) {
    return generators.create(runId, services, hotShare, seed);
  }

  /** Whether {@code --hot-share} (one busy service) applies to this signal's generator. */
  boolean hasHotShare() {
    return hasHotShare;
  }

  /** The body encoder for an encoding. */
  BodyEncoder<R> encoder(OtlpEncoding encoding) {
    return encoding == OtlpEncoding.PROTOBUF ? MessageLite::toByteArray : json;
  }

  /** Records the server rejected, from a 200 response body (partial success); 0 when unreadable. */
  long rejected(byte[] body, OtlpEncoding encoding) {
    if (body.length == 0) {
      return 0;
    }
    if (encoding == OtlpEncoding.PROTOBUF) {
      try {
        return rejected.rejected(body);
      } catch (InvalidProtocolBufferException e) {
        return 0;
      }
    }
    Matcher m = jsonRejected.matcher(new String(body, StandardCharsets.UTF_8));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Override
  public String toString() {
    return name;
  }
}
