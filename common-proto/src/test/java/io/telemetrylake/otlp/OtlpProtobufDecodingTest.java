package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OtlpProtobufDecodingTest {

  private static OtlpDecodeException malformed(byte[] body) {
    OtlpDecodeException e =
        catchThrowableOfType(
            OtlpDecodeException.class, () -> OtlpLogsDecoder.decode(body, OtlpEncoding.PROTOBUF));
    assertThat(e).as("expected the body to be refused").isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    return e;
  }

  private static ExportLogsServiceRequest withBody(AnyValue body) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setBody(body))))
        .build();
  }

  private static AnyValue nestedArrays(int levels) {
    AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
    for (int i = 1; i < levels; i++) {
      value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
    }
    return value;
  }

  @Test
  void decodesEmptyBodyAsEmptyRequest() throws Exception {
    assertThat(OtlpLogsDecoder.decode(new byte[0], OtlpEncoding.PROTOBUF))
        .isEqualTo(ExportLogsServiceRequest.getDefaultInstance());
  }

  @Test
  void rejectsTruncatedProtobuf() {
    byte[] whole = SampleRequests.rich().toByteArray();

    OtlpDecodeException e = malformed(Arrays.copyOf(whole, whole.length - 10));

    assertThat(e).hasMessageStartingWith("invalid OTLP/protobuf request body: ");
  }

  @Test
  void rejectsBytesThatAreNotProtobuf() {
    // A JSON body sent as application/x-protobuf: '{' is field 15 with the (invalid) wire type 3.
    assertThat(malformed("{\"resourceLogs\":[]}".getBytes()))
        .hasMessageStartingWith("invalid OTLP/protobuf request body: ");
  }

  @Test
  void rejectsInvalidUtf8InProtobufStrings() {
    // The builders refuse invalid UTF-8, so patch it into the encoded bytes: "\u0001\u0002" is
    // encoded as the bytes 01 02, replaced by the overlong (invalid) form C0 80.
    byte[] body = withBody(AnyValue.newBuilder().setStringValue("\u0001\u0002").build()).toByteArray();
    int at = indexOf(body, new byte[] {1, 2});
    body[at] = (byte) 0xC0;
    body[at + 1] = (byte) 0x80;

    assertThat(malformed(body)).hasMessageContaining("UTF-8");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void rejectsNestingBeyondTheRecursionLimitWithoutStackOverflow() {
    byte[] deep = withBody(nestedArrays(200)).toByteArray();

    assertThat(malformed(deep)).hasMessageContaining("too many levels of nesting");
  }

  @Test
  void acceptsNestingWithinTheRecursionLimit() throws Exception {
    // LogRecord is at depth 3, its body at 4, and each array level adds two messages.
    ExportLogsServiceRequest request = withBody(nestedArrays(48));

    assertThat(OtlpLogsDecoder.decode(request.toByteArray(), OtlpEncoding.PROTOBUF))
        .isEqualTo(request);
  }

  @Test
  void rejectsStrayEndGroupTag() {
    // Tag 0x0C is "end group 1": without the final check it would silently end the message.
    byte[] body = {0x0C};

    assertThat(malformed(body)).hasMessageStartingWith("invalid OTLP/protobuf request body: ");
  }

  @Test
  void keepsUnknownFieldsForForwardCompatibility() throws Exception {
    // A newer client's field (number 99) must reach Kafka unchanged.
    ExportLogsServiceRequest request =
        withBody(
            AnyValue.newBuilder()
                .setStringValue("x")
                .setUnknownFields(
                    UnknownFieldSet.newBuilder()
                        .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build())
                        .build())
                .build());

    ExportLogsServiceRequest decoded =
        OtlpLogsDecoder.decode(request.toByteArray(), OtlpEncoding.PROTOBUF);

    assertThat(decoded.toByteArray()).isEqualTo(request.toByteArray());
  }
}
