package io.telemetrylake.tools.query;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;

/**
 * The columns of {@code otel.traces} as the appender will create them (after the ClickHouse
 * exporter's otel_traces), for tests until common-proto has the table's definition. The catalog
 * assigns fresh field ids when it creates a table, so tests take them from the created table.
 */
final class TracesSchema {
  static final Schema SCHEMA = new Schema(
      NestedField.optional(1, "timestamp", Types.TimestampType.withZone()),
      NestedField.optional(2, "trace_id", Types.StringType.get()),
      NestedField.optional(3, "span_id", Types.StringType.get()),
      NestedField.optional(4, "parent_span_id", Types.StringType.get()),
      NestedField.optional(5, "trace_state", Types.StringType.get()),
      NestedField.optional(6, "span_name", Types.StringType.get()),
      NestedField.optional(7, "span_kind", Types.StringType.get()),
      NestedField.optional(8, "service_name", Types.StringType.get()),
      NestedField.optional(9, "resource_attributes", stringMap(30, 31)),
      NestedField.optional(10, "scope_name", Types.StringType.get()),
      NestedField.optional(11, "scope_version", Types.StringType.get()),
      NestedField.optional(12, "scope_attributes", stringMap(32, 33)),
      NestedField.optional(13, "span_attributes", stringMap(34, 35)),
      NestedField.optional(14, "duration", Types.LongType.get()),
      NestedField.optional(15, "status_code", Types.StringType.get()),
      NestedField.optional(16, "status_message", Types.StringType.get()),
      NestedField.optional(17, "events", Types.ListType.ofOptional(36, Types.StructType.of(
          NestedField.optional(40, "timestamp", Types.TimestampType.withZone()),
          NestedField.optional(41, "name", Types.StringType.get()),
          NestedField.optional(42, "attributes", stringMap(43, 44)),
          NestedField.optional(45, "dropped_attributes_count", Types.IntegerType.get())))),
      NestedField.optional(18, "links", Types.ListType.ofOptional(37, Types.StructType.of(
          NestedField.optional(50, "trace_id", Types.StringType.get()),
          NestedField.optional(51, "span_id", Types.StringType.get()),
          NestedField.optional(52, "trace_state", Types.StringType.get()),
          NestedField.optional(53, "attributes", stringMap(54, 55)),
          NestedField.optional(56, "dropped_attributes_count", Types.IntegerType.get())))),
      NestedField.optional(19, "trace_flags", Types.IntegerType.get()),
      NestedField.optional(20, "dropped_attributes_count", Types.IntegerType.get()),
      NestedField.optional(21, "dropped_events_count", Types.IntegerType.get()),
      NestedField.optional(22, "dropped_links_count", Types.IntegerType.get()),
      NestedField.optional(23, "resource_schema_url", Types.StringType.get()),
      NestedField.optional(24, "scope_schema_url", Types.StringType.get()));

  private TracesSchema() {}

  static PartitionSpec partitionSpec() {
    return PartitionSpec.builderFor(SCHEMA).day("timestamp", "timestamp_day").build();
  }

  private static Types.MapType stringMap(int keyId, int valueId) {
    return Types.MapType.ofOptional(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }
}
