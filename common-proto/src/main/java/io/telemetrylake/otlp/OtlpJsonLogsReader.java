package io.telemetrylake.otlp;

import static io.telemetrylake.otlp.OtlpJson.nextField;
import static io.telemetrylake.otlp.OtlpJson.readArray;
import static io.telemetrylake.otlp.OtlpJson.readAttributes;
import static io.telemetrylake.otlp.OtlpJson.readHex;
import static io.telemetrylake.otlp.OtlpJson.readInt;
import static io.telemetrylake.otlp.OtlpJson.readLong;
import static io.telemetrylake.otlp.OtlpJson.readString;
import static io.telemetrylake.otlp.OtlpJson.startObject;

import com.fasterxml.jackson.core.JsonParser;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.telemetrylake.otlp.OtlpJson.IntKind;
import java.io.IOException;
import java.util.Map;

/**
 * OTLP/JSON ({@code ExportLogsServiceRequest}) decoder: the logs structure only; the rules and
 * everything signal-neutral are in {@link OtlpJson}. {@code severityNumber} is an integer, or the
 * enum name ({@code SEVERITY_NUMBER_INFO}).
 */
final class OtlpJsonLogsReader {
  /**
   * How many levels of {@code arrayValue}/{@code kvlistValue} may nest (a top-level attribute or
   * body value is level 1). Chosen so that every request accepted here stays within the protobuf
   * recursion limit of {@value OtlpLogsDecoder#PROTOBUF_RECURSION_LIMIT} once re-encoded for Kafka:
   * a level-n value inside a log record attribute sits at protobuf depth 5 + 3(n - 1), and the key
   * values of a level-32 key/value list at depth 100. Resource and scope attributes sit no deeper.
   */
  static final int MAX_VALUE_DEPTH = 32;

  private static final Map<String, Integer> SEVERITY_BY_NAME =
      OtlpJson.enumNumbers(SeverityNumber.getDescriptor());

  private OtlpJsonLogsReader() {}

  static ExportLogsServiceRequest read(byte[] body) throws OtlpDecodeException {
    return OtlpJson.read(
        body, ExportLogsServiceRequest.getDefaultInstance(), OtlpJsonLogsReader::readRequest);
  }

  private static ExportLogsServiceRequest readRequest(JsonParser p)
      throws IOException, OtlpDecodeException {
    ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "resourceLogs", "resource_logs" ->
            readArray(p, "resourceLogs", () -> b.addResourceLogs(readResourceLogs(p)));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static ResourceLogs readResourceLogs(JsonParser p)
      throws IOException, OtlpDecodeException {
    startObject(p, "a ResourceLogs");
    ResourceLogs.Builder b = ResourceLogs.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "resource" -> b.setResource(OtlpJson.readResource(p, MAX_VALUE_DEPTH));
        case "scopeLogs", "scope_logs" ->
            readArray(p, "scopeLogs", () -> b.addScopeLogs(readScopeLogs(p)));
        case "schemaUrl", "schema_url" -> b.setSchemaUrl(readString(p, "schemaUrl"));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static ScopeLogs readScopeLogs(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "a ScopeLogs");
    ScopeLogs.Builder b = ScopeLogs.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "scope" -> b.setScope(OtlpJson.readScope(p, MAX_VALUE_DEPTH));
        case "logRecords", "log_records" ->
            readArray(p, "logRecords", () -> b.addLogRecords(readLogRecord(p)));
        case "schemaUrl", "schema_url" -> b.setSchemaUrl(readString(p, "schemaUrl"));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static LogRecord readLogRecord(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "a LogRecord");
    LogRecord.Builder b = LogRecord.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "timeUnixNano", "time_unix_nano" ->
            b.setTimeUnixNano(readLong(p, "timeUnixNano", IntKind.UINT64));
        case "observedTimeUnixNano", "observed_time_unix_nano" ->
            b.setObservedTimeUnixNano(readLong(p, "observedTimeUnixNano", IntKind.UINT64));
        case "severityNumber", "severity_number" ->
            b.setSeverityNumberValue(
                OtlpJson.readEnum(p, "severityNumber", "SeverityNumber", SEVERITY_BY_NAME));
        case "severityText", "severity_text" -> b.setSeverityText(readString(p, "severityText"));
        case "body" -> b.setBody(OtlpJson.readAnyValue(p, 1, MAX_VALUE_DEPTH));
        case "attributes" -> readAttributes(p, MAX_VALUE_DEPTH, b::addAttributes);
        case "droppedAttributesCount", "dropped_attributes_count" ->
            b.setDroppedAttributesCount(readInt(p, "droppedAttributesCount", IntKind.UINT32));
        case "flags" -> b.setFlags(readInt(p, "flags", IntKind.UINT32));
        case "traceId", "trace_id" -> b.setTraceId(readHex(p, "traceId"));
        case "spanId", "span_id" -> b.setSpanId(readHex(p, "spanId"));
        case "eventName", "event_name" -> b.setEventName(readString(p, "eventName"));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }
}
