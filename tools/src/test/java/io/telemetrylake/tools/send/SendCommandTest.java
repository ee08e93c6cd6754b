package io.telemetrylake.tools.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SendCommandTest {
  private Javalin server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void gzipsByDefaultAndPlainWithNoGzip() {
    SendCommand byDefault = new SendCommand();
    new CommandLine(byDefault).parseArgs();
    SendCommand plain = new SendCommand();
    new CommandLine(plain).parseArgs("--no-gzip");
    SendCommand explicit = new SendCommand();
    new CommandLine(explicit).parseArgs("--gzip");

    assertThat(byDefault.gzip).isTrue();
    assertThat(plain.gzip).isFalse();
    assertThat(explicit.gzip).isTrue();
  }

  @Test
  void sendsLogsByDefaultAndTracesWithSignalTraces() {
    SendCommand byDefault = new SendCommand();
    new CommandLine(byDefault).parseArgs();
    SendCommand traces = new SendCommand();
    new CommandLine(traces).parseArgs("--signal", "TRACES");

    assertThat(byDefault.signal).isSameAs(SendSignal.LOGS);
    assertThat(traces.signal).isSameAs(SendSignal.TRACES);
  }

  @Test
  void postsToTheSignalsPathUnlessAnEndpointIsGiven() {
    SendCommand explicit = new SendCommand();
    new CommandLine(explicit).parseArgs("--signal", "traces", "--endpoint", "http://collector:4318/custom");

    assertThat(SendCommand.defaultEndpoint(null, SendSignal.LOGS)).isEqualTo(URI.create("http://127.0.0.1:4318/v1/logs"));
    assertThat(SendCommand.defaultEndpoint("http://ingester:4318/", SendSignal.TRACES))
        .isEqualTo(URI.create("http://ingester:4318/v1/traces"));
    assertThat(explicit.endpoint()).isEqualTo(URI.create("http://collector:4318/custom"));
  }

  @Test
  void rejectsAnUnknownSignal() {
    assertThatThrownBy(() -> new CommandLine(new SendCommand()).parseArgs("--signal", "metrics"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--signal': expected one of logs, traces, got 'metrics'");
  }

  @Test
  void refusesAnUnknownEncoding() {
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new SendCommand()).setErr(new PrintWriter(err))
        .execute("--encoding", "xml", "--endpoint", "http://127.0.0.1:9/v1/logs");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("--encoding must be protobuf or json, got 'xml'");
  }

  @Test
  void sendsGzippedProtobufSpansToV1Traces() {
    List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
    server = Javalin.create(c -> c.showJavalinBanner = false).post("/v1/traces", ctx -> {
      assertThat(ctx.header("Content-Type")).isEqualTo("application/x-protobuf");
      assertThat(ctx.header("Content-Encoding")).isEqualTo("gzip");
      received.add(ExportTraceServiceRequest.parseFrom(gunzip(ctx.bodyAsBytes())));
      ctx.status(200).contentType("application/x-protobuf").result(new byte[0]);
    }).start("127.0.0.1", 0);
    StringWriter out = new StringWriter();

    int exit = new CommandLine(new SendCommand()).setOut(new PrintWriter(out)).execute("--signal", "traces",
        "--endpoint", "http://127.0.0.1:" + server.port() + "/v1/traces", "--count", "120", "--batch", "50", "-c", "2");

    assertThat(exit).isZero();
    assertThat(received).hasSize(3);
    assertThat(received.stream().mapToInt(r -> r.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream()).mapToInt(ss -> ss.getSpansCount()).sum()).sum()).isEqualTo(120);
    assertThat(out.toString()).contains("records accepted 120, rejected 0, failed 0").contains(" spans/s");
  }

  @Test
  void stillSendsLogsToV1Logs() {
    List<ExportLogsServiceRequest> received = new CopyOnWriteArrayList<>();
    server = Javalin.create(c -> c.showJavalinBanner = false).post("/v1/logs", ctx -> {
      received.add(ExportLogsServiceRequest.parseFrom(ctx.bodyAsBytes()));
      ctx.status(200);
    }).start("127.0.0.1", 0);
    StringWriter out = new StringWriter();

    int exit = new CommandLine(new SendCommand()).setOut(new PrintWriter(out)).execute("--no-gzip",
        "--endpoint", "http://127.0.0.1:" + server.port() + "/v1/logs", "--count", "30", "--batch", "10", "-c", "1");

    assertThat(exit).isZero();
    assertThat(received).hasSize(3);
    assertThat(out.toString()).contains("records accepted 30").contains(" logs/s");
  }

  private static byte[] gunzip(byte[] body) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
