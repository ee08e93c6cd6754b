package io.telemetrylake.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * OTLP/JSON encoder (hex ids, lowerCamelCase keys, enums as integers, int64 as strings), written
 * independently of the decoder so that round-trip tests check one against the other. The
 * {@link Style} switches produce the variants real clients send; {@link Style#OTLP} is the
 * specification's form. Writes only fields that differ from their default, like proto3.
 */
public final class OtlpJsonEncoder {
  /**
   * @param snakeCase proto field names instead of lowerCamelCase
   * @param numbersAsStrings every integer and double as a JSON string (int64 the OTLP way, and
   *     the tolerated {@code "flags": "01"} style)
   * @param upperCaseHex trace and span ids in upper-case hex
   * @param unknownFields an unknown field, with nested content, in every object
   * @param enumNames enums (severityNumber, span kind, status code) as the enum value's name
   */
  public record Style(
      boolean snakeCase,
      boolean numbersAsStrings,
      boolean upperCaseHex,
      boolean unknownFields,
      boolean enumNames) {
    public static final Style OTLP = new Style(false, false, false, false, false);
  }

  private static final JsonFactory JSON = new JsonFactory();

  private final JsonGenerator g;
  private final Style style;

  private OtlpJsonEncoder(JsonGenerator g, Style style) {
    this.g = g;
    this.style = style;
  }

  public static byte[] encode(ExportLogsServiceRequest request, Style style) {
    return encode(style, encoder -> encoder.request(request));
  }

  public static byte[] encode(ExportTraceServiceRequest request, Style style) {
    return encode(style, encoder -> encoder.request(request));
  }

  @FunctionalInterface
  private interface Writer {
    void write(OtlpJsonEncoder encoder) throws IOException;
  }

  private static byte[] encode(Style style, Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writer.write(new OtlpJsonEncoder(g, style));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // ---- logs ---------------------------------------------------------------------------------

  private void request(ExportLogsServiceRequest request) throws IOException {
    start();
    if (request.getResourceLogsCount() > 0) {
      name("resourceLogs", "resource_logs");
      g.writeStartArray();
      for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
        resourceLogs(resourceLogs);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private void resourceLogs(ResourceLogs resourceLogs) throws IOException {
    start();
    if (resourceLogs.hasResource()) {
      name("resource", "resource");
      resource(resourceLogs.getResource());
    }
    if (resourceLogs.getScopeLogsCount() > 0) {
      name("scopeLogs", "scope_logs");
      g.writeStartArray();
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        scopeLogs(scopeLogs);
      }
      g.writeEndArray();
    }
    string("schemaUrl", "schema_url", resourceLogs.getSchemaUrl());
    g.writeEndObject();
  }

  private void scopeLogs(ScopeLogs scopeLogs) throws IOException {
    start();
    if (scopeLogs.hasScope()) {
      name("scope", "scope");
      scope(scopeLogs.getScope());
    }
    if (scopeLogs.getLogRecordsCount() > 0) {
      name("logRecords", "log_records");
      g.writeStartArray();
      for (LogRecord record : scopeLogs.getLogRecordsList()) {
        logRecord(record);
      }
      g.writeEndArray();
    }
    string("schemaUrl", "schema_url", scopeLogs.getSchemaUrl());
    g.writeEndObject();
  }

  private void logRecord(LogRecord record) throws IOException {
    start();
    fixed64("timeUnixNano", "time_unix_nano", record.getTimeUnixNano());
    fixed64("observedTimeUnixNano", "observed_time_unix_nano", record.getObservedTimeUnixNano());
    enumValue(
        "severityNumber",
        "severity_number",
        record.getSeverityNumberValue(),
        record.getSeverityNumber() == SeverityNumber.UNRECOGNIZED
            ? null
            : record.getSeverityNumber().name());
    string("severityText", "severity_text", record.getSeverityText());
    if (record.hasBody()) {
      name("body", "body");
      anyValue(record.getBody());
    }
    attributes(record.getAttributesList());
    uint32("droppedAttributesCount", "dropped_attributes_count", record.getDroppedAttributesCount());
    uint32("flags", "flags", record.getFlags());
    hex("traceId", "trace_id", record.getTraceId());
    hex("spanId", "span_id", record.getSpanId());
    string("eventName", "event_name", record.getEventName());
    g.writeEndObject();
  }

  // ---- traces -------------------------------------------------------------------------------

  private void request(ExportTraceServiceRequest request) throws IOException {
    start();
    if (request.getResourceSpansCount() > 0) {
      name("resourceSpans", "resource_spans");
      g.writeStartArray();
      for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
        resourceSpans(resourceSpans);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private void resourceSpans(ResourceSpans resourceSpans) throws IOException {
    start();
    if (resourceSpans.hasResource()) {
      name("resource", "resource");
      resource(resourceSpans.getResource());
    }
    if (resourceSpans.getScopeSpansCount() > 0) {
      name("scopeSpans", "scope_spans");
      g.writeStartArray();
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        scopeSpans(scopeSpans);
      }
      g.writeEndArray();
    }
    string("schemaUrl", "schema_url", resourceSpans.getSchemaUrl());
    g.writeEndObject();
  }

  private void scopeSpans(ScopeSpans scopeSpans) throws IOException {
    start();
    if (scopeSpans.hasScope()) {
      name("scope", "scope");
      scope(scopeSpans.getScope());
    }
    if (scopeSpans.getSpansCount() > 0) {
      name("spans", "spans");
      g.writeStartArray();
      for (Span span : scopeSpans.getSpansList()) {
        span(span);
      }
      g.writeEndArray();
    }
    string("schemaUrl", "schema_url", scopeSpans.getSchemaUrl());
    g.writeEndObject();
  }

  private void span(Span span) throws IOException {
    start();
    hex("traceId", "trace_id", span.getTraceId());
    hex("spanId", "span_id", span.getSpanId());
    string("traceState", "trace_state", span.getTraceState());
    hex("parentSpanId", "parent_span_id", span.getParentSpanId());
    uint32("flags", "flags", span.getFlags());
    string("name", "name", span.getName());
    enumValue(
        "kind",
        "kind",
        span.getKindValue(),
        span.getKind() == Span.SpanKind.UNRECOGNIZED ? null : span.getKind().name());
    fixed64("startTimeUnixNano", "start_time_unix_nano", span.getStartTimeUnixNano());
    fixed64("endTimeUnixNano", "end_time_unix_nano", span.getEndTimeUnixNano());
    attributes(span.getAttributesList());
    uint32("droppedAttributesCount", "dropped_attributes_count", span.getDroppedAttributesCount());
    if (span.getEventsCount() > 0) {
      name("events", "events");
      g.writeStartArray();
      for (Span.Event event : span.getEventsList()) {
        start();
        fixed64("timeUnixNano", "time_unix_nano", event.getTimeUnixNano());
        string("name", "name", event.getName());
        attributes(event.getAttributesList());
        uint32(
            "droppedAttributesCount", "dropped_attributes_count", event.getDroppedAttributesCount());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    uint32("droppedEventsCount", "dropped_events_count", span.getDroppedEventsCount());
    if (span.getLinksCount() > 0) {
      name("links", "links");
      g.writeStartArray();
      for (Span.Link link : span.getLinksList()) {
        start();
        hex("traceId", "trace_id", link.getTraceId());
        hex("spanId", "span_id", link.getSpanId());
        string("traceState", "trace_state", link.getTraceState());
        attributes(link.getAttributesList());
        uint32(
            "droppedAttributesCount", "dropped_attributes_count", link.getDroppedAttributesCount());
        uint32("flags", "flags", link.getFlags());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    uint32("droppedLinksCount", "dropped_links_count", span.getDroppedLinksCount());
    if (span.hasStatus()) {
      Status status = span.getStatus();
      name("status", "status");
      start();
      string("message", "message", status.getMessage());
      enumValue(
          "code",
          "code",
          status.getCodeValue(),
          status.getCode() == Status.StatusCode.UNRECOGNIZED ? null : status.getCode().name());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  // ---- shared by every signal ---------------------------------------------------------------

  private void resource(Resource resource) throws IOException {
    start();
    attributes(resource.getAttributesList());
    uint32("droppedAttributesCount", "dropped_attributes_count", resource.getDroppedAttributesCount());
    if (resource.getEntityRefsCount() > 0) {
      name("entityRefs", "entity_refs");
      g.writeStartArray();
      for (EntityRef ref : resource.getEntityRefsList()) {
        start();
        string("schemaUrl", "schema_url", ref.getSchemaUrl());
        string("type", "type", ref.getType());
        strings("idKeys", "id_keys", ref.getIdKeysList());
        strings("descriptionKeys", "description_keys", ref.getDescriptionKeysList());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private void scope(InstrumentationScope scope) throws IOException {
    start();
    string("name", "name", scope.getName());
    string("version", "version", scope.getVersion());
    attributes(scope.getAttributesList());
    uint32("droppedAttributesCount", "dropped_attributes_count", scope.getDroppedAttributesCount());
    g.writeEndObject();
  }

  private void attributes(List<KeyValue> attributes) throws IOException {
    if (attributes.isEmpty()) {
      return;
    }
    name("attributes", "attributes");
    keyValues(attributes);
  }

  private void keyValues(List<KeyValue> keyValues) throws IOException {
    g.writeStartArray();
    for (KeyValue keyValue : keyValues) {
      start();
      string("key", "key", keyValue.getKey());
      if (keyValue.hasValue()) {
        name("value", "value");
        anyValue(keyValue.getValue());
      }
      if (keyValue.getKeyStrindex() != 0) {
        name("keyStrindex", "key_strindex");
        int32(keyValue.getKeyStrindex());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private void anyValue(AnyValue value) throws IOException {
    start();
    switch (value.getValueCase()) {
      case STRING_VALUE -> {
        name("stringValue", "string_value");
        g.writeString(value.getStringValue());
      }
      case BOOL_VALUE -> {
        name("boolValue", "bool_value");
        g.writeBoolean(value.getBoolValue());
      }
      case INT_VALUE -> {
        name("intValue", "int_value");
        if (style.numbersAsStrings()) {
          g.writeString(Long.toString(value.getIntValue()));
        } else {
          g.writeNumber(value.getIntValue());
        }
      }
      case DOUBLE_VALUE -> {
        name("doubleValue", "double_value");
        double d = value.getDoubleValue();
        if (Double.isNaN(d)) {
          g.writeString("NaN");
        } else if (Double.isInfinite(d)) {
          g.writeString(d > 0 ? "Infinity" : "-Infinity");
        } else if (style.numbersAsStrings()) {
          g.writeString(Double.toString(d));
        } else {
          g.writeNumber(d);
        }
      }
      case ARRAY_VALUE -> {
        name("arrayValue", "array_value");
        start();
        name("values", "values");
        g.writeStartArray();
        for (AnyValue element : value.getArrayValue().getValuesList()) {
          anyValue(element);
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      case KVLIST_VALUE -> {
        name("kvlistValue", "kvlist_value");
        start();
        name("values", "values");
        keyValues(value.getKvlistValue().getValuesList());
        g.writeEndObject();
      }
      case BYTES_VALUE -> {
        name("bytesValue", "bytes_value");
        g.writeString(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      }
      case STRING_VALUE_STRINDEX -> {
        name("stringValueStrindex", "string_value_strindex");
        int32(value.getStringValueStrindex());
      }
      case VALUE_NOT_SET -> {
        // An empty AnyValue is an empty object.
      }
    }
    g.writeEndObject();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void start() throws IOException {
    g.writeStartObject();
    if (style.unknownFields()) {
      g.writeFieldName("someFutureField");
      g.writeStartObject();
      g.writeFieldName("nested");
      g.writeStartArray();
      g.writeNumber(1);
      g.writeString("traceId");
      g.writeStartObject();
      g.writeNullField("resourceLogs");
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    }
  }

  private void name(String camel, String snake) throws IOException {
    g.writeFieldName(style.snakeCase() ? snake : camel);
  }

  private void string(String camel, String snake, String value) throws IOException {
    if (!value.isEmpty()) {
      name(camel, snake);
      g.writeString(value);
    }
  }

  private void strings(String camel, String snake, List<String> values) throws IOException {
    if (!values.isEmpty()) {
      name(camel, snake);
      g.writeStartArray();
      for (String value : values) {
        g.writeString(value);
      }
      g.writeEndArray();
    }
  }

  private void uint32(String camel, String snake, int value) throws IOException {
    if (value != 0) {
      name(camel, snake);
      long unsigned = Integer.toUnsignedLong(value);
      if (style.numbersAsStrings()) {
        g.writeString(Long.toString(unsigned));
      } else {
        g.writeNumber(unsigned);
      }
    }
  }

  private void int32(int value) throws IOException {
    if (style.numbersAsStrings()) {
      g.writeString(Integer.toString(value));
    } else {
      g.writeNumber(value);
    }
  }

  /** A non-zero enum: its number, or with {@link Style#enumNames} its name when it has one. */
  private void enumValue(String camel, String snake, int number, String enumName)
      throws IOException {
    if (number != 0) {
      name(camel, snake);
      if (style.enumNames() && enumName != null) {
        g.writeString(enumName);
      } else {
        int32(number);
      }
    }
  }

  private void fixed64(String camel, String snake, long value) throws IOException {
    if (value != 0) {
      name(camel, snake);
      String unsigned = Long.toUnsignedString(value);
      if (style.numbersAsStrings()) {
        g.writeString(unsigned);
      } else {
        g.writeNumber(new BigInteger(unsigned));
      }
    }
  }

  private void hex(String camel, String snake, ByteString bytes) throws IOException {
    if (!bytes.isEmpty()) {
      name(camel, snake);
      HexFormat hex = style.upperCaseHex() ? HexFormat.of().withUpperCase() : HexFormat.of();
      g.writeString(hex.formatHex(bytes.toByteArray()));
    }
  }
}
