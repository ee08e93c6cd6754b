package io.telemetrylake.table;

import java.util.Map;

/**
 * One row of the lake table: one OTLP log record with its resource and scope flattened in.
 *
 * <p>Times are microseconds since the epoch (Iceberg {@code timestamptz} precision). Maps are never
 * null (empty when there are no attributes) and are shared between rows of one resource or scope.
 * Boxed and string fields are null where OTLP leaves the value unset (empty string or zero time).
 */
public record LogRow(
    long timestampMicros,
    Long observedTimestampMicros,
    int severityNumber,
    String severityText,
    String body,
    String traceId,
    String spanId,
    int traceFlags,
    String eventName,
    String serviceName,
    String deploymentEnvironment,
    String hostName,
    Map<String, String> resourceAttributes,
    Map<String, String> scopeAttributes,
    Map<String, String> logAttributes,
    String scopeName,
    String scopeVersion,
    String resourceSchemaUrl,
    String scopeSchemaUrl,
    int droppedAttributesCount) {}
