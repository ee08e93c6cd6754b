package io.telemetrylake.otlp;

import static io.telemetrylake.otlp.SampleRequests.attribute;
import static io.telemetrylake.otlp.SampleRequests.hex;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

/** Trace requests for tests, built with the protobuf builders. */
final class SampleTraceRequests {
  static final ByteString PARENT_SPAN_ID = hex("eee19b7ec3c1b173");
  static final ByteString LINKED_TRACE_ID = hex("0102030405060708090a0b0c0d0e0f10");
  static final ByteString LINKED_SPAN_ID = hex("1112131415161718");

  private SampleTraceRequests() {}

  /** A span with every field set, values of every kind in span, event and link attributes. */
  static Span fullSpan() {
    KeyValueList values = SampleRequests.everyKindOfValue();
    return Span.newBuilder()
        .setTraceId(SampleRequests.TRACE_ID)
        .setSpanId(SampleRequests.SPAN_ID)
        .setTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        .setParentSpanId(PARENT_SPAN_ID)
        .setFlags(0x301) // sampled, with the "is remote" bits
        .setName("GET /checkout")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1_544_712_660_000_000_000L)
        .setEndTimeUnixNano(-1L) // 2^64 - 1 as fixed64: beyond the signed range
        .addAllAttributes(values.getValuesList())
        .setDroppedAttributesCount(3)
        .addEvents(
            Span.Event.newBuilder()
                .setTimeUnixNano(1_544_712_660_500_000_000L)
                .setName("exception")
                .addAllAttributes(values.getValuesList())
                .setDroppedAttributesCount(2))
        .addEvents(Span.Event.getDefaultInstance())
        .setDroppedEventsCount(4)
        .addLinks(
            Span.Link.newBuilder()
                .setTraceId(LINKED_TRACE_ID)
                .setSpanId(LINKED_SPAN_ID)
                .setTraceState("vendor=value")
                .addAllAttributes(values.getValuesList())
                .setDroppedAttributesCount(5)
                .setFlags(0x101))
        .addLinks(Span.Link.getDefaultInstance())
        .setDroppedLinksCount(6)
        .setStatus(
            Status.newBuilder()
                .setMessage("payment declined")
                .setCode(Status.StatusCode.STATUS_CODE_ERROR))
        .build();
  }

  /**
   * A request that uses every field of the traces protocol: {@link #fullSpan()}, unsigned and
   * unknown enum numbers, empty events, links and status, dropped counts, schema URLs, entity
   * references, several resources and scopes.
   */
  static ExportTraceServiceRequest rich() {
    Span unsigned =
        Span.newBuilder()
            .setTraceId(SampleRequests.TRACE_ID)
            .setSpanId(hex("0000000000000001"))
            .setFlags(-1) // 2^32 - 1 as fixed32
            .setKindValue(9) // not a known SpanKind: kept as a number
            .setStartTimeUnixNano(Long.MIN_VALUE) // exactly 2^63
            .setDroppedAttributesCount(-1) // 2^32 - 1 as uint32
            .setDroppedEventsCount(-1)
            .setDroppedLinksCount(-1)
            .setStatus(Status.newBuilder().setCodeValue(7)) // not a known StatusCode
            .build();
    Span emptyStatus =
        Span.newBuilder()
            .setName("internal")
            .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
            .setStatus(Status.getDefaultInstance()) // present but empty: "status":{}
            .build();
    ResourceSpans first =
        ResourceSpans.newBuilder()
            .setResource(
                Resource.newBuilder()
                    .addAttributes(attribute("service.name", "checkout"))
                    .addAttributes(
                        attribute(
                            "resource.values",
                            AnyValue.newBuilder()
                                .setKvlistValue(SampleRequests.everyKindOfValue())
                                .build()))
                    .setDroppedAttributesCount(2)
                    .addEntityRefs(
                        EntityRef.newBuilder()
                            .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
                            .setType("service")
                            .addIdKeys("service.name")
                            .addDescriptionKeys("service.version")))
            .addScopeSpans(
                ScopeSpans.newBuilder()
                    .setScope(
                        InstrumentationScope.newBuilder()
                            .setName("my.library")
                            .setVersion("1.0.0")
                            .addAttributes(attribute("my.scope.attribute", "scope value"))
                            .setDroppedAttributesCount(1))
                    .addSpans(fullSpan())
                    .addSpans(unsigned)
                    .addSpans(emptyStatus)
                    .setSchemaUrl("scope_schema"))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.getDefaultInstance()))
            .addScopeSpans(
                ScopeSpans.newBuilder()
                    .setScope(InstrumentationScope.newBuilder().setName("empty.scope")))
            .setSchemaUrl("resource_schema")
            .build();
    ResourceSpans second =
        ResourceSpans.newBuilder()
            .setResource(SampleRequests.resource(attribute("service.name", "payments")))
            .addScopeSpans(
                ScopeSpans.newBuilder()
                    .addSpans(
                        Span.newBuilder()
                            .setName("POST /pay")
                            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))))
            .build();
    ResourceSpans third = ResourceSpans.getDefaultInstance(); // no resource, no scopes
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(first)
        .addResourceSpans(second)
        .addResourceSpans(third)
        .build();
  }
}
