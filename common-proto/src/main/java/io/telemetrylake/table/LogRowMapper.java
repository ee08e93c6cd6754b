package io.telemetrylake.table;

import static io.telemetrylake.table.RowValues.attributes;
import static io.telemetrylake.table.RowValues.emptyToNull;
import static io.telemetrylake.table.RowValues.hexOrNull;
import static io.telemetrylake.table.RowValues.nanosToMicros;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Maps OTLP log records to table rows.
 *
 * <p>Resource- and scope-level values are computed once per resource and scope and shared by their
 * rows, so the per-record cost is only the record's own fields.
 */
public final class LogRowMapper {
  static final String DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name";
  static final String DEPLOYMENT_ENVIRONMENT = "deployment.environment";
  static final String HOST_NAME = "host.name";

  private LogRowMapper() {}

  /**
   * Emits one row per log record of the request, in request order.
   *
   * @param fallbackTimeMicros the row's timestamp when the record has neither a time nor an observed
   *     time (the appender passes the Kafka record's timestamp, i.e. when the ingester took it in)
   */
  public static void forEachRow(
      ExportLogsServiceRequest request, long fallbackTimeMicros, Consumer<LogRow> rows) {
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      ResourcePart resource =
          ResourcePart.of(resourceLogs.getResource(), resourceLogs.getSchemaUrl());
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        InstrumentationScope scope = scopeLogs.getScope();
        Map<String, String> scopeAttributes = attributes(scope.getAttributesList());
        String scopeName = emptyToNull(scope.getName());
        String scopeVersion = emptyToNull(scope.getVersion());
        String scopeSchemaUrl = emptyToNull(scopeLogs.getSchemaUrl());
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          rows.accept(
              new LogRow(
                  timestampMicros(record, fallbackTimeMicros),
                  record.getObservedTimeUnixNano() == 0
                      ? null
                      : nanosToMicros(record.getObservedTimeUnixNano()),
                  record.getSeverityNumberValue(),
                  emptyToNull(record.getSeverityText()),
                  AnyValues.toColumnString(record.getBody()),
                  hexOrNull(record.getTraceId().toByteArray()),
                  hexOrNull(record.getSpanId().toByteArray()),
                  record.getFlags(),
                  emptyToNull(record.getEventName()),
                  resource.serviceName,
                  resource.deploymentEnvironment,
                  resource.hostName,
                  resource.attributes,
                  scopeAttributes,
                  attributes(record.getAttributesList()),
                  scopeName,
                  scopeVersion,
                  resource.schemaUrl,
                  scopeSchemaUrl,
                  record.getDroppedAttributesCount()));
        }
      }
    }
  }

  /** Convenience for tests and small tools: all rows of a request in a list. */
  public static List<LogRow> toRows(ExportLogsServiceRequest request, long fallbackTimeMicros) {
    List<LogRow> rows = new ArrayList<>();
    forEachRow(request, fallbackTimeMicros, rows::add);
    return rows;
  }

  /** Time of the event; the observed time when the source did not set one (per the OTLP spec). */
  static long timestampMicros(LogRecord record, long fallbackTimeMicros) {
    if (record.getTimeUnixNano() != 0) {
      return nanosToMicros(record.getTimeUnixNano());
    }
    if (record.getObservedTimeUnixNano() != 0) {
      return nanosToMicros(record.getObservedTimeUnixNano());
    }
    return fallbackTimeMicros;
  }

  /** The values every row of one resource shares; computed from that resource only. */
  record ResourcePart(
      Map<String, String> attributes,
      String serviceName,
      String deploymentEnvironment,
      String hostName,
      String schemaUrl) {

    static ResourcePart of(Resource resource, String resourceSchemaUrl) {
      String serviceName = null;
      String environmentName = null;
      String environment = null;
      String hostName = null;
      for (KeyValue kv : resource.getAttributesList()) {
        switch (kv.getKey()) {
          case RowValues.SERVICE_NAME -> serviceName = AnyValues.toColumnString(kv.getValue());
          case DEPLOYMENT_ENVIRONMENT_NAME ->
              environmentName = AnyValues.toColumnString(kv.getValue());
          case DEPLOYMENT_ENVIRONMENT -> environment = AnyValues.toColumnString(kv.getValue());
          case HOST_NAME -> hostName = AnyValues.toColumnString(kv.getValue());
          default -> {}
        }
      }
      return new ResourcePart(
          RowValues.attributes(resource.getAttributesList()),
          serviceName,
          environmentName != null ? environmentName : environment,
          hostName,
          emptyToNull(resourceSchemaUrl));
    }
  }
}
