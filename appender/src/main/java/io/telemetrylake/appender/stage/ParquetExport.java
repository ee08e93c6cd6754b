package io.telemetrylake.appender.stage;

import io.telemetrylake.table.LogTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The SQL that writes the staged rows as Parquet files shaped for the Iceberg table (pure
 * builders; {@link StagingBuffer#export} runs them): one {@code COPY} per
 * {@code day(timestamp)} value (the table's partition), rows sorted by the table's sort order
 * ({@code service_name, timestamp}, nulls first), zstd, the table's field ids, and a new file
 * whenever one passes the target size.
 *
 * <p>One COPY per day rather than {@code PARTITION_BY}: DuckDB's partitioned writer does not keep
 * the ORDER BY within a file (measured), and a flush rarely spans more than two days.
 */
public final class ParquetExport {
  static final String EXPORT_DIR = "export";

  /**
   * Table column to SQL expression over one sorted row {@code k} of {@link #sortedRows} and the
   * resource lookup {@code res}, in the table's column order. Conversions (times, ids, JSON to
   * {@code MAP}) run after the sort, so the sort moves narrow raw values.
   */
  static final Map<String, String> COLUMNS = columns();

  private ParquetExport() {}

  private static Map<String, String> columns() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(LogTable.TIMESTAMP, epochMicros("k.ts"));
    c.put(LogTable.OBSERVED_TIMESTAMP, epochMicros("k.observed_ts"));
    c.put(LogTable.SEVERITY_NUMBER, "k.severity_number");
    c.put(LogTable.SEVERITY_TEXT, "k.severity_text");
    c.put(LogTable.BODY, "k.body");
    c.put(LogTable.TRACE_ID, HexIds.traceIdSql("k.trace_id", "k.trace_id_text"));
    c.put(LogTable.SPAN_ID, HexIds.spanIdSql("k.span_id", "k.span_id_text"));
    c.put(LogTable.TRACE_FLAGS, "k.trace_flags");
    c.put(LogTable.EVENT_NAME, "k.event_name");
    c.put(LogTable.SERVICE_NAME, "k.service_name");
    c.put(LogTable.DEPLOYMENT_ENVIRONMENT, "k.deployment_environment");
    c.put(LogTable.HOST_NAME, "k.host_name");
    // resource maps: cast once per resource, looked up by position after the sort (see RESOURCE_MAPS)
    c.put(LogTable.RESOURCE_ATTRIBUTES, "res.resource_attributes[k.resource_index]");
    c.put(LogTable.SCOPE_ATTRIBUTES, "res.scope_attributes[k.resource_index]");
    c.put(LogTable.LOG_ATTRIBUTES, jsonMap("k.log_attributes"));
    c.put(LogTable.SCOPE_NAME, "k.scope_name");
    c.put(LogTable.SCOPE_VERSION, "k.scope_version");
    c.put(LogTable.RESOURCE_SCHEMA_URL, "k.resource_schema_url");
    c.put(LogTable.SCOPE_SCHEMA_URL, "k.scope_schema_url");
    c.put(LogTable.DROPPED_ATTRIBUTES_COUNT, "k.dropped_attributes_count");
    List<String> schemaColumns =
        LogTable.SCHEMA.columns().stream().map(Types.NestedField::name).toList();
    if (!schemaColumns.equals(List.copyOf(c.keySet()))) {
      throw new IllegalStateException(
          "staging export columns " + c.keySet() + " do not match the table " + schemaColumns);
    }
    return c;
  }

  /**
   * The resources numbered 1..n in id order ({@code resource_index}): the position of their maps
   * in {@link #RESOURCE_MAPS}. Ids have gaps once partitions were dropped; positions do not.
   */
  static final String INDEXED_RESOURCES =
      "(SELECT *, row_number() OVER (ORDER BY id) AS resource_index FROM resources)";

  /**
   * One row holding every resource's maps as lists in id order, cast from JSON once per resource.
   * Carrying three {@code MAP}s through the sort cost more than half the COPY (measured,
   * docs/BENCHMARKS.md); a list lookup after the sort keeps the maps out of it.
   */
  static final String RESOURCE_MAPS =
      "(SELECT list("
          + jsonMap("resource_attributes")
          + " ORDER BY id) AS resource_attributes, list("
          + jsonMap("scope_attributes")
          + " ORDER BY id) AS scope_attributes FROM resources)";

  /**
   * Staged epoch microseconds as {@code TIMESTAMPTZ}. {@code make_timestamptz(BIGINT)} only
   * reinterprets the value; {@code make_timestamp(x)::TIMESTAMPTZ} went through ICU's calendar
   * per row (~70 ns a value, docs/BENCHMARKS.md) and depended on the session's time zone.
   */
  public static String epochMicros(String column) {
    return "make_timestamptz(" + column + ")";
  }

  /** Staged JSON text of a map as {@code MAP(VARCHAR, VARCHAR)}. */
  public static String jsonMap(String column) {
    return jsonAs(column, "MAP(VARCHAR, VARCHAR)");
  }

  /**
   * Staged JSON text as {@code sqlType}, parsed once: {@code CAST(CAST(x AS JSON) AS type)}
   * parsed each value twice (the cast to JSON validates it), and the COPY cost 0.7-1.5 µs/row
   * more in {@code run.sh copy} (docs/BENCHMARKS.md). {@code json_transform} gives NULL where a
   * value's type does not fit; the text is the appender's own, so its types always do.
   */
  public static String jsonAs(String column, String sqlType) {
    return "json_transform(" + column + ", '\"" + sqlType + "\"')";
  }

  /** One day's rows with their resource's scalar columns, in the table's sort order. */
  static String sortedRows(int day) {
    // LEFT JOIN: a row without its resource row would be a bug; it must show, not vanish
    return "SELECT r.ts, r.observed_ts, r.severity_number, r.severity_text, r.body, r.trace_id,"
        + " r.trace_id_text, r.span_id, r.span_id_text, r.trace_flags, r.event_name,"
        + " r.log_attributes, r.dropped_attributes_count, s.service_name,"
        + " s.deployment_environment, s.host_name, s.scope_name, s.scope_version,"
        + " s.resource_schema_url, s.scope_schema_url, s.resource_index"
        + " FROM rows r LEFT JOIN " + INDEXED_RESOURCES + " s ON r.resource_id = s.id"
        + " WHERE r.day = " + day
        + " ORDER BY s.service_name ASC NULLS FIRST, r.ts ASC NULLS FIRST";
  }

  /**
   * The SELECT of one day's rows as the table's columns, in the table's sort order. The outer
   * projection and the one-row cross join keep the order of the sorted subquery (the export test
   * checks it on multi-chunk batches).
   */
  static String selectDay(int day) {
    StringBuilder sql = new StringBuilder("SELECT ");
    boolean first = true;
    for (Map.Entry<String, String> e : COLUMNS.entrySet()) {
      if (!first) {
        sql.append(", ");
      }
      first = false;
      sql.append(e.getValue()).append(" AS ").append(FieldIds.quote(e.getKey()));
    }
    return sql.append(" FROM (").append(sortedRows(day)).append(") k CROSS JOIN ")
        .append(RESOURCE_MAPS).append(" res")
        .toString();
  }

  public static String copyDay(int day, Path target, Schema schema, long targetFileBytes) {
    return copy(selectDay(day), target, schema, targetFileBytes);
  }

  /**
   * Rows per Parquet row group of a flush's files. With DuckDB's default (122,880) the writer
   * buffers ~50 MB per row group and the COPY cost ~1.75x the CPU (docs/BENCHMARKS.md, "Row
   * groups of 8,192 rows in the flush's COPY"); files grow ~1.4 %. Compaction rewrites these
   * files with DuckDB's default, which keeps the footers of large files small.
   */
  public static final int ROW_GROUP_ROWS = 8192;

  /** The COPY of any signal's sorted SELECT to Parquet files shaped for its table. */
  static String copy(String select, Path target, Schema schema, long targetFileBytes) {
    return "COPY ("
        + select
        + ") TO '"
        + StagingBuffer.sqlString(target.toString())
        // zstd level 1 rather than the default 3: 10 % less COPY CPU and, on logs, smaller files
        + "' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, FIELD_IDS "
        + FieldIds.clause(schema)
        + ", FILE_SIZE_BYTES "
        + targetFileBytes
        + ", ROW_GROUP_SIZE "
        + ROW_GROUP_ROWS
        + ", FILENAME_PATTERN 'part-{i}', RETURN_STATS)";
  }

  /**
   * The written columns as the table defines them. Their field ids come from the table, not from
   * {@link LogTable#SCHEMA}: Iceberg assigns fresh ids when a table is created (nested ones such
   * as map keys and values get new numbers), and the files must carry the table's.
   */
  public static Schema exportSchema(Schema tableSchema) {
    return exportSchema(tableSchema, COLUMNS.keySet());
  }

  /** {@link #exportSchema(Schema)} for any signal's columns. */
  static Schema exportSchema(Schema tableSchema, java.util.Collection<String> columns) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (String column : columns) {
      Types.NestedField field = tableSchema.findField(column);
      if (field == null) {
        throw new IllegalStateException("the table has no column " + column);
      }
      fields.add(field);
    }
    return new Schema(fields);
  }
}
