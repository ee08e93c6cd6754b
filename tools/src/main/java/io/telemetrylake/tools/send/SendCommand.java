package io.telemetrylake.tools.send;

import com.google.protobuf.MessageLite;
import io.telemetrylake.otlp.OtlpEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lake send}: an OTLP/HTTP load generator that behaves like the OpenTelemetry SDKs. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = "Send realistic OTLP log or trace batches to an OTLP/HTTP endpoint and report what happened.")
public final class SendCommand implements Callable<Integer> {
  static final String DEFAULT_INGESTER = "http://127.0.0.1:4318";

  @Option(
      names = "--signal",
      converter = SignalConverter.class,
      description = "logs or traces: what to generate and where to post it (default: logs)")
  SendSignal<?> signal = SendSignal.LOGS;

  @Option(
      names = "--endpoint",
      description = "OTLP/HTTP URL (default: $LAKE_INGESTER_URL, which ./lake up sets, else " + DEFAULT_INGESTER
          + "; with the signal's path /v1/logs or /v1/traces)")
  URI endpoint;

  @Option(names = {"-n", "--count"}, description = "log records, or spans with --signal traces, to send (default: ${DEFAULT-VALUE})")
  long count = 10_000;

  @Option(names = "--duration", description = "send for this many seconds instead of a count")
  Integer durationSeconds;

  @Option(names = "--rate", description = "records (spans) per second; 0 = as fast as possible (default: ${DEFAULT-VALUE})")
  double rate = 0;

  @Option(names = "--batch", description = "records (spans) per request (default: ${DEFAULT-VALUE})")
  int batch = 500;

  @Option(names = "--resources", description = "resources (services) per request (default: ${DEFAULT-VALUE})")
  int resources = 2;

  @Option(names = "--services", description = "distinct services (default: ${DEFAULT-VALUE})")
  int services = 8;

  @Option(
      names = "--hot-share",
      description = "skewed traffic: this share (0 to 1) of the resources, and so of the records, comes from the first"
          + " service (checkout), the other services share the rest evenly; with --resources 1 each request is one"
          + " service's, as from an SDK. Logs only (default: every service alike)")
  double hotShare = 0;

  @Option(names = {"-c", "--connections"}, description = "concurrent connections (default: ${DEFAULT-VALUE})")
  int connections = 4;

  @Option(names = "--encoding", description = "protobuf or json (default: ${DEFAULT-VALUE})")
  String encoding = "protobuf";

  @Option(
      names = "--gzip",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "gzip request bodies; --no-gzip sends them plain (default: ${DEFAULT-VALUE})")
  boolean gzip;

  @Option(names = "--token", description = "bearer token")
  String token;

  @Option(names = "--pool", description = "reuse this many pre-encoded requests (saves client CPU in benchmarks; ids repeat); 0 = every request fresh (default: ${DEFAULT-VALUE})")
  int pool = 0;

  @Option(names = "--max-retries", description = "retries per request on 429/503/connection errors (default: ${DEFAULT-VALUE})")
  int maxRetries = 20;

  @Option(names = "--timeout", description = "per-request timeout in seconds (default: ${DEFAULT-VALUE})")
  int timeoutSeconds = 10;

  @Option(names = "--run-id", description = "prefix of the records' (spans') lake.id attribute (default: random)")
  String runId = UUID.randomUUID().toString().substring(0, 8);

  @Option(names = "--acked-ids", description = "append one line '<run-id> <first-seq> <count>' per acknowledged request to this file")
  Path ackedIds;

