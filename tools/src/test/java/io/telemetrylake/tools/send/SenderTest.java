package io.telemetrylake.tools.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.telemetrylake.otlp.OtlpEncoding;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender against a scripted HTTP server: retries as the OTel SDKs do. */
class SenderTest {
  private Javalin server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void retriesAfter429And503HonouringRetryAfterThenReportsPartialSuccess() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    byte[] partial = ExportLogsServiceResponse.newBuilder()
        .setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(2)).build().toByteArray();
    server = Javalin.create(c -> c.showJavalinBanner = false).post("/v1/logs", ctx -> {
      switch (calls.incrementAndGet()) {
        case 1 -> ctx.status(429).header("Retry-After", "0");
        case 2 -> ctx.status(503).header("Retry-After", "0");
        default -> ctx.status(200).contentType("application/x-protobuf").result(partial);
      }
    }).start("127.0.0.1", 0);
    SendStats stats = new SendStats();

    Sender.Outcome outcome = sender(stats).send(new byte[] {1});

    assertThat(outcome).isEqualTo(new Sender.Outcome(true, 2));
    assertThat(calls.get()).isEqualTo(3);
    assertThat(stats.retries.get()).isEqualTo(2);
    assertThat(stats.statuses()).containsEntry("429", 1L).containsEntry("503", 1L).containsEntry("200", 1L);
  }

  @Test
  void doesNotRetryFinalErrors() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    server = Javalin.create(c -> c.showJavalinBanner = false)
        .post("/v1/logs", ctx -> ctx.status(400).result("bad " + calls.incrementAndGet()))
        .start("127.0.0.1", 0);

    Sender.Outcome outcome = sender(new SendStats()).send(new byte[] {1});

    assertThat(outcome.acknowledged()).isFalse();
    assertThat(calls.get()).isEqualTo(1);
  }

  private Sender sender(SendStats stats) {
    return new Sender(SendSignal.LOGS, URI.create("http://127.0.0.1:" + server.port() + "/v1/logs"), OtlpEncoding.PROTOBUF,
        false, null, Duration.ofSeconds(5), 5, stats);
  }

  @Test
  void readsRejectedSpansFromATracesPartialSuccess() throws Exception {
    byte[] partial = ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(3)).build().toByteArray();
    server = Javalin.create(c -> c.showJavalinBanner = false)
        .post("/v1/traces", ctx -> ctx.status(200).contentType("application/x-protobuf").result(partial))
        .start("127.0.0.1", 0);
    Sender sender = new Sender(SendSignal.TRACES, URI.create("http://127.0.0.1:" + server.port() + "/v1/traces"),
        OtlpEncoding.PROTOBUF, false, null, Duration.ofSeconds(5), 0, new SendStats());

    assertThat(sender.send(new byte[] {1})).isEqualTo(new Sender.Outcome(true, 3));
  }

  @Test
  void readsEachSignalsRejectedCountFromJson() {
    byte[] traces = "{\"partialSuccess\":{\"rejectedSpans\":\"4\",\"errorMessage\":\"bad\"}}".getBytes(StandardCharsets.UTF_8);
    byte[] logs = "{\"partialSuccess\":{\"rejectedLogRecords\":5}}".getBytes(StandardCharsets.UTF_8);

    assertThat(SendSignal.TRACES.rejected(traces, OtlpEncoding.JSON)).isEqualTo(4);
    assertThat(SendSignal.LOGS.rejected(logs, OtlpEncoding.JSON)).isEqualTo(5);
    assertThat(SendSignal.LOGS.rejected(traces, OtlpEncoding.JSON)).isZero();
    assertThat(SendSignal.TRACES.rejected(new byte[] {(byte) 0xff}, OtlpEncoding.PROTOBUF)).isZero();
  }
}
