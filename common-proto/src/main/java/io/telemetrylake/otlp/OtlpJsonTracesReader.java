package io.telemetrylake.otlp;

import static io.telemetrylake.otlp.OtlpJson.nextField;
import static io.telemetrylake.otlp.OtlpJson.readArray;
import static io.telemetrylake.otlp.OtlpJson.readAttributes;
import static io.telemetrylake.otlp.OtlpJson.readHex;
import static io.telemetrylake.otlp.OtlpJson.readInt;
import static io.telemetrylake.otlp.OtlpJson.readLong;
import static io.telemetrylake.otlp.OtlpJson.readString;
import static io.telemetrylake.otlp.OtlpJson.startObject;

import com.fasterxml.jackson.core.JsonParser;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.telemetrylake.otlp.OtlpJson.IntKind;
import java.io.IOException;
import java.util.Map;

/**
 * OTLP/JSON ({@code ExportTraceServiceRequest}) decoder: the traces structure only; the rules and
 * everything signal-neutral are in {@link OtlpJson}. {@code kind} and {@code status.code} are
 * integers, or the enum names ({@code SPAN_KIND_SERVER}, {@code STATUS_CODE_ERROR}); the
 * deprecated {@code status.deprecatedCode} (field 1, now reserved) is skipped like any unknown key.
 */
final class OtlpJsonTracesReader {
  /**
   * How many levels of {@code arrayValue}/{@code kvlistValue} may nest (a top-level attribute
   * value is level 1); one less than for logs. Chosen so that every request accepted here stays
   * within the protobuf recursion limit of {@value OtlpTracesDecoder#PROTOBUF_RECURSION_LIMIT} once
   * re-encoded: span events and links are messages inside the span, so their attribute values sit
   * one level deeper than a log record's. A level-n value inside an event or link attribute sits
   * at protobuf depth 6 + 3(n - 1), and the key values of a level-n key/value list at 3n + 5: 98
   * for n = 31, 101 (too deep) for n = 32. Span, scope and resource attributes sit shallower; one
   * bound for the whole request keeps the rule simple to state.
   */
  static final int MAX_VALUE_DEPTH = 31;

  private static final Map<String, Integer> KIND_BY_NAME =
      OtlpJson.enumNumbers(Span.SpanKind.getDescriptor());
  private static final Map<String, Integer> STATUS_CODE_BY_NAME =
      OtlpJson.enumNumbers(Status.StatusCode.getDescriptor());

  private OtlpJsonTracesReader() {}

  static ExportTraceServiceRequest read(byte[] body) throws OtlpDecodeException {
    return OtlpJson.read(
        body, ExportTraceServiceRequest.getDefaultInstance(), OtlpJsonTracesReader::readRequest);
  }

  private static ExportTraceServiceRequest readRequest(JsonParser p)
      throws IOException, OtlpDecodeException {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "resourceSpans", "resource_spans" ->
            readArray(p, "resourceSpans", () -> b.addResourceSpans(readResourceSpans(p)));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static ResourceSpans readResourceSpans(JsonParser p)
      throws IOException, OtlpDecodeException {
    startObject(p, "a ResourceSpans");
    ResourceSpans.Builder b = ResourceSpans.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "resource" -> b.setResource(OtlpJson.readResource(p, MAX_VALUE_DEPTH));
        case "scopeSpans", "scope_spans" ->
            readArray(p, "scopeSpans", () -> b.addScopeSpans(readScopeSpans(p)));
        case "schemaUrl", "schema_url" -> b.setSchemaUrl(readString(p, "schemaUrl"));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static ScopeSpans readScopeSpans(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "a ScopeSpans");
    ScopeSpans.Builder b = ScopeSpans.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "scope" -> b.setScope(OtlpJson.readScope(p, MAX_VALUE_DEPTH));
        case "spans" -> readArray(p, "spans", () -> b.addSpans(readSpan(p)));
        case "schemaUrl", "schema_url" -> b.setSchemaUrl(readString(p, "schemaUrl"));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static Span readSpan(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "a Span");
    Span.Builder b = Span.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "traceId", "trace_id" -> b.setTraceId(readHex(p, "traceId"));
        case "spanId", "span_id" -> b.setSpanId(readHex(p, "spanId"));
        case "traceState", "trace_state" -> b.setTraceState(readString(p, "traceState"));
        case "parentSpanId", "parent_span_id" -> b.setParentSpanId(readHex(p, "parentSpanId"));
        case "flags" -> b.setFlags(readInt(p, "flags", IntKind.UINT32));
        case "name" -> b.setName(readString(p, "name"));
        case "kind" -> b.setKindValue(OtlpJson.readEnum(p, "kind", "SpanKind", KIND_BY_NAME));
        case "startTimeUnixNano", "start_time_unix_nano" ->
            b.setStartTimeUnixNano(readLong(p, "startTimeUnixNano", IntKind.UINT64));
        case "endTimeUnixNano", "end_time_unix_nano" ->
            b.setEndTimeUnixNano(readLong(p, "endTimeUnixNano", IntKind.UINT64));
        case "attributes" -> readAttributes(p, MAX_VALUE_DEPTH, b::addAttributes);
        case "droppedAttributesCount", "dropped_attributes_count" ->
            b.setDroppedAttributesCount(readInt(p, "droppedAttributesCount", IntKind.UINT32));
        case "events" -> readArray(p, "events", () -> b.addEvents(readEvent(p)));
        case "droppedEventsCount", "dropped_events_count" ->
            b.setDroppedEventsCount(readInt(p, "droppedEventsCount", IntKind.UINT32));
        case "links" -> readArray(p, "links", () -> b.addLinks(readLink(p)));
        case "droppedLinksCount", "dropped_links_count" ->
            b.setDroppedLinksCount(readInt(p, "droppedLinksCount", IntKind.UINT32));
        case "status" -> b.setStatus(readStatus(p));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static Span.Event readEvent(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "an Event");
    Span.Event.Builder b = Span.Event.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "timeUnixNano", "time_unix_nano" ->
            b.setTimeUnixNano(readLong(p, "timeUnixNano", IntKind.UINT64));
        case "name" -> b.setName(readString(p, "name"));
        case "attributes" -> readAttributes(p, MAX_VALUE_DEPTH, b::addAttributes);
        case "droppedAttributesCount", "dropped_attributes_count" ->
            b.setDroppedAttributesCount(readInt(p, "droppedAttributesCount", IntKind.UINT32));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static Span.Link readLink(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "a Link");
    Span.Link.Builder b = Span.Link.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "traceId", "trace_id" -> b.setTraceId(readHex(p, "traceId"));
        case "spanId", "span_id" -> b.setSpanId(readHex(p, "spanId"));
        case "traceState", "trace_state" -> b.setTraceState(readString(p, "traceState"));
        case "attributes" -> readAttributes(p, MAX_VALUE_DEPTH, b::addAttributes);
        case "droppedAttributesCount", "dropped_attributes_count" ->
            b.setDroppedAttributesCount(readInt(p, "droppedAttributesCount", IntKind.UINT32));
        case "flags" -> b.setFlags(readInt(p, "flags", IntKind.UINT32));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static Status readStatus(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "status");
    Status.Builder b = Status.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "message" -> b.setMessage(readString(p, "message"));
        case "code" ->
            b.setCodeValue(OtlpJson.readEnum(p, "code", "StatusCode", STATUS_CODE_BY_NAME));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }
}
