package io.telemetrylake.appender.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogTable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import org.apache.iceberg.data.Record;

/** OTLP requests that exercise every column, and rows read back from the table for comparison. */
public final class Samples {
  // 2025-11-20T23:59:59.999999Z and the next day: rows of one flush on both sides of midnight
  private static final long LAST_MICRO_OF_DAY = Instant.parse("2025-11-20T23:59:59.999999Z")
      .toEpochMilli() * 1000 + 999;
  private static final long NANOS_BEFORE_MIDNIGHT = LAST_MICRO_OF_DAY * 1000 + 123;

  private Samples() {}

  /** A request that exercises every column: NULLs, odd ids, nested bodies, escapes, two days. */
  public static ExportLogsServiceRequest sampleRequest() {
    Resource resource = Resource.newBuilder()
        .addAttributes(kv("service.name", "checkout"))
        .addAttributes(kv("deployment.environment.name", "prod"))
        .addAttributes(kv("host.name", "host-1"))
        .addAttributes(kv("quote\"key", "new\nline \u00e9\u4e2d\ud83d\ude00"))
        .addAttributes(KeyValue.newBuilder().setKey("int").setValue(AnyValue.newBuilder().setIntValue(42)))
        .build();
    ScopeLogs scope = ScopeLogs.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("com.example").setVersion("1.2")
            .addAttributes(kv("scope.attr", "s")))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
        .addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(NANOS_BEFORE_MIDNIGHT)
            .setObservedTimeUnixNano(NANOS_BEFORE_MIDNIGHT + 5_000)
            .setSeverityNumberValue(17).setSeverityText("ERROR")
            .setBody(AnyValue.newBuilder().setStringValue("boom \\ \"quoted\" \t tab"))
            .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex("ff00000000000000000000000000ab01")))
            .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("8000000000000001")))
            .setFlags(1)
            .setEventName("checkout.failed")
            .setDroppedAttributesCount(3)
            .addAttributes(kv("http.route", "/cart/{id}"))
            .addAttributes(KeyValue.newBuilder().setKey("unset")))
        .addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(NANOS_BEFORE_MIDNIGHT + 1_000)
            // leading zeros must survive the UUID/BIGINT round trip
            .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex("000000000000000000000000000000ab")))
            .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("00000000000000cd")))
            .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                .addValues(kv("a", "b")))))
        .addLogRecords(LogRecord.newBuilder()
            // odd-length ids (a Collector may forward them): kept as hex text
            .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3}))
            .setSpanId(ByteString.copyFrom(new byte[] {(byte) 0xAB}))
            .setObservedTimeUnixNano(NANOS_BEFORE_MIDNIGHT + 2_000_000))
        .build();
    ScopeLogs bareScope = ScopeLogs.newBuilder()
        .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(NANOS_BEFORE_MIDNIGHT - 1_000_000_000L))
        .build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope).addScopeLogs(bareScope))
        // a resource without attributes: no service name, sorted first
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(bareScope))
        .build();
  }

  /** One resource's {@code records} log records, each with a distinct body of {@code bodyBytes}. */
  public static ExportLogsServiceRequest bulkRequest(int records, int bodyBytes) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    java.util.Random random = new java.util.Random(records * 31L + bodyBytes);
    for (int i = 0; i < records; i++) {
      StringBuilder body = new StringBuilder(bodyBytes);
      while (body.length() < bodyBytes) {
        body.append(Long.toString(random.nextLong(), 36));
      }
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(NANOS_BEFORE_MIDNIGHT - i * 1_000_000L)
          .setBody(AnyValue.newBuilder().setStringValue(body.substring(0, bodyBytes)))
          .addAttributes(kv("i", Integer.toString(i))));
    }
    Resource resource = Resource.newBuilder().addAttributes(kv("service.name", "bulk")).build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope))
        .build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  public static final Comparator<LogRow> ROW_ORDER =
      Comparator.comparingLong(LogRow::timestampMicros)
          .thenComparing(r -> String.valueOf(r.body()))
          .thenComparing(r -> String.valueOf(r.serviceName()));

  /** The row as read back (by field id, through Iceberg's reader). */
  @SuppressWarnings("unchecked")
  public static LogRow asRow(Record r) {
    return new LogRow(
        micros((OffsetDateTime) r.getField(LogTable.TIMESTAMP)),
        r.getField(LogTable.OBSERVED_TIMESTAMP) == null
            ? null : micros((OffsetDateTime) r.getField(LogTable.OBSERVED_TIMESTAMP)),
        (Integer) r.getField(LogTable.SEVERITY_NUMBER),
        (String) r.getField(LogTable.SEVERITY_TEXT),
        (String) r.getField(LogTable.BODY),
        (String) r.getField(LogTable.TRACE_ID),
        (String) r.getField(LogTable.SPAN_ID),
        (Integer) r.getField(LogTable.TRACE_FLAGS),
        (String) r.getField(LogTable.EVENT_NAME),
        (String) r.getField(LogTable.SERVICE_NAME),
        (String) r.getField(LogTable.DEPLOYMENT_ENVIRONMENT),
        (String) r.getField(LogTable.HOST_NAME),
        Map.copyOf((Map<String, String>) r.getField(LogTable.RESOURCE_ATTRIBUTES)),
        Map.copyOf((Map<String, String>) r.getField(LogTable.SCOPE_ATTRIBUTES)),
        Map.copyOf((Map<String, String>) r.getField(LogTable.LOG_ATTRIBUTES)),
        (String) r.getField(LogTable.SCOPE_NAME),
        (String) r.getField(LogTable.SCOPE_VERSION),
        (String) r.getField(LogTable.RESOURCE_SCHEMA_URL),
        (String) r.getField(LogTable.SCOPE_SCHEMA_URL),
        (Integer) r.getField(LogTable.DROPPED_ATTRIBUTES_COUNT));
  }

  /** The source row with plain maps, comparable with {@link #asRow}. */
  public static LogRow normalized(LogRow r) {
    return new LogRow(r.timestampMicros(), r.observedTimestampMicros(), r.severityNumber(),
        r.severityText(), r.body(), r.traceId(), r.spanId(), r.traceFlags(), r.eventName(),
        r.serviceName(), r.deploymentEnvironment(), r.hostName(), Map.copyOf(r.resourceAttributes()),
        Map.copyOf(r.scopeAttributes()), Map.copyOf(r.logAttributes()), r.scopeName(),
        r.scopeVersion(), r.resourceSchemaUrl(), r.scopeSchemaUrl(), r.droppedAttributesCount());
  }

  private static long micros(OffsetDateTime t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t.toInstant());
  }
}
