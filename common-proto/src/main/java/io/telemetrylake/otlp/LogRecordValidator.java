package io.telemetrylake.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;

/**
 * Drops the log records that a decoded request may carry but the lake must not store: those whose
 * {@code trace_id} is neither empty nor 16 bytes, or whose {@code span_id} is neither empty nor 8
 * bytes. Such records are counted and reported as a partial success, as OTLP asks, instead of
 * failing the whole request. Everything else is kept untouched, including empty scopes and
 * resources.
 */
public final class LogRecordValidator {
  private static final int TRACE_ID_BYTES = 16;
  private static final int SPAN_ID_BYTES = 8;

  private LogRecordValidator() {}

  public static Validated<ExportLogsServiceRequest> validate(ExportLogsServiceRequest request) {
    // A first pass that allocates nothing: almost every request is clean.
    LogRecord firstInvalid = null;
    int invalid = 0;
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          if (!isValid(record)) {
            if (firstInvalid == null) {
              firstInvalid = record;
            }
            invalid++;
          }
        }
      }
    }
    if (invalid == 0) {
      return new Validated<>(request, 0, "");
    }
    ExportLogsServiceRequest.Builder cleaned = ExportLogsServiceRequest.newBuilder();
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      cleaned.addResourceLogs(hasInvalid(resourceLogs) ? clean(resourceLogs) : resourceLogs);
    }
    return new Validated<>(cleaned.build(), invalid, message(invalid, firstInvalid));
  }

  private static boolean isValid(LogRecord record) {
    int traceIdBytes = record.getTraceId().size();
    int spanIdBytes = record.getSpanId().size();
    return (traceIdBytes == 0 || traceIdBytes == TRACE_ID_BYTES)
        && (spanIdBytes == 0 || spanIdBytes == SPAN_ID_BYTES);
  }

  private static boolean hasInvalid(ResourceLogs resourceLogs) {
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      if (hasInvalid(scopeLogs)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasInvalid(ScopeLogs scopeLogs) {
    for (LogRecord record : scopeLogs.getLogRecordsList()) {
      if (!isValid(record)) {
        return true;
      }
    }
    return false;
  }

  private static ResourceLogs clean(ResourceLogs resourceLogs) {
    ResourceLogs.Builder builder = resourceLogs.toBuilder().clearScopeLogs();
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      if (!hasInvalid(scopeLogs)) {
        builder.addScopeLogs(scopeLogs);
        continue;
      }
      ScopeLogs.Builder scope = scopeLogs.toBuilder().clearLogRecords();
      for (LogRecord record : scopeLogs.getLogRecordsList()) {
        if (isValid(record)) {
          scope.addLogRecords(record);
        }
      }
      builder.addScopeLogs(scope);
    }
    return builder.build();
  }

  private static String message(int invalid, LogRecord first) {
    return "rejected "
        + invalid
        + " log record(s) with an invalid trace_id or span_id: trace_id must be empty or "
        + TRACE_ID_BYTES
        + " bytes (32 hex digits), span_id empty or "
        + SPAN_ID_BYTES
        + " bytes (16 hex digits); first rejected record has a trace_id of "
        + first.getTraceId().size()
        + " bytes and a span_id of "
        + first.getSpanId().size()
        + " bytes";
  }
}
