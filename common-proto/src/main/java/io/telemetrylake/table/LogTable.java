package io.telemetrylake.table;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;

/**
 * The one definition of the lake table: columns, field ids, partitioning and sort order.
 *
 * <p>Field ids are part of the on-disk contract (Parquet files carry them), so they never change:
 * a new column gets a new id, a removed one leaves its id unused. They are the ids Iceberg itself
 * assigns when it creates the table (top-level columns first, then map keys and values in column
 * order), so this definition and a created table agree; writers still take the ids from the
 * table's own schema, which is the authority once a table exists. Every column is optional
 * because OTLP leaves almost everything unset and Parquet written by DuckDB is nullable throughout.
 */
public final class LogTable {
  public static final String TIMESTAMP = "timestamp";
  public static final String OBSERVED_TIMESTAMP = "observed_timestamp";
  public static final String SEVERITY_NUMBER = "severity_number";
  public static final String SEVERITY_TEXT = "severity_text";
  public static final String BODY = "body";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String TRACE_FLAGS = "trace_flags";
  public static final String EVENT_NAME = "event_name";
  public static final String SERVICE_NAME = "service_name";
  public static final String DEPLOYMENT_ENVIRONMENT = "deployment_environment";
  public static final String HOST_NAME = "host_name";
  public static final String RESOURCE_ATTRIBUTES = "resource_attributes";
  public static final String SCOPE_ATTRIBUTES = "scope_attributes";
  public static final String LOG_ATTRIBUTES = "log_attributes";
  public static final String SCOPE_NAME = "scope_name";
  public static final String SCOPE_VERSION = "scope_version";
  public static final String RESOURCE_SCHEMA_URL = "resource_schema_url";
  public static final String SCOPE_SCHEMA_URL = "scope_schema_url";
  public static final String DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";

  /** Partition field name of {@code day(timestamp)}. */
  public static final String TIMESTAMP_DAY = "timestamp_day";

  public static final Schema SCHEMA =
      new Schema(
          NestedField.optional(1, TIMESTAMP, Types.TimestampType.withZone()),
          NestedField.optional(2, OBSERVED_TIMESTAMP, Types.TimestampType.withZone()),
          NestedField.optional(3, SEVERITY_NUMBER, Types.IntegerType.get()),
          NestedField.optional(4, SEVERITY_TEXT, Types.StringType.get()),
          NestedField.optional(5, BODY, Types.StringType.get()),
          NestedField.optional(6, TRACE_ID, Types.StringType.get()),
          NestedField.optional(7, SPAN_ID, Types.StringType.get()),
          NestedField.optional(8, TRACE_FLAGS, Types.IntegerType.get()),
          NestedField.optional(9, EVENT_NAME, Types.StringType.get()),
          NestedField.optional(10, SERVICE_NAME, Types.StringType.get()),
          NestedField.optional(11, DEPLOYMENT_ENVIRONMENT, Types.StringType.get()),
          NestedField.optional(12, HOST_NAME, Types.StringType.get()),
          NestedField.optional(13, RESOURCE_ATTRIBUTES, stringMap(21, 22)),
          NestedField.optional(14, SCOPE_ATTRIBUTES, stringMap(23, 24)),
          NestedField.optional(15, LOG_ATTRIBUTES, stringMap(25, 26)),
          NestedField.optional(16, SCOPE_NAME, Types.StringType.get()),
          NestedField.optional(17, SCOPE_VERSION, Types.StringType.get()),
          NestedField.optional(18, RESOURCE_SCHEMA_URL, Types.StringType.get()),
          NestedField.optional(19, SCOPE_SCHEMA_URL, Types.StringType.get()),
          NestedField.optional(20, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get()));

  public static final TableDefinition DEFINITION =
      new TableDefinition(SCHEMA, partitionSpec(), sortOrder(), java.util.List.of(SERVICE_NAME, TIMESTAMP));

  private LogTable() {}

  /** Default partitioning: one partition per UTC day of the record's timestamp. */
  public static PartitionSpec partitionSpec() {
    return PartitionSpec.builderFor(SCHEMA).day(TIMESTAMP, TIMESTAMP_DAY).build();
  }

  /** Default sort order: rows of one service together, in time order (prunes well for typical queries). */
  public static SortOrder sortOrder() {
    return SortOrder.builderFor(SCHEMA).asc(SERVICE_NAME).asc(TIMESTAMP).build();
  }

  private static Types.MapType stringMap(int keyId, int valueId) {
    return Types.MapType.ofOptional(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }
}
