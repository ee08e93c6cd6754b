package io.telemetrylake.table;

import static io.telemetrylake.table.RowValues.attributes;
import static io.telemetrylake.table.RowValues.emptyToNull;
import static io.telemetrylake.table.RowValues.hexOrNull;
import static io.telemetrylake.table.RowValues.nanosToMicros;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Maps OTLP spans to {@link TraceTable} rows; resource and scope values are computed once each. */
public final class SpanRowMapper {
  private SpanRowMapper() {}

  /**
   * Emits one row per span, in request order.
   *
   * @param fallbackTimeMicros the row's timestamp when the span has no start time (the appender
   *     passes the Kafka record's timestamp)
   */
  public static void forEachRow(
      ExportTraceServiceRequest request, long fallbackTimeMicros, Consumer<SpanRow> rows) {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Resource resource = resourceSpans.getResource();
      Map<String, String> resourceAttributes = attributes(resource.getAttributesList());
      String serviceName = serviceName(resource);
      String resourceSchemaUrl = emptyToNull(resourceSpans.getSchemaUrl());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        InstrumentationScope scope = scopeSpans.getScope();
        Map<String, String> scopeAttributes = attributes(scope.getAttributesList());
        String scopeName = emptyToNull(scope.getName());
        String scopeVersion = emptyToNull(scope.getVersion());
        String scopeSchemaUrl = emptyToNull(scopeSpans.getSchemaUrl());
        for (Span span : scopeSpans.getSpansList()) {
          long start = span.getStartTimeUnixNano();
          long end = span.getEndTimeUnixNano();
          rows.accept(
              new SpanRow(
                  start == 0 ? fallbackTimeMicros : nanosToMicros(start),
                  hexOrNull(span.getTraceId().toByteArray()),
                  hexOrNull(span.getSpanId().toByteArray()),
                  hexOrNull(span.getParentSpanId().toByteArray()),
                  emptyToNull(span.getTraceState()),
                  span.getName(),
                  spanKind(span),
                  serviceName,
                  resourceAttributes,
                  scopeName,
                  scopeVersion,
                  scopeAttributes,
                  attributes(span.getAttributesList()),
                  start == 0 || end == 0 ? null : end - start,
                  statusCode(span.getStatus()),
                  emptyToNull(span.getStatus().getMessage()),
                  events(span),
                  links(span),
                  span.getFlags(),
                  span.getDroppedAttributesCount(),
                  span.getDroppedEventsCount(),
                  span.getDroppedLinksCount(),
                  resourceSchemaUrl,
                  scopeSchemaUrl));
        }
      }
    }
  }

  /** Convenience for tests and small tools: all rows of a request in a list. */
  public static List<SpanRow> toRows(ExportTraceServiceRequest request, long fallbackTimeMicros) {
    List<SpanRow> rows = new ArrayList<>();
    forEachRow(request, fallbackTimeMicros, rows::add);
    return rows;
  }

  /** The enum's name; a value newer than our proto definitions keeps its number. */
  static String spanKind(Span span) {
    Span.SpanKind kind = span.getKind();
    return kind == Span.SpanKind.UNRECOGNIZED ? Integer.toString(span.getKindValue()) : kind.name();
  }

  static String statusCode(Status status) {
    Status.StatusCode code = status.getCode();
    return code == Status.StatusCode.UNRECOGNIZED ? Integer.toString(status.getCodeValue()) : code.name();
  }

  private static List<SpanRow.Event> events(Span span) {
    if (span.getEventsCount() == 0) {
      return List.of();
    }
    List<SpanRow.Event> events = new ArrayList<>(span.getEventsCount());
    for (Span.Event e : span.getEventsList()) {
      events.add(
          new SpanRow.Event(
              nanosToMicros(e.getTimeUnixNano()),
              e.getName(),
              attributes(e.getAttributesList()),
              e.getDroppedAttributesCount()));
    }
    return events;
  }

  private static List<SpanRow.Link> links(Span span) {
    if (span.getLinksCount() == 0) {
      return List.of();
    }
    List<SpanRow.Link> links = new ArrayList<>(span.getLinksCount());
    for (Span.Link l : span.getLinksList()) {
      links.add(
          new SpanRow.Link(
              hexOrNull(l.getTraceId().toByteArray()),
              hexOrNull(l.getSpanId().toByteArray()),
              emptyToNull(l.getTraceState()),
              attributes(l.getAttributesList()),
              l.getDroppedAttributesCount()));
    }
    return links;
  }

  private static String serviceName(Resource resource) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals(RowValues.SERVICE_NAME)) {
        return AnyValues.toColumnString(kv.getValue());
      }
    }
    return null;
  }
}
