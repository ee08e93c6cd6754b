package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The OTLP/JSON trace sample from opentelemetry-proto (src/test/resources/otlp-samples/traces). */
class OtlpTracesSamplesTest {

  private static byte[] sample(String name) throws IOException {
    try (InputStream in = OtlpTracesSamplesTest.class.getResourceAsStream("/otlp-samples/traces/" + name)) {
      assertThat(in).as("sample traces/%s", name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void traceSampleDecodesFieldForField() throws Exception {
    ExportTraceServiceRequest request = OtlpTracesDecoder.decode(sample("trace.json"), OtlpEncoding.JSON);

    // Every field the file has, and nothing else: no events, links or status in this sample.
    Span span =
        Span.newBuilder()
            .setTraceId(SampleRequests.hex("5b8efff798038103d269b633813fc60c"))
            .setSpanId(SampleRequests.hex("eee19b7ec3c1b174"))
            .setParentSpanId(SampleRequests.hex("eee19b7ec3c1b173"))
            .setName("I'm a server span")
            .setStartTimeUnixNano(1_544_712_660_000_000_000L)
            .setEndTimeUnixNano(1_544_712_661_000_000_000L)
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(SampleRequests.attribute("my.span.attr", "some value"))
            .build();
    ExportTraceServiceRequest expected =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(SampleRequests.attribute("service.name", "my.service")))
                    .addScopeSpans(
                        ScopeSpans.newBuilder()
                            .setScope(
                                InstrumentationScope.newBuilder()
                                    .setName("my.library")
                                    .setVersion("1.0.0")
                                    .addAttributes(
                                        SampleRequests.attribute(
                                            "my.scope.attribute", "some scope attribute")))
                            .addSpans(span)))
            .build();
    assertThat(request).isEqualTo(expected);
  }
}
