package io.telemetrylake.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.telemetrylake.otlp.Validated;
import org.junit.jupiter.api.Test;

class LogRecordValidatorTest {

  private static LogRecord record(String body, ByteString traceId, ByteString spanId) {
    return SampleRequests.record(body).toBuilder().setTraceId(traceId).setSpanId(spanId).build();
  }

  private static ExportLogsServiceRequest request(ScopeLogs... scopes) {
    ResourceLogs.Builder resourceLogs =
        ResourceLogs.newBuilder()
            .setResource(SampleRequests.resource(SampleRequests.attribute("service.name", "a")))
            .setSchemaUrl("resource_schema");
    for (ScopeLogs scope : scopes) {
      resourceLogs.addScopeLogs(scope);
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(resourceLogs).build();
  }

  private static ScopeLogs scope(String name, LogRecord... records) {
    ScopeLogs.Builder scope =
        ScopeLogs.newBuilder()
            .setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder().setName(name))
            .setSchemaUrl("scope_schema");
    for (LogRecord record : records) {
      scope.addLogRecords(record);
    }
    return scope.build();
  }

  private static final ByteString NONE = ByteString.EMPTY;
  private static final ByteString TRACE = SampleRequests.TRACE_ID;
  private static final ByteString SPAN = SampleRequests.SPAN_ID;

  @Test
  void returnsTheSameInstanceWhenEveryRecordIsValid() {
    ExportLogsServiceRequest request =
        request(
            scope("s", record("both", TRACE, SPAN), record("none", NONE, NONE), record("trace only", TRACE, NONE)));

    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);

    assertThat(validated.request()).isSameAs(request);
    assertThat(validated.rejectedItems()).isZero();
    assertThat(validated.errorMessage()).isEmpty();
  }

  @Test
  void returnsTheSameInstanceForTheRichRequest() {
    ExportLogsServiceRequest rich = SampleRequests.rich();

    assertThat(LogRecordValidator.validate(rich).request()).isSameAs(rich);
  }

  @Test
  void dropsRecordsWithTraceIdOfWrongLength() {
    ExportLogsServiceRequest request =
        request(
            scope(
                "s",
                record("keep 1", TRACE, SPAN),
                record("drop short", TRACE.substring(0, 15), SPAN),
                record("keep 2", NONE, NONE),
                record("drop long", TRACE.concat(ByteString.copyFrom(new byte[] {1})), NONE)));

    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);

    assertThat(validated.rejectedItems()).isEqualTo(2);
    assertThat(validated.request().getResourceLogs(0).getScopeLogs(0).getLogRecordsList())
        .extracting(r -> r.getBody().getStringValue())
        .containsExactly("keep 1", "keep 2");
    assertThat(validated.errorMessage())
        .startsWith("rejected 2 log record(s) with an invalid trace_id or span_id")
        .contains("trace_id of 15 bytes and a span_id of 8 bytes");
  }

  @Test
  void dropsRecordsWithSpanIdOfWrongLength() {
    ExportLogsServiceRequest request =
        request(scope("s", record("drop", NONE, SPAN.substring(0, 4)), record("keep", TRACE, SPAN)));

    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);

    assertThat(validated.rejectedItems()).isEqualTo(1);
    assertThat(validated.request().getResourceLogs(0).getScopeLogs(0).getLogRecordsList())
        .extracting(r -> r.getBody().getStringValue())
        .containsExactly("keep");
    assertThat(validated.errorMessage()).contains("span_id of 4 bytes");
  }

  @Test
  void keepsEverythingElseUntouched() {
    ScopeLogs clean = scope("clean", record("a", TRACE, SPAN));
    ScopeLogs dirty = scope("dirty", record("b", TRACE, SPAN), record("c", TRACE.substring(0, 1), SPAN));
    ExportLogsServiceRequest request = request(clean, dirty);
    ResourceLogs otherResource =
        ResourceLogs.newBuilder().addScopeLogs(scope("other", record("d", NONE, NONE))).build();
    request = request.toBuilder().addResourceLogs(otherResource).build();

    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);

    ResourceLogs cleaned = validated.request().getResourceLogs(0);
    assertThat(cleaned.getResource()).isEqualTo(request.getResourceLogs(0).getResource());
    assertThat(cleaned.getSchemaUrl()).isEqualTo("resource_schema");
    assertThat(cleaned.getScopeLogs(0)).isSameAs(request.getResourceLogs(0).getScopeLogs(0));
    assertThat(cleaned.getScopeLogs(1))
        .isEqualTo(dirty.toBuilder().clearLogRecords().addLogRecords(dirty.getLogRecords(0)).build());
    assertThat(validated.request().getResourceLogs(1)).isSameAs(request.getResourceLogs(1));
  }

  @Test
  void keepsAScopeWhoseRecordsWereAllDropped() {
    ExportLogsServiceRequest request = request(scope("s", record("x", NONE, SPAN.substring(0, 1))));

    Validated<ExportLogsServiceRequest> validated = LogRecordValidator.validate(request);

    assertThat(validated.rejectedItems()).isEqualTo(1);
    ScopeLogs scope = validated.request().getResourceLogs(0).getScopeLogs(0);
    assertThat(scope.getLogRecordsCount()).isZero();
    assertThat(scope.getScope().getName()).isEqualTo("s");
  }

  @Test
  void countsRejectionsAcrossResources() {
    LogRecord bad = record("bad", TRACE.substring(0, 8), NONE);
    ExportLogsServiceRequest request =
        request(scope("s", bad)).toBuilder()
            .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope("t", bad, bad)))
            .build();

    assertThat(LogRecordValidator.validate(request).rejectedItems()).isEqualTo(3);
  }
}
