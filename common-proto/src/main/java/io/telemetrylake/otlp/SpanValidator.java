package io.telemetrylake.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * Drops the spans the lake must not store: a {@code trace_id} that is not 16 bytes or a {@code
 * span_id} that is not 8 (both are required for spans, unlike for log records), or a {@code
 * parent_span_id} that is neither empty nor 8 bytes. They are counted and reported as a partial
 * success, as OTLP asks; everything else is kept untouched.
 */
public final class SpanValidator {
  private static final int TRACE_ID_BYTES = 16;
  private static final int SPAN_ID_BYTES = 8;

  private SpanValidator() {}

  public static Validated<ExportTraceServiceRequest> validate(ExportTraceServiceRequest request) {
    Span firstInvalid = null;
    int invalid = 0;
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          if (!isValid(span)) {
            firstInvalid = firstInvalid == null ? span : firstInvalid;
            invalid++;
          }
        }
      }
    }
    if (invalid == 0) {
      return new Validated<>(request, 0, "");
    }
    ExportTraceServiceRequest.Builder cleaned = ExportTraceServiceRequest.newBuilder();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      ResourceSpans.Builder resource = resourceSpans.toBuilder().clearScopeSpans();
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        ScopeSpans.Builder scope = scopeSpans.toBuilder().clearSpans();
        for (Span span : scopeSpans.getSpansList()) {
          if (isValid(span)) {
            scope.addSpans(span);
          }
        }
        resource.addScopeSpans(scope);
      }
      cleaned.addResourceSpans(resource);
    }
    return new Validated<>(cleaned.build(), invalid, message(invalid, firstInvalid));
  }

  static boolean isValid(Span span) {
    int parent = span.getParentSpanId().size();
    return span.getTraceId().size() == TRACE_ID_BYTES
        && span.getSpanId().size() == SPAN_ID_BYTES
        && (parent == 0 || parent == SPAN_ID_BYTES);
  }

  private static String message(int invalid, Span first) {
    return "rejected "
        + invalid
        + " span(s) with an invalid trace_id, span_id or parent_span_id: trace_id must be "
        + TRACE_ID_BYTES
        + " bytes (32 hex digits), span_id "
        + SPAN_ID_BYTES
        + " bytes (16 hex digits), parent_span_id empty or "
        + SPAN_ID_BYTES
        + " bytes; first rejected span has a trace_id of "
        + first.getTraceId().size()
        + " bytes, a span_id of "
        + first.getSpanId().size()
        + " bytes and a parent_span_id of "
        + first.getParentSpanId().size()
        + " bytes";
  }
}
