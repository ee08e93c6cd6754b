package io.telemetrylake.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogRowMapperTest {
  private static final long FALLBACK = 1_700_000_000_000_000L;

  @Test
  void mapsEveryColumnOfARichRecord() {
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                ResourceLogs.newBuilder()
                    .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(kv("service.name", str("checkout")))
                            .addAttributes(kv("deployment.environment.name", str("prod")))
                            .addAttributes(kv("deployment.environment", str("legacy")))
                            .addAttributes(kv("host.name", str("node-1")))
                            .addAttributes(kv("process.pid", AnyValue.newBuilder().setIntValue(42).build())))
                    .addScopeLogs(
                        ScopeLogs.newBuilder()
                            .setSchemaUrl("https://scope/schema")
                            .setScope(
                                InstrumentationScope.newBuilder()
                                    .setName("io.app.Logger")
                                    .setVersion("1.2.3")
                                    .addAttributes(kv("scope.flag", AnyValue.newBuilder().setBoolValue(true).build())))
                            .addLogRecords(
                                LogRecord.newBuilder()
                                    .setTimeUnixNano(1_700_000_000_123_456_789L)
                                    .setObservedTimeUnixNano(1_700_000_001_000_000_000L)
                                    .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN)
                                    .setSeverityText("WARN")
                                    .setBody(str("disk almost full"))
                                    .setTraceId(ByteString.fromHex("5B8EFFF798038103D269B633813FC60C".toLowerCase()))
                                    .setSpanId(ByteString.fromHex("eee19b7ec3c1b174"))
                                    .setFlags(1)
                                    .setEventName("disk.alert")
                                    .setDroppedAttributesCount(3)
                                    .addAttributes(kv("free.bytes", AnyValue.newBuilder().setDoubleValue(12.5).build()))
                                    .addAttributes(kv("tags", array(str("a"), AnyValue.newBuilder().setIntValue(7).build()))))))
            .build();

    List<LogRow> rows = LogRowMapper.toRows(request, FALLBACK);

    assertThat(rows).singleElement().isEqualTo(
        new LogRow(
            1_700_000_000_123_456L,
            1_700_000_001_000_000L,
            13,
            "WARN",
            "disk almost full",
            "5b8efff798038103d269b633813fc60c",
            "eee19b7ec3c1b174",
            1,
            "disk.alert",
            "checkout",
            "prod",
            "node-1",
            Map.of(
                "service.name", "checkout",
                "deployment.environment.name", "prod",
                "deployment.environment", "legacy",
                "host.name", "node-1",
                "process.pid", "42"),
            Map.of("scope.flag", "true"),
            Map.of("free.bytes", "12.5", "tags", "[\"a\",7]"),
            "io.app.Logger",
            "1.2.3",
            "https://opentelemetry.io/schemas/1.30.0",
            "https://scope/schema",
            3));
  }

  @Test
  void usesObservedTimeWhenTimeIsZeroAndFallbackWhenBothAre() {
    LogRecord observedOnly = LogRecord.newBuilder().setObservedTimeUnixNano(5_000_000L).build();
    LogRecord neither = LogRecord.newBuilder().setBody(str("x")).build();

    List<LogRow> rows = LogRowMapper.toRows(requestOf(Resource.getDefaultInstance(), observedOnly, neither), FALLBACK);

    assertThat(rows.get(0).timestampMicros()).isEqualTo(5_000L);
    assertThat(rows.get(0).observedTimestampMicros()).isEqualTo(5_000L);
    assertThat(rows.get(1).timestampMicros()).isEqualTo(FALLBACK);
    assertThat(rows.get(1).observedTimestampMicros()).isNull();
  }

  @Test
  void readsTimesBeyond2To63AsUnsigned() {
    LogRecord record = LogRecord.newBuilder().setTimeUnixNano(-1L).build(); // 2^64 - 1 ns

    LogRow row = LogRowMapper.toRows(requestOf(Resource.getDefaultInstance(), record), FALLBACK).get(0);

    assertThat(row.timestampMicros()).isEqualTo(Long.divideUnsigned(-1L, 1000L)).isPositive();
  }

  @Test
  void leavesUnsetFieldsNull() {
    LogRow row =
        LogRowMapper.toRows(requestOf(Resource.getDefaultInstance(), LogRecord.getDefaultInstance()), FALLBACK).get(0);

    assertThat(row.body()).isNull();
    assertThat(row.traceId()).isNull();
    assertThat(row.spanId()).isNull();
    assertThat(row.severityText()).isNull();
    assertThat(row.eventName()).isNull();
    assertThat(row.serviceName()).isNull();
    assertThat(row.scopeName()).isNull();
    assertThat(row.resourceSchemaUrl()).isNull();
    assertThat(row.logAttributes()).isEmpty();
    assertThat(row.resourceAttributes()).isEmpty();
  }

  @Test
  void neverInheritsServiceNameFromAnotherResource() {
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(resourceLogs(Resource.newBuilder().addAttributes(kv("service.name", str("a"))).build()))
            .addResourceLogs(resourceLogs(Resource.getDefaultInstance()))
            .addResourceLogs(resourceLogs(Resource.newBuilder().addAttributes(kv("service.name", str("c"))).build()))
            .build();

    assertThat(LogRowMapper.toRows(request, FALLBACK))
        .extracting(LogRow::serviceName)
        .containsExactly("a", null, "c");
  }

  @Test
  void fallsBackToLegacyDeploymentEnvironment() {
    Resource resource = Resource.newBuilder().addAttributes(kv("deployment.environment", str("staging"))).build();

    LogRow row = LogRowMapper.toRows(requestOf(resource, LogRecord.getDefaultInstance()), FALLBACK).get(0);

    assertThat(row.deploymentEnvironment()).isEqualTo("staging");
  }

  @Test
  void rendersNonStringBodiesAsCompactJson() {
    AnyValue kvlist =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(kv("msg", str("he said \"hi\"\n")))
                    .addValues(kv("n", AnyValue.newBuilder().setIntValue(-3).build()))
                    .addValues(kv("ok", AnyValue.newBuilder().setBoolValue(false).build()))
                    .addValues(kv("raw", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build()))
                    .addValues(kv("none", AnyValue.getDefaultInstance())))
            .build();

    assertThat(AnyValues.toColumnString(kvlist))
        .isEqualTo("{\"msg\":\"he said \\\"hi\\\"\\n\",\"n\":-3,\"ok\":false,\"raw\":\"aGk=\",\"none\":null}");
    assertThat(AnyValues.toColumnString(AnyValue.newBuilder().setDoubleValue(Double.NaN).build()))
        .isEqualTo("\"NaN\"");
    assertThat(AnyValues.toColumnString(AnyValue.newBuilder().setDoubleValue(3).build())).isEqualTo("3.0");
    assertThat(AnyValues.toColumnString(str("plain"))).isEqualTo("plain");
  }

  @Test
  void sharesResourceAttributeMapsBetweenRowsOfOneResource() {
    Resource resource = Resource.newBuilder().addAttributes(kv("service.name", str("a"))).build();

    List<LogRow> rows =
        LogRowMapper.toRows(requestOf(resource, LogRecord.getDefaultInstance(), LogRecord.getDefaultInstance()), FALLBACK);

    assertThat(rows.get(0).resourceAttributes()).isSameAs(rows.get(1).resourceAttributes());
  }

  static ExportLogsServiceRequest requestOf(Resource resource, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(resource)
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))))
        .build();
  }

  private static ResourceLogs resourceLogs(Resource resource) {
    return ResourceLogs.newBuilder()
        .setResource(resource)
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.getDefaultInstance()))
        .build();
  }

  static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  static AnyValue array(AnyValue... values) {
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values))).build();
  }
}
