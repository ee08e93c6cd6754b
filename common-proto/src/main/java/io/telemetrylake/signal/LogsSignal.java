package io.telemetrylake.signal;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.LogRecordValidator;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpLogsDecoder;
import io.telemetrylake.otlp.Validated;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.record.OtlpShape;
import io.telemetrylake.table.LogTable;
import io.telemetrylake.table.TableDefinition;
import java.util.List;

/** Logs: {@code POST /v1/logs} → topic {@code otel-logs} → table {@code logs}. */
public final class LogsSignal implements Signal<ExportLogsServiceRequest> {
  static final OtlpShape<ExportLogsServiceRequest, ResourceLogs, ScopeLogs, LogRecord> SHAPE =
      new OtlpShape<>() {
        @Override
        public String itemsName() {
          return "log record(s)";
        }

        @Override
        public int requestResourcesField() {
          return ExportLogsServiceRequest.RESOURCE_LOGS_FIELD_NUMBER;
        }

        @Override
        public int resourceScopesField() {
          return ResourceLogs.SCOPE_LOGS_FIELD_NUMBER;
        }

        @Override
        public int scopeItemsField() {
          return ScopeLogs.LOG_RECORDS_FIELD_NUMBER;
        }

        @Override
        public List<ResourceLogs> resources(ExportLogsServiceRequest request) {
          return request.getResourceLogsList();
        }

        @Override
        public Resource resource(ResourceLogs resource) {
          return resource.getResource();
        }

        @Override
        public List<ScopeLogs> scopes(ResourceLogs resource) {
          return resource.getScopeLogsList();
        }

        @Override
        public int itemCount(ScopeLogs scope) {
          return scope.getLogRecordsCount();
        }

        @Override
        public List<LogRecord> items(ScopeLogs scope) {
          return scope.getLogRecordsList();
        }

        @Override
        public ResourceLogs withScopes(ResourceLogs resource, List<ScopeLogs> scopes) {
          return resource.toBuilder().clearScopeLogs().addAllScopeLogs(scopes).build();
        }

        @Override
        public ScopeLogs withItems(ScopeLogs scope, List<LogRecord> items) {
          return scope.toBuilder().clearLogRecords().addAllLogRecords(items).build();
        }

        @Override
        public ExportLogsServiceRequest request(ResourceLogs resource) {
          return ExportLogsServiceRequest.newBuilder().addResourceLogs(resource).build();
        }
      };

  LogsSignal() {}

  @Override
  public String name() {
    return "logs";
  }

  @Override
  public String items() {
    return "log_records";
  }

  @Override
  public String path() {
    return "/v1/logs";
  }

  @Override
  public String defaultTopic() {
    return "otel-logs";
  }

  @Override
  public String defaultTable() {
    return "logs";
  }

  @Override
  public String rejectedField() {
    return "rejectedLogRecords";
  }

  @Override
  public OtlpShape<ExportLogsServiceRequest, ResourceLogs, ScopeLogs, LogRecord> shape() {
    return SHAPE;
  }

  @Override
  public ExportLogsServiceRequest decodeBody(byte[] body, OtlpEncoding encoding) throws OtlpDecodeException {
    return OtlpLogsDecoder.decode(body, encoding);
  }

  @Override
  public ExportLogsServiceRequest decodeValue(byte[] value) throws OtlpDecodeException {
    return KafkaRecordFormat.decodeValue(value);
  }

  @Override
  public Validated<ExportLogsServiceRequest> validate(ExportLogsServiceRequest request) {
    return LogRecordValidator.validate(request);
  }

  @Override
  public TableDefinition table() {
    return LogTable.DEFINITION;
  }

  @Override
  public String toString() {
    return name();
  }
}
