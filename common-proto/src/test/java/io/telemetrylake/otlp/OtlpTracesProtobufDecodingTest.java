package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OtlpTracesProtobufDecodingTest {

  private static OtlpDecodeException malformed(byte[] body) {
    OtlpDecodeException e =
        catchThrowableOfType(
            OtlpDecodeException.class, () -> OtlpTracesDecoder.decode(body, OtlpEncoding.PROTOBUF));
    assertThat(e).as("expected the body to be refused").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    return e;
  }

  /** A level-{@code levels} kvlist value whose innermost list holds one key without a value. */
  private static AnyValue nestedKvlists(int levels) {
    AnyValue value =
        AnyValue.newBuilder()
            .setKvlistValue(KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("leaf")))
            .build();
    for (int i = 1; i < levels; i++) {
      value =
          AnyValue.newBuilder()
              .setKvlistValue(
                  KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("k").setValue(value)))
              .build();
    }
    return value;
  }

  private static ExportTraceServiceRequest withEventAttribute(AnyValue value) {
    Span span =
        Span.newBuilder()
            .addEvents(Span.Event.newBuilder().addAttributes(SampleRequests.attribute("a", value)))
            .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build();
  }

  @Test
  void decodesEmptyBodyAsEmptyRequest() throws Exception {
    assertThat(OtlpTracesDecoder.decode(new byte[0], OtlpEncoding.PROTOBUF))
        .isEqualTo(ExportTraceServiceRequest.getDefaultInstance());
  }

  @Test
  void rejectsTruncatedProtobuf() {
    byte[] whole = SampleTraceRequests.rich().toByteArray();

    assertThat(malformed(Arrays.copyOf(whole, whole.length - 10)))
        .hasMessageStartingWith("invalid OTLP/protobuf request body: ");
  }

  @Test
  void rejectsStrayEndGroupTag() {
    // Tag 0x0C is "end group 1": without the final check it would silently end the message.
    assertThat(malformed(new byte[] {0x0C}))
        .hasMessageStartingWith("invalid OTLP/protobuf request body: ");
  }

  @Test
  void acceptsEventAttributesAtTheJsonLimit() throws Exception {
    ExportTraceServiceRequest request =
        withEventAttribute(nestedKvlists(OtlpJsonTracesReader.MAX_VALUE_DEPTH));

    assertThat(OtlpTracesDecoder.decode(request.toByteArray(), OtlpEncoding.PROTOBUF))
        .isEqualTo(request);
  }

  @Test
  void rejectsEventAttributesOneLevelBeyondTheJsonLimit() {
    // Why the traces bound is one below the logs bound: at 32 levels inside an event attribute,
    // the innermost key/value sits at protobuf depth 101, beyond the recursion limit of 100. If
    // the JSON decoder accepted this, the re-encoded request would not decode from Kafka.
    byte[] body =
        withEventAttribute(nestedKvlists(OtlpJsonTracesReader.MAX_VALUE_DEPTH + 1)).toByteArray();

    assertThat(OtlpTracesDecoder.PROTOBUF_RECURSION_LIMIT).isEqualTo(100);
    assertThat(malformed(body)).hasMessageContaining("too many levels of nesting");
  }
}