  @Option(names = "--json", description = "print the summary as JSON")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    return send(signal);
  }

  /** The endpoint to post to: {@code --endpoint}, else the ingester's base URL plus the signal's path. */
  URI endpoint() {
    return endpoint != null ? endpoint : defaultEndpoint(System.getenv("LAKE_INGESTER_URL"), signal);
  }

  static URI defaultEndpoint(String ingesterUrl, SendSignal<?> signal) {
    String base = ingesterUrl == null || ingesterUrl.isBlank() ? DEFAULT_INGESTER : ingesterUrl.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + signal.path());
  }

  /** {@code --encoding}, checked. */
  private OtlpEncoding encoding() {
    return switch (encoding.toLowerCase(Locale.ROOT)) {
      case "protobuf", "proto" -> OtlpEncoding.PROTOBUF;
      case "json" -> OtlpEncoding.JSON;
      default -> throw new ParameterException(spec.commandLine(), "--encoding must be protobuf or json, got '" + encoding + "'");
    };
  }

  private void checkHotShare(SendSignal<?> signal) {
    if (!(hotShare >= 0 && hotShare <= 1)) {
      throw new ParameterException(spec.commandLine(), "--hot-share must be between 0 and 1, got " + hotShare);
    }
    if (hotShare > 0 && !signal.hasHotShare()) {
      throw new ParameterException(spec.commandLine(), "--hot-share applies to --signal logs only");
    }
    if (hotShare > 0 && services < 2) {
      throw new ParameterException(spec.commandLine(), "--hot-share needs --services 2 or more");
    }
  }

  private <R extends MessageLite> SendSignal.BodyEncoder<R> bodyEncoder(SendSignal<R> signal, OtlpEncoding enc) {
    return signal.encoder(enc);
  }

  private <R extends MessageLite> int send(SendSignal<R> signal) throws Exception {
    OtlpEncoding enc = encoding();
    checkHotShare(signal);
    SendSignal.BodyEncoder<R> encoder = bodyEncoder(signal, enc);
    URI target = endpoint();
    SendStats stats = new SendStats();
    RequestGenerator<R> generator = signal.generator(runId, services, hotShare, runId.hashCode());
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < pool; i++) {
      payloads.add(encode(generator.request((long) i * batch, batch, resources, System.currentTimeMillis() * 1_000_000L), encoder));
    }
    long total = durationSeconds != null ? Long.MAX_VALUE : count;
    long deadline = durationSeconds != null ? System.nanoTime() + durationSeconds * 1_000_000_000L : Long.MAX_VALUE;
    AtomicLong next = new AtomicLong();
    PrintWriter acked = ackedIds == null ? null : new PrintWriter(Files.newBufferedWriter(ackedIds, StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND));
    long start = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < connections; w++) {
      Sender sender = new Sender(signal, target, enc, gzip, token, Duration.ofSeconds(timeoutSeconds), maxRetries, stats);
      RequestGenerator<R> own = signal.generator(runId, services, hotShare, runId.hashCode() * 31L + w);
      Thread t = new Thread(() -> work(sender, own, payloads, encoder, next, total, deadline, start, stats, acked), "send-" + w);
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (acked != null) {
      acked.close();
    }
    print(stats, seconds, signal.unit(), spec.commandLine().getOut());
    return stats.recordsFailed.get() == 0 ? 0 : 1;
  }

  private <R> void work(Sender sender, RequestGenerator<R> generator, List<byte[]> payloads, SendSignal.BodyEncoder<R> encoder,
      AtomicLong next, long total, long deadline, long start, SendStats stats, PrintWriter acked) {
    try {
      while (System.nanoTime() < deadline) {
        long first = next.getAndAdd(batch);
        if (first >= total) {
          return;
        }
        int n = (int) Math.min(batch, total - first);
        if (rate > 0) {
          long due = start + (long) (first / rate * 1e9);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
        byte[] body;
        if (payloads.isEmpty()) {
          body = encode(generator.request(first, n, resources, System.currentTimeMillis() * 1_000_000L), encoder);
        } else {
          body = payloads.get((int) ((first / batch) % payloads.size()));
          n = batch;
        }
        Sender.Outcome outcome = sender.send(body);
        if (outcome.acknowledged()) {
          stats.recordsAccepted.addAndGet(n - outcome.rejectedRecords());
          stats.recordsRejected.addAndGet(outcome.rejectedRecords());
          if (acked != null) {
            synchronized (acked) {
              // Flushed at once: a test or an operator reads it while the run goes on.
              acked.println(runId + " " + first + " " + n);
              acked.flush();
            }
          }
        } else {
          stats.recordsFailed.addAndGet(n);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <R> byte[] encode(R request, SendSignal.BodyEncoder<R> encoder) {
    byte[] raw = encoder.encode(request);
    if (!gzip) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private void print(SendStats stats, double seconds, String unit, PrintWriter out) {
    long accepted = stats.recordsAccepted.get();
    double perSecond = accepted / seconds;
    double wireMb = stats.wireBytes.get() / 1e6 / seconds;
    Map<String, Long> statuses = stats.statuses();
    if (json) {
      StringBuilder codes = new StringBuilder();
      statuses.forEach((k, v) -> codes.append(codes.length() == 0 ? "" : ",").append('"').append(k).append("\":").append(v));
      out.printf(Locale.ROOT,
          "{\"run_id\":\"%s\",\"seconds\":%.3f,\"requests\":%d,\"attempts\":%d,\"retries\":%d,\"records_accepted\":%d,"
              + "\"records_rejected\":%d,\"records_failed\":%d,\"records_per_second\":%.1f,\"wire_mb_per_second\":%.3f,"
              + "\"latency_ms\":{\"p50\":%.2f,\"p90\":%.2f,\"p99\":%.2f,\"max\":%.2f},\"statuses\":{%s}}%n",
          runId, seconds, stats.requests.get(), stats.attempts.get(), stats.retries.get(), accepted,
          stats.recordsRejected.get(), stats.recordsFailed.get(), perSecond, wireMb,
          stats.percentileMillis(50), stats.percentileMillis(90), stats.percentileMillis(99), stats.percentileMillis(100), codes);
      out.flush();
      return;
    }
    out.printf(Locale.ROOT, "run %s: %d requests (%d attempts, %d retries) in %.1f s%n",
        runId, stats.requests.get(), stats.attempts.get(), stats.retries.get(), seconds);
    out.printf(Locale.ROOT, "  records accepted %d, rejected %d, failed %d%n",
        accepted, stats.recordsRejected.get(), stats.recordsFailed.get());
    out.printf(Locale.ROOT, "  throughput %.0f %s/s, %.2f MB/s on the wire%n", perSecond, unit, wireMb);
    out.printf(Locale.ROOT, "  latency ms p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
        stats.percentileMillis(50), stats.percentileMillis(90), stats.percentileMillis(99), stats.percentileMillis(100));
    out.printf("  HTTP statuses %s%n", statuses);
    out.flush();
  }

  /** {@code --signal logs|traces}; anything else is a usage error naming the choices. */
  static final class SignalConverter implements CommandLine.ITypeConverter<SendSignal<?>> {
    @Override
    public SendSignal<?> convert(String value) {
      try {
        return SendSignal.named(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
