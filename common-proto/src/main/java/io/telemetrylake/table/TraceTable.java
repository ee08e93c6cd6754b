package io.telemetrylake.table;

import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;

/**
 * The traces table: one row per span, columns in snake_case after the OpenTelemetry Collector's
 * ClickHouse exporter's {@code otel_traces}, the schema most trace tooling knows. Field ids follow
 * the same rules as {@link LogTable}'s: top-level columns first, nested ids after them in column
 * order (what Iceberg assigns at creation), never reused.
 *
 * <p>Kinds and status codes are the OTLP enum names ({@code SPAN_KIND_SERVER}, {@code
 * STATUS_CODE_ERROR}); ids are lower-case hex; {@code duration} is end minus start in
 * nanoseconds.
 *
 * <p>Sorted by {@code trace_id, timestamp} within each day: the lookup that matters for traces is
 * by id, and a sort by id makes every file's and row group's {@code trace_id} min/max a narrow
 * range that prunes (measured against the logs table's {@code service_name, timestamp}, see
 * docs/BENCHMARKS.md "Traces").
 */
public final class TraceTable {
  public static final String TIMESTAMP = "timestamp";
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";
  public static final String PARENT_SPAN_ID = "parent_span_id";
  public static final String TRACE_STATE = "trace_state";
  public static final String SPAN_NAME = "span_name";
  public static final String SPAN_KIND = "span_kind";
  public static final String SERVICE_NAME = "service_name";
  public static final String RESOURCE_ATTRIBUTES = "resource_attributes";
  public static final String SCOPE_NAME = "scope_name";
  public static final String SCOPE_VERSION = "scope_version";
  public static final String SCOPE_ATTRIBUTES = "scope_attributes";
  public static final String SPAN_ATTRIBUTES = "span_attributes";
  public static final String DURATION = "duration";
  public static final String STATUS_CODE = "status_code";
  public static final String STATUS_MESSAGE = "status_message";
  public static final String EVENTS = "events";
  public static final String LINKS = "links";
  public static final String TRACE_FLAGS = "trace_flags";
  public static final String DROPPED_ATTRIBUTES_COUNT = "dropped_attributes_count";
  public static final String DROPPED_EVENTS_COUNT = "dropped_events_count";
  public static final String DROPPED_LINKS_COUNT = "dropped_links_count";
  public static final String RESOURCE_SCHEMA_URL = "resource_schema_url";
  public static final String SCOPE_SCHEMA_URL = "scope_schema_url";

  /** Names inside {@code events} and {@code links} elements. */
  public static final String NAME = "name";
  public static final String ATTRIBUTES = "attributes";

  public static final String TIMESTAMP_DAY = LogTable.TIMESTAMP_DAY;

  public static final Schema SCHEMA =
      new Schema(
          NestedField.optional(1, TIMESTAMP, Types.TimestampType.withZone()),
          NestedField.optional(2, TRACE_ID, Types.StringType.get()),
          NestedField.optional(3, SPAN_ID, Types.StringType.get()),
          NestedField.optional(4, PARENT_SPAN_ID, Types.StringType.get()),
          NestedField.optional(5, TRACE_STATE, Types.StringType.get()),
          NestedField.optional(6, SPAN_NAME, Types.StringType.get()),
          NestedField.optional(7, SPAN_KIND, Types.StringType.get()),
          NestedField.optional(8, SERVICE_NAME, Types.StringType.get()),
          NestedField.optional(9, RESOURCE_ATTRIBUTES, stringMap(25, 26)),
          NestedField.optional(10, SCOPE_NAME, Types.StringType.get()),
          NestedField.optional(11, SCOPE_VERSION, Types.StringType.get()),
          NestedField.optional(12, SCOPE_ATTRIBUTES, stringMap(27, 28)),
          NestedField.optional(13, SPAN_ATTRIBUTES, stringMap(29, 30)),
          NestedField.optional(14, DURATION, Types.LongType.get()),
          NestedField.optional(15, STATUS_CODE, Types.StringType.get()),
          NestedField.optional(16, STATUS_MESSAGE, Types.StringType.get()),
          NestedField.optional(
              17,
              EVENTS,
              Types.ListType.ofOptional(
                  31,
                  Types.StructType.of(
                      NestedField.optional(32, TIMESTAMP, Types.TimestampType.withZone()),
                      NestedField.optional(33, NAME, Types.StringType.get()),
                      NestedField.optional(34, ATTRIBUTES, stringMap(36, 37)),
                      NestedField.optional(35, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get())))),
          NestedField.optional(
              18,
              LINKS,
              Types.ListType.ofOptional(
                  38,
                  Types.StructType.of(
                      NestedField.optional(39, TRACE_ID, Types.StringType.get()),
                      NestedField.optional(40, SPAN_ID, Types.StringType.get()),
                      NestedField.optional(41, TRACE_STATE, Types.StringType.get()),
                      NestedField.optional(42, ATTRIBUTES, stringMap(44, 45)),
                      NestedField.optional(43, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get())))),
          NestedField.optional(19, TRACE_FLAGS, Types.IntegerType.get()),
          NestedField.optional(20, DROPPED_ATTRIBUTES_COUNT, Types.IntegerType.get()),
          NestedField.optional(21, DROPPED_EVENTS_COUNT, Types.IntegerType.get()),
          NestedField.optional(22, DROPPED_LINKS_COUNT, Types.IntegerType.get()),
          NestedField.optional(23, RESOURCE_SCHEMA_URL, Types.StringType.get()),
          NestedField.optional(24, SCOPE_SCHEMA_URL, Types.StringType.get()));

  public static final TableDefinition DEFINITION =
      new TableDefinition(
          SCHEMA,
          PartitionSpec.builderFor(SCHEMA).day(TIMESTAMP, TIMESTAMP_DAY).build(),
          SortOrder.builderFor(SCHEMA).asc(TRACE_ID).asc(TIMESTAMP).build(),
          List.of(TRACE_ID, TIMESTAMP));

  private TraceTable() {}

  private static Types.MapType stringMap(int keyId, int valueId) {
    return Types.MapType.ofOptional(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }
}
