package io.telemetrylake.signal;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.SpanValidator;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpTracesDecoder;
import io.telemetrylake.otlp.Validated;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.record.OtlpShape;
import io.telemetrylake.table.TraceTable;
import io.telemetrylake.table.TableDefinition;
import java.util.List;

/** Traces: {@code POST /v1/traces} → topic {@code otel-traces} → table {@code traces}. */
public final class TracesSignal implements Signal<ExportTraceServiceRequest> {
  static final OtlpShape<ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span> SHAPE =
      new OtlpShape<>() {
        @Override
        public String itemsName() {
          return "span(s)";
        }

        @Override
        public int requestResourcesField() {
          return ExportTraceServiceRequest.RESOURCE_SPANS_FIELD_NUMBER;
        }

        @Override
        public int resourceScopesField() {
          return ResourceSpans.SCOPE_SPANS_FIELD_NUMBER;
        }

        @Override
        public int scopeItemsField() {
          return ScopeSpans.SPANS_FIELD_NUMBER;
        }

        @Override
        public List<ResourceSpans> resources(ExportTraceServiceRequest request) {
          return request.getResourceSpansList();
        }

        @Override
        public Resource resource(ResourceSpans resource) {
          return resource.getResource();
        }

        @Override
        public List<ScopeSpans> scopes(ResourceSpans resource) {
          return resource.getScopeSpansList();
        }

        @Override
        public int itemCount(ScopeSpans scope) {
          return scope.getSpansCount();
        }

        @Override
        public List<Span> items(ScopeSpans scope) {
          return scope.getSpansList();
        }

        @Override
        public ResourceSpans withScopes(ResourceSpans resource, List<ScopeSpans> scopes) {
          return resource.toBuilder().clearScopeSpans().addAllScopeSpans(scopes).build();
        }

        @Override
        public ScopeSpans withItems(ScopeSpans scope, List<Span> items) {
          return scope.toBuilder().clearSpans().addAllSpans(items).build();
        }

        @Override
        public ExportTraceServiceRequest request(ResourceSpans resource) {
          return ExportTraceServiceRequest.newBuilder().addResourceSpans(resource).build();
        }
      };

  TracesSignal() {}

  @Override
  public String name() {
    return "traces";
  }

  @Override
  public String items() {
    return "spans";
  }

  @Override
  public String path() {
    return "/v1/traces";
  }

  @Override
  public String defaultTopic() {
    return "otel-traces";
  }

  @Override
  public String defaultTable() {
    return "traces";
  }

  @Override
  public String rejectedField() {
    return "rejectedSpans";
  }

  @Override
  public OtlpShape<ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span> shape() {
    return SHAPE;
  }

  @Override
  public ExportTraceServiceRequest decodeBody(byte[] body, OtlpEncoding encoding) throws OtlpDecodeException {
    return OtlpTracesDecoder.decode(body, encoding);
  }

  @Override
  public ExportTraceServiceRequest decodeValue(byte[] value) throws OtlpDecodeException {
    return KafkaRecordFormat.decodeTracesValue(value);
  }

  @Override
  public Validated<ExportTraceServiceRequest> validate(ExportTraceServiceRequest request) {
    return SpanValidator.validate(request);
  }

  @Override
  public TableDefinition table() {
    return TraceTable.DEFINITION;
  }

  @Override
  public String toString() {
    return name();
  }
}
