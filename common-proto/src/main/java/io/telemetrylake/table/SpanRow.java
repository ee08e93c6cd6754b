package io.telemetrylake.table;

import java.util.List;
import java.util.Map;

/**
 * One row of {@link TraceTable}: a span with its resource and scope values. Resource and scope
 * maps are shared (the same instances) by the rows of one resource and scope.
 *
 * @param durationNanos end minus start; null when either time is unset
 */
public record SpanRow(
    long timestampMicros,
    String traceId,
    String spanId,
    String parentSpanId,
    String traceState,
    String spanName,
    String spanKind,
    String serviceName,
    Map<String, String> resourceAttributes,
    String scopeName,
    String scopeVersion,
    Map<String, String> scopeAttributes,
    Map<String, String> spanAttributes,
    Long durationNanos,
    String statusCode,
    String statusMessage,
    List<Event> events,
    List<Link> links,
    int traceFlags,
    int droppedAttributesCount,
    int droppedEventsCount,
    int droppedLinksCount,
    String resourceSchemaUrl,
    String scopeSchemaUrl) {

  /** An element of {@code events}. */
  public record Event(
      long timestampMicros, String name, Map<String, String> attributes, int droppedAttributesCount) {}

  /** An element of {@code links}. */
  public record Link(
      String traceId,
      String spanId,
      String traceState,
      Map<String, String> attributes,
      int droppedAttributesCount) {}
}
