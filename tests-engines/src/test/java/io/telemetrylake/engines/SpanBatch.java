package io.telemetrylake.engines;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.SpanRowMapper;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * Spans for the traces table: {@code perService} server spans per service, each with a unique
 * {@value LogBatch#ID}, a known {@value LogBatch#K} attribute and one event.
 */
record SpanBatch(String name, List<String> services, Instant start, int perService) {
  SpanBatch {
    services = List.copyOf(services);
  }

  int size() {
    return services.size() * perService;
  }

  ExportTraceServiceRequest request() {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (int s = 0; s < services.size(); s++) {
      String service = services.get(s);
      ScopeSpans.Builder scope = ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("engines-it").setVersion("1.0"));
      for (int n = 0; n < perService; n++) {
        String id = LogBatch.id(name, service, n);
        long startNanos = LogBatch.nanos(start.plusSeconds((long) s * perService + n));
        scope.addSpans(Span.newBuilder()
            .setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(s + 1L).putLong(n + 1L).array()))
            .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(1000L * (s + 1) + n).array()))
            .setName("GET /item/" + n)
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(startNanos)
            .setEndTimeUnixNano(startNanos + 1_000_000L * (n + 1))
            .addAttributes(LogBatch.string(LogBatch.ID, id))
            .addAttributes(LogBatch.string(LogBatch.K, LogBatch.k(id)))
            .addEvents(Span.Event.newBuilder().setName("cache.miss").setTimeUnixNano(startNanos + 500_000L)
                .addAttributes(LogBatch.string("key", "item-" + n))));
      }
      request.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(LogBatch.string("service.name", service)))
          .addScopeSpans(scope));
    }
    return request.build();
  }

  List<SpanRow> rows() {
    return SpanRowMapper.toRows(request(), 0);
  }
}
