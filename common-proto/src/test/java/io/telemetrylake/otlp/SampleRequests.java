package io.telemetrylake.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.HexFormat;

/** Requests for tests, built with the protobuf builders. */
public final class SampleRequests {
  public static final ByteString TRACE_ID = hex("5b8efff798038103d269b633813fc60c");
  public static final ByteString SPAN_ID = hex("eee19b7ec3c1b174");

  private SampleRequests() {}

  public static ByteString hex(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  public static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  public static AnyValue integer(long value) {
    return AnyValue.newBuilder().setIntValue(value).build();
  }

  public static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  public static KeyValue attribute(String key, String value) {
    return attribute(key, string(value));
  }

  public static Resource resource(KeyValue... attributes) {
    Resource.Builder resource = Resource.newBuilder();
    for (KeyValue attribute : attributes) {
      resource.addAttributes(attribute);
    }
    return resource.build();
  }

  /** A record with a body of the given string. */
  public static LogRecord record(String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(1_700_000_000_000_000_000L)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
        .setBody(string(body))
        .build();
  }

  /** Every AnyValue kind, nested arrays and lists included. */
  public static KeyValueList everyKindOfValue() {
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(string("many"))
                    .addValues(integer(-7))
                    .addValues(
                        AnyValue.newBuilder()
                            .setArrayValue(ArrayValue.newBuilder().addValues(string("nested"))))
                    .addValues(AnyValue.getDefaultInstance()))
            .build();
    AnyValue kvlist =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(attribute("inner", "value"))
                    .addValues(
                        attribute(
                            "deeper",
                            AnyValue.newBuilder()
                                .setKvlistValue(
                                    KeyValueList.newBuilder()
                                        .addValues(attribute("leaf", AnyValue.newBuilder().setBoolValue(false).build())))
                                .build())))
            .build();
    return KeyValueList.newBuilder()
        .addValues(attribute("string", "some string with \"quotes\", \\, \n and é ✓ 𝄞"))
        .addValues(attribute("empty.string", ""))
        .addValues(attribute("bool", AnyValue.newBuilder().setBoolValue(true).build()))
        .addValues(attribute("int", integer(10)))
        .addValues(attribute("int.min", integer(Long.MIN_VALUE)))
        .addValues(attribute("int.max", integer(Long.MAX_VALUE)))
        .addValues(attribute("double", AnyValue.newBuilder().setDoubleValue(637.704).build()))
        .addValues(attribute("double.tiny", AnyValue.newBuilder().setDoubleValue(-1.0e-300).build()))
        .addValues(attribute("double.nan", AnyValue.newBuilder().setDoubleValue(Double.NaN).build()))
        .addValues(
            attribute("double.inf", AnyValue.newBuilder().setDoubleValue(Double.POSITIVE_INFINITY).build()))
        .addValues(
            attribute(
                "double.-inf", AnyValue.newBuilder().setDoubleValue(Double.NEGATIVE_INFINITY).build()))
        .addValues(attribute("array", array))
        .addValues(attribute("kvlist", kvlist))
        .addValues(
            attribute(
                "bytes",
                AnyValue.newBuilder()
                    .setBytesValue(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xfb, (byte) 0xff}))
                    .build()))
        .addValues(attribute("strindex", AnyValue.newBuilder().setStringValueStrindex(3).build()))
        .addValues(KeyValue.newBuilder().setKey("no.value"))
        .addValues(KeyValue.newBuilder().setKeyStrindex(2).setValue(string("by index")))
        .build();
  }

  /**
   * A request that uses every field of the logs protocol: all value kinds, ids, flags, event
   * names, dropped counts, schema URLs, entity references, several resources and scopes.
   */
  public static ExportLogsServiceRequest rich() {
    KeyValueList values = everyKindOfValue();
    LogRecord full =
        LogRecord.newBuilder()
            .setTimeUnixNano(1_544_712_660_300_000_000L)
            .setObservedTimeUnixNano(-1L) // 2^64 - 1 as fixed64: beyond the signed range
            .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR3)
            .setSeverityText("Error")
            .setBody(AnyValue.newBuilder().setKvlistValue(values))
            .addAllAttributes(values.getValuesList())
            .setDroppedAttributesCount(3)
            .setFlags(0x01)
            .setTraceId(TRACE_ID)
            .setSpanId(SPAN_ID)
            .setEventName("browser.page_view")
            .build();
    LogRecord unsignedFlags =
        LogRecord.newBuilder()
            .setTimeUnixNano(Long.MIN_VALUE) // exactly 2^63
            .setSeverityNumberValue(42) // not a known SeverityNumber: kept as a number
            .setDroppedAttributesCount(-1) // 2^32 - 1 as uint32
            .setFlags(-1) // 2^32 - 1 as fixed32
            .setBody(AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("raw bytes")))
            .build();
    ResourceLogs first =
        ResourceLogs.newBuilder()
            .setResource(
                Resource.newBuilder()
                    .addAttributes(attribute("service.name", "checkout"))
                    .addAttributes(attribute("host.name", "host-1"))
                    .addAttributes(attribute("resource.values", AnyValue.newBuilder().setKvlistValue(values).build()))
                    .setDroppedAttributesCount(2)
                    .addEntityRefs(
                        EntityRef.newBuilder()
                            .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
                            .setType("service")
                            .addIdKeys("service.name")
                            .addIdKeys("service.namespace")
                            .addDescriptionKeys("service.version")))
            .addScopeLogs(
                ScopeLogs.newBuilder()
                    .setScope(
                        InstrumentationScope.newBuilder()
                            .setName("my.library")
                            .setVersion("1.0.0")
                            .addAttributes(attribute("my.scope.attribute", "scope value"))
                            .setDroppedAttributesCount(1))
                    .addLogRecords(full)
                    .addLogRecords(record("second"))
                    .setSchemaUrl("scope_schema"))
            .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(unsignedFlags))
            .addScopeLogs(ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("empty.scope")))
            .setSchemaUrl("resource_schema")
            .build();
    ResourceLogs second =
        ResourceLogs.newBuilder()
            .setResource(resource(attribute("service.name", "payments")))
            .addScopeLogs(
                ScopeLogs.newBuilder()
                    .setScope(InstrumentationScope.newBuilder().setName("other.library"))
                    .addLogRecords(LogRecord.getDefaultInstance())
                    .addLogRecords(record("third")))
            .build();
    ResourceLogs third = ResourceLogs.newBuilder().build(); // no resource, no scopes
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(first)
        .addResourceLogs(second)
        .addResourceLogs(third)
        .build();
  }

  public static int recordCount(ExportLogsServiceRequest request) {
    int count = 0;
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        count += scopeLogs.getLogRecordsCount();
      }
    }
    return count;
  }
}
