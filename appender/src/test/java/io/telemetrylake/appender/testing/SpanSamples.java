package io.telemetrylake.appender.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.TraceTable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;

/**
 * Trace requests shaped like the traces topic's values (an {@code ExportTraceServiceRequest} with
 * one {@code ResourceSpans}) that exercise every column of {@link TraceTable}, and spans read back
 * from Parquet as {@link SpanRow}s for comparison with {@code SpanRowMapper}'s.
 */
public final class SpanSamples {
  /** 2025-11-20T23:59:59.999999Z in nanos: spans of one flush on both sides of midnight. */
  public static final long NANOS_BEFORE_MIDNIGHT =
      (Instant.parse("2025-11-20T23:59:59.999999Z").toEpochMilli() * 1000 + 999) * 1000 + 123;

  /** Text that needs JSON escaping: quotes, backslashes, control characters, non-BMP, RTL. */
  public static final String AWKWARD =
      "q\"uote \\back\\slash\\\" /sl/ash \b\f\n\r\t \u0001\u001f\u007f é中 \ud83d\ude00 \ud834\udd1e \u2028 \u05d0\u05d1";

  private SpanSamples() {}

  /**
   * One resource with two scopes: a span with every field set (events, links, status, parent,
   * dropped counts, attributes of every type, awkward text everywhere), spans with empty events
   * and links, no parent, no trace id, no start time, unknown kind and status values, and one
   * after midnight.
   */
  public static ExportTraceServiceRequest everyField(String tracePrefix) {
    Resource resource = Resource.newBuilder()
        .addAttributes(kv("service.name", "checkout " + AWKWARD))
        .addAttributes(kv("host.name", "host-1"))
        .addAttributes(kv("res" + AWKWARD, "v" + AWKWARD))
        .addAttributes(KeyValue.newBuilder().setKey("res.int").setValue(AnyValue.newBuilder().setIntValue(-7)))
        .setDroppedAttributesCount(2)
        .build();
    Span full = Span.newBuilder()
        .setTraceId(id(tracePrefix + "00000000000000000000000001", 16))
        .setSpanId(id("00000000000000a1", 8))
        .setParentSpanId(id("ffffffffffffff01", 8))
        .setTraceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7")
        .setName("GET /cart/{id} " + AWKWARD)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(NANOS_BEFORE_MIDNIGHT - 5_000_000_000L)
        .setEndTimeUnixNano(NANOS_BEFORE_MIDNIGHT - 4_987_654_321L)
        .addAttributes(kv("http.route", "/cart/{id}"))
        .addAttributes(kv("key" + AWKWARD, "value" + AWKWARD))
        .addAttributes(kv("", "empty key"))
        .addAttributes(kv("empty.value", ""))
        .addAttributes(KeyValue.newBuilder().setKey("int").setValue(AnyValue.newBuilder().setIntValue(Long.MIN_VALUE)))
        .addAttributes(KeyValue.newBuilder().setKey("double").setValue(AnyValue.newBuilder().setDoubleValue(0.125)))
        .addAttributes(KeyValue.newBuilder().setKey("nan").setValue(AnyValue.newBuilder().setDoubleValue(Double.NaN)))
        .addAttributes(KeyValue.newBuilder().setKey("bool").setValue(AnyValue.newBuilder().setBoolValue(true)))
        .addAttributes(KeyValue.newBuilder().setKey("bytes")
            .setValue(AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xfe}))))
        .addAttributes(KeyValue.newBuilder().setKey("array").setValue(AnyValue.newBuilder().setArrayValue(
            ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("a\"b"))
                .addValues(AnyValue.newBuilder().setIntValue(2)))))
        .addAttributes(KeyValue.newBuilder().setKey("kvlist").setValue(AnyValue.newBuilder().setKvlistValue(
            KeyValueList.newBuilder().addValues(kv("inner", AWKWARD)))))
        .addAttributes(KeyValue.newBuilder().setKey("unset"))
        .setDroppedAttributesCount(3)
        .addEvents(Span.Event.newBuilder()
            .setTimeUnixNano(NANOS_BEFORE_MIDNIGHT - 4_990_000_000L)
            .setName("exception " + AWKWARD)
            .addAttributes(kv("exception.type", "java.lang.IllegalStateException"))
            .addAttributes(kv("exception.message", "bad \"state\"\n" + AWKWARD))
            .addAttributes(KeyValue.newBuilder().setKey("retry").setValue(AnyValue.newBuilder().setIntValue(3)))
            .setDroppedAttributesCount(4))
        .addEvents(Span.Event.newBuilder()
            // no time, no name, no attributes
            .setDroppedAttributesCount(0))
        .setDroppedEventsCount(5)
        .addLinks(Span.Link.newBuilder()
            .setTraceId(id("0af7651916cd43dd8448eb211c80319c", 16))
            .setSpanId(id("b7ad6b7169203331", 8))
            .setTraceState("vendor=" + AWKWARD)
            .addAttributes(kv("link.kind", "follows \\ from"))
            .addAttributes(kv("link" + AWKWARD, AWKWARD))
            .setDroppedAttributesCount(6)
            .setFlags(0x301))
        .addLinks(Span.Link.newBuilder()) // no ids, no state, no attributes
        .setDroppedLinksCount(7)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("failed: " + AWKWARD))
        .setFlags(0x301)
        .build();
    Span child = Span.newBuilder()
        .setTraceId(id(tracePrefix + "00000000000000000000000001", 16))
        .setSpanId(id("00000000000000a2", 8))
        .setParentSpanId(id("00000000000000a1", 8))
        .setName("SELECT cart")
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(NANOS_BEFORE_MIDNIGHT - 4_999_000_000L)
        .setEndTimeUnixNano(NANOS_BEFORE_MIDNIGHT - 4_998_000_000L)
        .addAttributes(kv("db.system", "postgresql"))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
        .build();
    Span root = Span.newBuilder() // no parent, no events or links, no status
        .setTraceId(id(tracePrefix + "0000000000000000000000000f", 16))
        .setSpanId(id("00000000000000b1", 8))
        .setName("")
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(NANOS_BEFORE_MIDNIGHT)
        .setEndTimeUnixNano(NANOS_BEFORE_MIDNIGHT + 1_000)
        .build();
    Span afterMidnight = Span.newBuilder()
        .setTraceId(id(tracePrefix + "0000000000000000000000000f", 16))
        .setSpanId(id("00000000000000b2", 8))
        .setParentSpanId(id("00000000000000b1", 8))
        .setName("after midnight")
        .setKind(Span.SpanKind.SPAN_KIND_PRODUCER)
        .setStartTimeUnixNano(NANOS_BEFORE_MIDNIGHT + 877)
        .setEndTimeUnixNano(NANOS_BEFORE_MIDNIGHT + 2_000_000)
        .build();
    Span odd = Span.newBuilder() // no trace id (sorts first), no start time, unknown enum values
        .setSpanId(id("00000000000000c1", 8))
        .setName("odd " + tracePrefix)
        .setKindValue(42)
        .setEndTimeUnixNano(NANOS_BEFORE_MIDNIGHT)
        .setStatus(Status.newBuilder().setCodeValue(9))
        .build();
    ScopeSpans scope = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.example.cart").setVersion("1.2.3")
            .addAttributes(kv("scope" + AWKWARD, "s")))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
        .addSpans(full).addSpans(child).addSpans(afterMidnight)
        .build();
    ScopeSpans bareScope = ScopeSpans.newBuilder().addSpans(root).addSpans(odd).build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(resource)
            .setSchemaUrl("https://opentelemetry.io/schemas/1.29.0")
            .addScopeSpans(scope)
            .addScopeSpans(bareScope))
        .build();
  }

  /** A value of {@code count} simple spans of service {@code service}, ids {@code prefix-first..} in span_name. */
  public static ExportTraceServiceRequest simple(String service, String prefix, int first, int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = first; i < first + count; i++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(id(String.format("%032x", (long) prefix.hashCode() * 1_000_003L + i / 4), 16))
          .setSpanId(id(String.format("%016x", i + 1L), 8))
          .setName(prefix + "-" + i)
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(now + i)
          .setEndTimeUnixNano(now + i + 1_000_000));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
            .addScopeSpans(scope))
        .build();
  }

  public static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  public static ByteString id(String hex, int bytes) {
    String padded = hex.length() > bytes * 2
        ? hex.substring(hex.length() - bytes * 2) : "0".repeat(bytes * 2 - hex.length()) + hex;
    return ByteString.copyFrom(HexFormat.of().parseHex(padded));
  }

  /** The span as read back (by field id, through Iceberg's generic Parquet reader). */
  @SuppressWarnings("unchecked")
  public static SpanRow asRow(Record r) {
    List<SpanRow.Event> events = new ArrayList<>();
    for (Record e : (List<Record>) r.getField(TraceTable.EVENTS)) {
      events.add(new SpanRow.Event(
          micros((OffsetDateTime) e.getField(TraceTable.TIMESTAMP)),
          (String) e.getField(TraceTable.NAME),
          (Map<String, String>) e.getField(TraceTable.ATTRIBUTES),
          (Integer) e.getField(TraceTable.DROPPED_ATTRIBUTES_COUNT)));
    }
    List<SpanRow.Link> links = new ArrayList<>();
    for (Record l : (List<Record>) r.getField(TraceTable.LINKS)) {
      links.add(new SpanRow.Link(
          (String) l.getField(TraceTable.TRACE_ID),
          (String) l.getField(TraceTable.SPAN_ID),
          (String) l.getField(TraceTable.TRACE_STATE),
          (Map<String, String>) l.getField(TraceTable.ATTRIBUTES),
          (Integer) l.getField(TraceTable.DROPPED_ATTRIBUTES_COUNT)));
    }
    return new SpanRow(
        micros((OffsetDateTime) r.getField(TraceTable.TIMESTAMP)),
        (String) r.getField(TraceTable.TRACE_ID),
        (String) r.getField(TraceTable.SPAN_ID),
        (String) r.getField(TraceTable.PARENT_SPAN_ID),
        (String) r.getField(TraceTable.TRACE_STATE),
        (String) r.getField(TraceTable.SPAN_NAME),
        (String) r.getField(TraceTable.SPAN_KIND),
        (String) r.getField(TraceTable.SERVICE_NAME),
        (Map<String, String>) r.getField(TraceTable.RESOURCE_ATTRIBUTES),
        (String) r.getField(TraceTable.SCOPE_NAME),
        (String) r.getField(TraceTable.SCOPE_VERSION),
        (Map<String, String>) r.getField(TraceTable.SCOPE_ATTRIBUTES),
        (Map<String, String>) r.getField(TraceTable.SPAN_ATTRIBUTES),
        (Long) r.getField(TraceTable.DURATION),
        (String) r.getField(TraceTable.STATUS_CODE),
        (String) r.getField(TraceTable.STATUS_MESSAGE),
        events,
        links,
        (Integer) r.getField(TraceTable.TRACE_FLAGS),
        (Integer) r.getField(TraceTable.DROPPED_ATTRIBUTES_COUNT),
        (Integer) r.getField(TraceTable.DROPPED_EVENTS_COUNT),
        (Integer) r.getField(TraceTable.DROPPED_LINKS_COUNT),
        (String) r.getField(TraceTable.RESOURCE_SCHEMA_URL),
        (String) r.getField(TraceTable.SCOPE_SCHEMA_URL));
  }

  private static long micros(OffsetDateTime t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t.toInstant());
  }
}
