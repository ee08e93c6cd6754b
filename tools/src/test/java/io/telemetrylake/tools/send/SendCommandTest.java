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
  void refusesAHotShareOutOfRangeForTracesOrWithOneService() {
    for (List<String> args : List.of(List.of("--hot-share", "1.5"), List.of("--hot-share", "0.9", "--signal", "traces"),
        List.of("--hot-share", "0.9", "--services", "1"))) {
      StringWriter err = new StringWriter();
      List<String> all = new java.util.ArrayList<>(args);
      all.addAll(List.of("--endpoint", "http://127.0.0.1:9/v1/logs"));
      int exit = new CommandLine(new SendCommand()).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));

      assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).startsWith("--hot-share ");
    }
  }

  @Test
  void sendsNineTenthsOfTheRecordsFromTheBusyServiceWithHotShare() {
    java.util.Map<String, Integer> perService = new java.util.concurrent.ConcurrentHashMap<>();
    server = Javalin.create(c -> c.showJavalinBanner = false).post("/v1/logs", ctx -> {
      ExportLogsServiceRequest request = ExportLogsServiceRequest.parseFrom(ctx.bodyAsBytes());
      assertThat(request.getResourceLogsCount()).isEqualTo(1);
      String service = request.getResourceLogs(0).getResource().getAttributes(0).getValue().getStringValue();
      perService.merge(service, request.getResourceLogs(0).getScopeLogs(0).getLogRecordsCount(), Integer::sum);
      ctx.status(200);
    }).start("127.0.0.1", 0);

    int exit = new CommandLine(new SendCommand()).setOut(new PrintWriter(new StringWriter())).execute("--no-gzip",
        "--endpoint", "http://127.0.0.1:" + server.port() + "/v1/logs", "--count", "20000", "--batch", "10",
        "--resources", "1", "--services", "8", "--hot-share", "0.9", "-c", "1", "--run-id", "skew");

    assertThat(exit).isZero();
    assertThat(perService.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(20_000);
    assertThat(perService).hasSize(8);
    // 2,000 requests (one thread, a fixed run id: the same draws every time): 90 % +- 2 % from
    // checkout, the rest spread over the other seven
    assertThat(perService.get("checkout")).isBetween(17_600, 18_400);
    assertThat(perService).allSatisfy((service, records) -> {
      if (!service.equals("checkout")) {
        assertThat(records).as(service).isBetween(100, 550);
      }
    });
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
