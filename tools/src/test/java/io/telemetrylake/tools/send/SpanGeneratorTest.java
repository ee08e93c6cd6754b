package io.telemetrylake.tools.send;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.SpanFlags;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanGeneratorTest {
  private static final long NOW = 1_790_000_000_000_000_000L;

  /** A span with the service of its resource. */
  private record Placed(Span span, String service) {}

  private static List<Placed> spans(ExportTraceServiceRequest request) {
    List<Placed> all = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = attribute(rs.getResource().getAttributesList(), "service.name");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ss.getSpansList().forEach(s -> all.add(new Placed(s, service)));
      }
    }
    return all;
  }

  private static String attribute(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(kv -> kv.getKey().equals(key)).findFirst()
        .map(kv -> kv.getValue().hasStringValue() ? kv.getValue().getStringValue() : Long.toString(kv.getValue().getIntValue()))
        .orElse(null);
  }

  /** 40 requests of 500 spans over 3 services each. */
  private static List<ExportTraceServiceRequest> requests() {
    SpanGenerator generator = new SpanGenerator("run1", 8, 42);
    List<ExportTraceServiceRequest> requests = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      requests.add(generator.request(r * 500L, 500, 3, NOW + r * 1_000_000_000L));
    }
    return requests;
  }

  @Test
  void makesWellFormedTraces() {
    for (ExportTraceServiceRequest request : requests()) {
      List<Placed> spans = spans(request);
      Map<ByteString, Placed> bySpanId = spans.stream()
          .collect(Collectors.toMap(p -> p.span().getSpanId(), p -> p));

      assertThat(spans).hasSize(500);
      assertThat(bySpanId).as("span ids are unique").hasSize(500);
      assertThat(request.getResourceSpansCount()).isBetween(1, 3);
      for (Placed p : spans) {
        Span s = p.span();
        assertThat(s.getTraceId().size()).isEqualTo(16);
        assertThat(s.getSpanId().size()).isEqualTo(8);
        assertThat(s.getTraceId().toByteArray()).isNotEqualTo(new byte[16]);
        assertThat(s.getSpanId().toByteArray()).isNotEqualTo(new byte[8]);
        assertThat(s.getName()).isNotEmpty();
        assertThat(s.getStartTimeUnixNano()).isLessThanOrEqualTo(s.getEndTimeUnixNano());
        assertThat(s.getEndTimeUnixNano()).isLessThanOrEqualTo(NOW + 40 * 1_000_000_000L);
        assertThat(s.getFlags() & SpanFlags.SPAN_FLAGS_TRACE_FLAGS_MASK_VALUE).as("sampled").isEqualTo(1);
        if (s.getParentSpanId().isEmpty()) {
          assertThat(s.getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
          continue;
        }
        Placed parent = bySpanId.get(s.getParentSpanId());
        assertThat(parent).as("the parent of %s is in the request", s.getName()).isNotNull();
        assertThat(parent.span().getTraceId()).isEqualTo(s.getTraceId());
        assertThat(s.getStartTimeUnixNano()).isGreaterThanOrEqualTo(parent.span().getStartTimeUnixNano());
        assertThat(s.getEndTimeUnixNano()).isLessThanOrEqualTo(parent.span().getEndTimeUnixNano());
        if (s.getKind() == SpanKind.SPAN_KIND_SERVER) {
          // a remote call: the caller's CLIENT span, in another service
          assertThat(parent.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
          assertThat(parent.service()).isNotEqualTo(p.service());
          assertThat(s.getFlags() & SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK_VALUE).isNotZero();
        } else {
          assertThat(parent.service()).isEqualTo(p.service());
          assertThat(s.getFlags() & SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK_VALUE).isZero();
        }
        for (Span.Event e : s.getEventsList()) {
          assertThat(e.getTimeUnixNano()).isBetween(s.getStartTimeUnixNano(), s.getEndTimeUnixNano());
        }
      }
    }
  }

  @Test
  void makesRealisticSpans() {
    List<Placed> spans = requests().stream().flatMap(r -> spans(r).stream()).toList();
    Set<SpanKind> kinds = spans.stream().map(p -> p.span().getKind()).collect(Collectors.toSet());
    Map<ByteString, Set<String>> servicesPerTrace = spans.stream().collect(
        Collectors.groupingBy(p -> p.span().getTraceId(), Collectors.mapping(Placed::service, Collectors.toSet())));

    assertThat(kinds).contains(SpanKind.SPAN_KIND_SERVER, SpanKind.SPAN_KIND_CLIENT, SpanKind.SPAN_KIND_INTERNAL);
    assertThat(spans).filteredOn(p -> p.span().getKind() == SpanKind.SPAN_KIND_SERVER).allSatisfy(p -> {
      List<KeyValue> a = p.span().getAttributesList();
      assertThat(attribute(a, "http.request.method")).isIn("GET", "POST", "PUT");
      assertThat(attribute(a, "url.path")).startsWith("/").doesNotContain("{");
      assertThat(attribute(a, "http.route")).startsWith("/");
      assertThat(attribute(a, "http.response.status_code")).isIn("200", "201", "500");
      assertThat(p.span().getName()).isEqualTo(attribute(a, "http.request.method") + " " + attribute(a, "http.route"));
    });
    assertThat(spans).filteredOn(p -> attribute(p.span().getAttributesList(), "db.system") != null)
        .isNotEmpty().allSatisfy(p -> assertThat(p.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT));
    assertThat(servicesPerTrace.values()).as("some traces cross services").anySatisfy(s -> assertThat(s).hasSizeGreaterThan(1));
    assertThat(servicesPerTrace.size()).as("traces per 500 spans").isBetween(40 * 30, 40 * 120);
    assertThat(spans).filteredOn(p -> p.span().getLinksCount() > 0).isNotEmpty().allSatisfy(p -> {
      assertThat(p.span().getLinks(0).getTraceId().size()).isEqualTo(16);
      assertThat(p.span().getLinks(0).getSpanId().size()).isEqualTo(8);
      assertThat(p.span().getLinks(0).getTraceId()).isNotEqualTo(p.span().getTraceId());
    });
    assertThat(spans).filteredOn(p -> p.span().getEventsCount() > 0 && !p.span().getEvents(0).getName().equals("exception"))
        .isNotEmpty();
    double average = spans.stream().mapToInt(p -> p.span().getSerializedSize()).average().orElseThrow();
    assertThat(average).isBetween(150.0, 600.0);
  }

  @Test
  void failsAShareOfSpansWithAMessageAndAnExceptionEvent() {
    List<Span> spans = requests().stream().flatMap(r -> spans(r).stream()).map(Placed::span).toList();
    List<Span> errors = spans.stream().filter(s -> s.getStatus().getCode() == StatusCode.STATUS_CODE_ERROR).toList();

    assertThat((double) errors.size() / spans.size()).isBetween(0.03, 0.15);
    assertThat(errors).allSatisfy(s -> assertThat(s.getStatus().getMessage()).isNotBlank());
    assertThat(spans).filteredOn(s -> s.getStatus().getCode() != StatusCode.STATUS_CODE_ERROR)
        .allSatisfy(s -> assertThat(s.getStatus().getCode()).isEqualTo(StatusCode.STATUS_CODE_UNSET));
    List<Span.Event> exceptions = spans.stream().flatMap(s -> s.getEventsList().stream())
        .filter(e -> e.getName().equals("exception")).toList();
    assertThat(exceptions).hasSizeGreaterThan(errors.size() / 2).allSatisfy(e -> {
      assertThat(attribute(e.getAttributesList(), "exception.type")).contains(".");
      assertThat(attribute(e.getAttributesList(), "exception.message")).isNotBlank();
    });
    assertThat(spans).filteredOn(s -> s.getEventsList().stream().anyMatch(e -> e.getName().equals("exception")))
        .allSatisfy(s -> assertThat(s.getStatus().getCode()).isEqualTo(StatusCode.STATUS_CODE_ERROR));
  }

  @Test
  void numbersSpansWithUniqueIdsAcrossRequests() {
    Set<String> ids = new HashSet<>();
    for (ExportTraceServiceRequest request : requests()) {
      spans(request).forEach(p -> ids.add(attribute(p.span().getAttributesList(), SpanGenerator.ID_ATTRIBUTE)));
    }

    assertThat(ids).hasSize(20_000).contains("run1-0", "run1-19999");
  }

  @Test
  void makesExactlyTheCountAskedForEvenWhenItCutsATrace() {
    SpanGenerator generator = new SpanGenerator("r", 8, 7);

    assertThat(spans(generator.request(0, 1, 2, NOW))).singleElement()
        .satisfies(p -> assertThat(p.span().getParentSpanId().isEmpty()).isTrue());
    for (int n = 2; n < 40; n++) {
      assertThat(spans(generator.request(0, n, 2, NOW))).hasSize(n);
    }
  }

  @Test
  void describesResourcesAndScopes() {
    ExportTraceServiceRequest request = new SpanGenerator("r", 2, 1).request(0, 200, 5, NOW);

    assertThat(request.getResourceSpansList()).hasSizeLessThanOrEqualTo(2).allSatisfy(rs -> {
      List<KeyValue> a = rs.getResource().getAttributesList();
      assertThat(attribute(a, "service.name")).isIn("frontend", "checkout");
      assertThat(attribute(a, "host.name")).isNotBlank();
      assertThat(attribute(a, "deployment.environment.name")).isNotBlank();
      assertThat(rs.getSchemaUrl()).isEqualTo(SpanGenerator.RESOURCE_SCHEMA_URL);
      assertThat(rs.getScopeSpansList()).allSatisfy(ss -> {
        assertThat(ss.getScope().getName()).isNotBlank();
        assertThat(ss.getScope().getVersion()).isNotBlank();
      });
    });
  }
}
