package io.telemetrylake.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpJsonEncoder;
import io.telemetrylake.otlp.OtlpTracesDecoder;
import io.telemetrylake.samples.OtlpSamples;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.SpanRowMapper;
import io.telemetrylake.tools.send.SpanGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traces end to end, as {@link PipelineIT} does for logs: spans over HTTP from the OpenTelemetry
 * Java SDK, its OTLP/JSON, our generator and the OpenTelemetry project's sample, and the traces
 * table read back with Iceberg's own reader and compared field for field with what {@link
 * SpanRowMapper} makes of the very request that was sent.
 */
@ExtendWith(E2eStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracesPipelineIT {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  Lake lake;

  @BeforeAll
  void start(E2eStack stack) {
    lake = Lake.start(stack, "e2e-traces", Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    lake.close();
  }

  @Test
  void everySpanTheOpenTelemetryJavaSdkExportsArrivesWithEveryField() throws Exception {
    Recording exporter = new Recording(OtlpHttpSpanExporter.builder()
        .setEndpoint(lake.tracesUri().toString()).setCompression("gzip").build());

    emitTraces(exporter, "sdk-protobuf");

    assertThat(exporter.results).as("exports").hasSizeGreaterThan(1)
        .allSatisfy(r -> assertThat(r.join(30, TimeUnit.SECONDS).isSuccess()).as("export succeeded").isTrue());
    assertLandsFieldForField(otlp(exporter.spans));
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void everySpanInTheSdksOwnOtlpJsonArrivesWithEveryField(boolean gzip) throws Exception {
    // The Java SDK's exporter sends protobuf only; its marshaler also writes OTLP/JSON, as the JS SDK sends.
    Recording kept = new Recording(null);
    emitTraces(kept, "sdk-json-" + gzip);
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(kept.spans).writeJsonTo(json);

    assertThat(lake.post(lake.tracesUri(), json.toByteArray(), OtlpEncoding.JSON, gzip).statusCode()).isEqualTo(200);

    // expected from the protobuf encoding of the same spans: the JSON must decode to the same values
    assertLandsFieldForField(otlp(kept.spans));
  }

  @Test
  void everyGeneratedSpanArrivesOnceWithItsValuesInBothEncodingsWithAndWithoutGzip() throws Exception {
    SpanGenerator generator = new SpanGenerator("tenc", 8, 7);
    List<SpanRow> expected = new ArrayList<>();
    long seq = 0;
    for (OtlpEncoding encoding : OtlpEncoding.values()) {
      for (boolean gzip : new boolean[] {false, true}) {
        ExportTraceServiceRequest request = generator.request(seq, 250, 4, System.currentTimeMillis() * 1_000_000L);
        seq += 250;
        byte[] body = encoding == OtlpEncoding.PROTOBUF
            ? request.toByteArray()
            : OtlpJsonEncoder.encode(request, OtlpJsonEncoder.Style.OTLP);
        assertThat(lake.post(lake.tracesUri(), body, encoding, gzip).statusCode()).as("%s gzip=%s", encoding, gzip)
            .isEqualTo(200);
        expected.addAll(SpanRowMapper.toRows(request, 0));
      }
    }
    Map<String, SpanRow> byId = byKey(expected, TracesPipelineIT::lakeId);

    Map<String, SpanRow> actual = byKey(awaitSpans(row -> lakeId(row).startsWith("tenc-"), byId.size()), TracesPipelineIT::lakeId);

    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(byId.keySet());
    byId.forEach((id, row) -> assertThat(actual.get(id)).as(id).isEqualTo(row));
    assertThat(actual.values()).extracting(SpanRow::serviceName).doesNotContainNull().hasSizeGreaterThan(1);
    assertThat(actual.values()).extracting(SpanRow::statusCode).contains("STATUS_CODE_ERROR");
  }

  @Test
  void theOpenTelemetryProjectsTraceSampleLandsFieldForField() throws Exception {
    byte[] sample = new OtlpSamples.Sample("traces/trace.json").bytes();
    ExportTraceServiceRequest decoded = OtlpTracesDecoder.decode(sample, OtlpEncoding.JSON);

    assertThat(lake.post(lake.tracesUri(), sample, OtlpEncoding.JSON, false).statusCode()).isEqualTo(200);

    // The sample's span has its start time, so no row takes the appender's fallback (the time Kafka
    // took the record); a sample without one would show here as a timestamp of -1 expected.
    List<SpanRow> expected = SpanRowMapper.toRows(decoded, -1);
    assertThat(expected).extracting(SpanRow::timestampMicros).containsOnly(1_544_712_660_000_000L);
    assertThat(expected).extracting(SpanRow::traceId).containsOnly("5b8efff798038103d269b633813fc60c");
    assertLandsFieldForField(decoded);
  }

  @ParameterizedTest
  @EnumSource(OtlpEncoding.class)
  void metricsAreAnswered404InTheOtlpStatusFormatOfTheRequest(OtlpEncoding encoding) throws Exception {
    ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("queue.depth").setGauge(Gauge.newBuilder()
                .addDataPoints(NumberDataPoint.newBuilder().setAsInt(3).setTimeUnixNano(1)))))).build();
    byte[] body = encoding == OtlpEncoding.PROTOBUF
        ? metrics.toByteArray()
        : "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"queue.depth\"}]}]}]}".getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> response = lake.post(lake.ingesterUri().resolve("/v1/metrics"), body, encoding, true);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith(encoding.contentType()));
    // google.rpc.Status: code = 1 (5, NOT_FOUND), message = 2
    int code;
    String message;
    if (encoding == OtlpEncoding.PROTOBUF) {
      UnknownFieldSet status = UnknownFieldSet.parseFrom(response.body());
      code = Math.toIntExact(status.getField(1).getVarintList().get(0));
      message = status.getField(2).getLengthDelimitedList().get(0).toStringUtf8();
    } else {
      String json = new String(response.body(), StandardCharsets.UTF_8);
      assertThat(json).startsWith("{").endsWith("}");
      code = Integer.parseInt(json.replaceAll("(?s).*\"code\"\\s*:\\s*(\\d+).*", "$1"));
      message = json.replaceAll("(?s).*\"message\"\\s*:\\s*\"([^\"]*)\".*", "$1");
    }
    assertThat(code).isEqualTo(5);
    assertThat(message).contains("/v1/metrics").contains("/v1/logs").contains("/v1/traces");
  }

  // ---- the SDK side

  /** Passes spans on (to nowhere without a delegate) and keeps every span and export result. */
  private static final class Recording implements SpanExporter {
    final List<SpanData> spans = new CopyOnWriteArrayList<>();
    final List<CompletableResultCode> results = new CopyOnWriteArrayList<>();
    private final SpanExporter delegate;

    Recording(SpanExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      CompletableResultCode result = delegate == null ? CompletableResultCode.ofSuccess() : delegate.export(batch);
      results.add(result);
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate == null ? CompletableResultCode.ofSuccess() : delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate == null ? CompletableResultCode.ofSuccess() : delegate.shutdown();
    }
  }

  /**
   * Traces that use every span field the SDK can set: a SERVER span under a remote parent with a
   * trace state, children of every other kind, attributes of every type, events (one an exception),
   * links with attributes and trace states, ERROR and OK statuses, and one span over each limit
   * (attributes, events, links, attributes per event and per link) so the dropped counts are not 0.
   * Exported in batches of 50, so several requests.
   */
  private static void emitTraces(SpanExporter exporter, String service) {
    SpanLimits limits = SpanLimits.builder().setMaxNumberOfAttributes(16).setMaxNumberOfEvents(4)
        .setMaxNumberOfLinks(2).setMaxNumberOfAttributesPerEvent(3).setMaxNumberOfAttributesPerLink(3).build();
    // the SDK's default attributes (telemetry.sdk.*) and ours, with a schema URL
    Resource resource = Resource.create(Resource.getDefault().getAttributes().toBuilder()
        .put(SERVICE_NAME, service).put("deployment.environment.name", "e2e").build(),
        "https://opentelemetry.io/schemas/1.26.0");
    SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource).setSpanLimits(limits)
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxExportBatchSize(50).build()).build();
    try {
      Tracer tracer = provider.tracerBuilder("io.telemetrylake.e2e").setInstrumentationVersion("1.2.3")
          .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0").build();
      Instant start = Instant.now().minusSeconds(60);
      for (int n = 0; n < 20; n++) {
        trace(tracer, start.plusMillis(n * 100L), n);
      }
      assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).as("SDK flush").isTrue();
    } finally {
      provider.shutdown().join(30, TimeUnit.SECONDS);
    }
  }

  private static void trace(Tracer tracer, Instant t0, int n) {
    IdGenerator ids = IdGenerator.random();
    SpanContext remoteParent = SpanContext.createFromRemoteParent(ids.generateTraceId(), ids.generateSpanId(),
        TraceFlags.getSampled(), TraceState.builder().put("lake", "e2e").put("vendor", "v" + n).build());
    SpanContext earlier = SpanContext.create(ids.generateTraceId(), ids.generateSpanId(), TraceFlags.getDefault(),
        TraceState.builder().put("retry", Integer.toString(n)).build());

    Span server = tracer.spanBuilder("POST /api/orders/{id}").setSpanKind(SpanKind.SERVER)
        .setParent(Context.root().with(Span.wrap(remoteParent))).setStartTimestamp(t0)
        .setAttribute("http.request.method", "POST")
        .setAttribute("http.response.status_code", 500L)
        .setAttribute("server.sampled", true)
        .setAttribute("load.ratio", 0.75 + n)
        .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b\"quoted\"", "ü"))
        .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
        .setAttribute(AttributeKey.longArrayKey("sizes"), List.of(1L, -2L, Long.MAX_VALUE))
        .setAttribute(AttributeKey.doubleArrayKey("weights"), List.of(0.5, -1.25))
        .addLink(earlier, Attributes.of(AttributeKey.stringKey("link.reason"), "retry of", AttributeKey.longKey("attempt"), 2L))
        .startSpan();
    server.addEvent("cache miss", Attributes.of(AttributeKey.stringKey("cache.key"), "order:" + n,
        AttributeKey.booleanKey("cache.cold"), true), t0.plusMillis(1));
    Context inServer = Context.root().with(server);

    Span client = child(tracer, inServer, "GET payments", SpanKind.CLIENT, t0.plusMillis(2))
        .setAttribute("url.full", "http://payments/api/payments/" + n);
    Span internal = child(tracer, Context.root().with(client), "sign request", SpanKind.INTERNAL, t0.plusMillis(3));
    internal.setStatus(StatusCode.OK);
    internal.end(t0.plusMillis(4));
    client.recordException(new IllegalStateException("payments answered 503"), Attributes.of(
        AttributeKey.stringKey("peer.service"), "payments"));
    client.setStatus(StatusCode.ERROR, "payments unavailable");
    client.end(t0.plusMillis(20));

    Span producer = child(tracer, inServer, "orders publish", SpanKind.PRODUCER, t0.plusMillis(21));
    producer.end(t0.plusMillis(22));
    Span consumer = tracer.spanBuilder("orders process").setSpanKind(SpanKind.CONSUMER).setParent(inServer)
        .addLink(producer.getSpanContext()).setStartTimestamp(t0.plusMillis(23)).startSpan();
    consumer.end(t0.plusMillis(25));

    Span overLimits = child(tracer, inServer, "over the limits", SpanKind.INTERNAL, t0.plusMillis(26));
    AttributesBuilder many = Attributes.builder();
    for (int a = 0; a < 20; a++) {
      overLimits.setAttribute("attr." + a, a);
      many.put("event.attr." + a, a);
    }
    for (int e = 0; e < 6; e++) {
      overLimits.addEvent("event " + e, many.build(), t0.plusMillis(27));
    }
    overLimits.end(t0.plusMillis(28));
    Span linksOverLimits = tracer.spanBuilder("many links").setParent(inServer)
        .addLink(earlier, many.build()).addLink(producer.getSpanContext()).addLink(consumer.getSpanContext())
        .setStartTimestamp(t0.plusMillis(28)).startSpan();
    linksOverLimits.end(t0.plusMillis(29));

    server.setStatus(StatusCode.ERROR, "order " + n + " failed: payments unavailable");
    server.end(t0.plusMillis(30));
  }

  private static Span child(Tracer tracer, Context parent, String name, SpanKind kind, Instant start) {
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).setStartTimestamp(start).startSpan();
  }

  /** The OTLP request the SDK makes of these spans, by its own marshaler. */
  private static ExportTraceServiceRequest otlp(Collection<SpanData> spans) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(out);
    return ExportTraceServiceRequest.parseFrom(out.toByteArray());
  }

  // ---- checks

  /** Every span of the request is in the table once, every field equal to what the row mapping makes of it. */
  private void assertLandsFieldForField(ExportTraceServiceRequest request) {
    Map<String, SpanRow> expected = byKey(SpanRowMapper.toRows(request, -1), TracesPipelineIT::key);
    assertThat(expected).isNotEmpty();
    if (expected.size() > 1) { // the SDK's spans (the sample is a single span)
      assertEveryFieldIsSetSomewhere(expected.values());
    }

    Map<String, SpanRow> actual = byKey(awaitSpans(row -> expected.containsKey(key(row)), expected.size()), TracesPipelineIT::key);

    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach((key, row) -> assertThat(actual.get(key)).as(key).isEqualTo(row));
  }

  /**
   * Guards the fixture: each field of the rows, events and links differs from its default in some
   * row, or comparing rows proves little about it. Scope attributes are the exception: the Java API
   * cannot set them (the sample has them).
   */
  private static void assertEveryFieldIsSetSomewhere(Collection<SpanRow> rows) {
    List<SpanRow.Event> events = rows.stream().flatMap(r -> r.events().stream()).toList();
    List<SpanRow.Link> links = rows.stream().flatMap(r -> r.links().stream()).toList();
    assertSet(SpanRow.class, rows, "scopeAttributes");
    assertSet(SpanRow.Event.class, events);
    assertSet(SpanRow.Link.class, links);
    assertThat(rows).extracting(SpanRow::spanKind).contains("SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
        "SPAN_KIND_INTERNAL", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER");
    assertThat(rows).extracting(SpanRow::statusCode).contains("STATUS_CODE_ERROR", "STATUS_CODE_OK", "STATUS_CODE_UNSET");
  }

  private static <T extends Record> void assertSet(Class<T> type, Collection<T> values, String... exceptions) {
    for (RecordComponent field : type.getRecordComponents()) {
      if (List.of(exceptions).contains(field.getName())) {
        continue;
      }
      assertThat(values).as("%s.%s set somewhere", type.getSimpleName(), field.getName())
          .anyMatch(v -> isSet(read(field, v)));
    }
  }

  private static Object read(RecordComponent field, Object record) {
    try {
      return field.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isSet(Object value) {
    if (value instanceof Number n) {
      return n.longValue() != 0;
    }
    if (value instanceof String s) {
      return !s.isEmpty();
    }
    if (value instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (value instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return value != null;
  }

  /** The table's spans that {@code wanted} accepts, once there are at least {@code count} of them. */
  private List<SpanRow> awaitSpans(Predicate<SpanRow> wanted, int count) {
    List<SpanRow> matching = new ArrayList<>();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      lake.flush();
      matching.clear();
      lake.spans().stream().filter(wanted).forEach(matching::add);
      return matching.size() >= count;
    });
    return matching;
  }

  private static String key(SpanRow row) {
    return row.traceId() + "/" + row.spanId();
  }

  private static String lakeId(SpanRow row) {
    return row.spanAttributes().getOrDefault(SpanGenerator.ID_ATTRIBUTE, "");
  }

  /** Rows by key; a key twice fails (a span landed twice). */
  private static Map<String, SpanRow> byKey(Collection<SpanRow> rows, Function<SpanRow, String> key) {
    return rows.stream().collect(Collectors.toMap(key, Function.identity(), (a, b) -> {
      throw new AssertionError("span twice: " + key.apply(a));
    }));
  }
}
