package io.telemetrylake.appender.stage;

import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.SpanRowMapper;
import io.telemetrylake.table.TraceTable;
import io.telemetrylake.table.TableDefinition;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Staging for traces: one row per span in {@code spans}. Maps, events and links are JSON text (one
 * appender call each, as for logs' maps) that the COPY turns into {@code MAP} and {@code
 * LIST<STRUCT>} values. A resource's and a scope's map JSON is encoded once and reused while the
 * rows share the map instance ({@link SpanRowMapper} shares them).
 */
public final class SpanStaging extends StagingBuffer {
  static final List<String> DDL =
      List.of(
          "CREATE TABLE spans (kafka_partition INTEGER, day INTEGER, ts BIGINT, trace_id VARCHAR,"
              + " span_id VARCHAR, parent_span_id VARCHAR, trace_state VARCHAR, span_name VARCHAR,"
              + " span_kind VARCHAR, service_name VARCHAR, resource_attributes VARCHAR,"
              + " scope_name VARCHAR, scope_version VARCHAR, scope_attributes VARCHAR,"
              + " span_attributes VARCHAR, duration BIGINT, status_code VARCHAR,"
              + " status_message VARCHAR, events VARCHAR, links VARCHAR, trace_flags INTEGER,"
              + " dropped_attributes_count INTEGER, dropped_events_count INTEGER,"
              + " dropped_links_count INTEGER, resource_schema_url VARCHAR,"
              + " scope_schema_url VARCHAR)");
  private static final List<String> TABLES = List.of("spans");

  /** Table column to SQL over one staged row, in the table's column order. */
  static final Map<String, String> COLUMNS = columns();

  private DuckDBAppender spans;
  private final JsonOnce resourceJson = new JsonOnce();
  private final JsonOnce scopeJson = new JsonOnce();

  SpanStaging(Path dir, DuckDBConnection connection) {
    super(dir, connection);
  }

  private static Map<String, String> columns() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(TraceTable.TIMESTAMP, "make_timestamp(ts)::TIMESTAMPTZ");
    c.put(TraceTable.TRACE_ID, "trace_id");
    c.put(TraceTable.SPAN_ID, "span_id");
    c.put(TraceTable.PARENT_SPAN_ID, "parent_span_id");
    c.put(TraceTable.TRACE_STATE, "trace_state");
    c.put(TraceTable.SPAN_NAME, "span_name");
    c.put(TraceTable.SPAN_KIND, "span_kind");
    c.put(TraceTable.SERVICE_NAME, "service_name");
    c.put(TraceTable.RESOURCE_ATTRIBUTES, ParquetExport.jsonMap("resource_attributes"));
    c.put(TraceTable.SCOPE_NAME, "scope_name");
    c.put(TraceTable.SCOPE_VERSION, "scope_version");
    c.put(TraceTable.SCOPE_ATTRIBUTES, ParquetExport.jsonMap("scope_attributes"));
    c.put(TraceTable.SPAN_ATTRIBUTES, ParquetExport.jsonMap("span_attributes"));
    c.put(TraceTable.DURATION, "duration");
    c.put(TraceTable.STATUS_CODE, "status_code");
    c.put(TraceTable.STATUS_MESSAGE, "status_message");
    c.put(
        TraceTable.EVENTS,
        "list_transform(CAST(CAST(events AS JSON) AS STRUCT(t BIGINT, n VARCHAR,"
            + " a MAP(VARCHAR, VARCHAR), d INTEGER)[]), lambda e: struct_pack(\"timestamp\" :="
            + " make_timestamp(e.t)::TIMESTAMPTZ, name := e.n, attributes := e.a,"
            + " dropped_attributes_count := e.d))");
    c.put(
        TraceTable.LINKS,
        "list_transform(CAST(CAST(links AS JSON) AS STRUCT(ti VARCHAR, si VARCHAR, ts VARCHAR,"
            + " a MAP(VARCHAR, VARCHAR), d INTEGER)[]), lambda l: struct_pack(trace_id := l.ti,"
            + " span_id := l.si, trace_state := l.ts, attributes := l.a,"
            + " dropped_attributes_count := l.d))");
    c.put(TraceTable.TRACE_FLAGS, "trace_flags");
    c.put(TraceTable.DROPPED_ATTRIBUTES_COUNT, "dropped_attributes_count");
    c.put(TraceTable.DROPPED_EVENTS_COUNT, "dropped_events_count");
    c.put(TraceTable.DROPPED_LINKS_COUNT, "dropped_links_count");
    c.put(TraceTable.RESOURCE_SCHEMA_URL, "resource_schema_url");
    c.put(TraceTable.SCOPE_SCHEMA_URL, "scope_schema_url");
    List<String> schemaColumns =
        TraceTable.SCHEMA.columns().stream().map(f -> f.name()).toList();
    if (!schemaColumns.equals(List.copyOf(c.keySet()))) {
      throw new IllegalStateException(
          "span staging columns " + c.keySet() + " do not match the table " + schemaColumns);
    }
    return c;
  }

  @Override
  public int stage(int partition, byte[] value, long fallbackTimeMicros) throws OtlpDecodeException {
    List<SpanRow> rows = SpanRowMapper.toRows(KafkaRecordFormat.decodeTracesValue(value), fallbackTimeMicros);
    try {
      if (spans == null) {
        spans = connection.createAppender("main", "spans");
      }
      for (SpanRow row : rows) {
        append(partition, row);
      }
    } catch (SQLException e) {
      throw new StagingException("cannot append a span to the staging table", e);
    }
    return rows.size();
  }

  private void append(int partition, SpanRow row) throws SQLException {
    spans.beginRow()
        .append(partition)
        .append((int) Math.floorDiv(row.timestampMicros(), MICROS_PER_DAY))
        .append(row.timestampMicros())
        .append(row.traceId())
        .append(row.spanId())
        .append(row.parentSpanId())
        .append(row.traceState())
        .append(row.spanName())
        .append(row.spanKind())
        .append(row.serviceName())
        .append(resourceJson.of(row.resourceAttributes()))
        .append(row.scopeName())
        .append(row.scopeVersion())
        .append(scopeJson.of(row.scopeAttributes()))
        .append(MapJson.encode(row.spanAttributes()))
        .append(row.durationNanos())
        .append(row.statusCode())
        .append(row.statusMessage())
        .append(eventsJson(row.events()))
        .append(linksJson(row.links()))
        .append(row.traceFlags())
        .append(row.droppedAttributesCount())
        .append(row.droppedEventsCount())
        .append(row.droppedLinksCount())
        .append(row.resourceSchemaUrl())
        .append(row.scopeSchemaUrl())
        .endRow();
  }

  static String eventsJson(List<SpanRow.Event> events) {
    if (events.isEmpty()) {
      return "[]";
    }
    StringBuilder out = new StringBuilder(events.size() * 64).append('[');
    for (int i = 0; i < events.size(); i++) {
      SpanRow.Event e = events.get(i);
      out.append(i == 0 ? "{\"t\":" : ",{\"t\":").append(e.timestampMicros()).append(",\"n\":");
      MapJson.appendString(e.name(), out);
      out.append(",\"a\":");
      MapJson.appendTo(e.attributes(), out);
      out.append(",\"d\":").append(e.droppedAttributesCount()).append('}');
    }
    return out.append(']').toString();
  }

  static String linksJson(List<SpanRow.Link> links) {
    if (links.isEmpty()) {
      return "[]";
    }
    StringBuilder out = new StringBuilder(links.size() * 96).append('[');
    for (int i = 0; i < links.size(); i++) {
      SpanRow.Link l = links.get(i);
      out.append(i == 0 ? "{\"ti\":" : ",{\"ti\":");
      appendNullable(l.traceId(), out);
      out.append(",\"si\":");
      appendNullable(l.spanId(), out);
      out.append(",\"ts\":");
      appendNullable(l.traceState(), out);
      out.append(",\"a\":");
      MapJson.appendTo(l.attributes(), out);
      out.append(",\"d\":").append(l.droppedAttributesCount()).append('}');
    }
    return out.append(']').toString();
  }

  private static void appendNullable(String s, StringBuilder out) {
    if (s == null) {
      out.append("null");
    } else {
      MapJson.appendString(s, out);
    }
  }

  @Override
  public TableDefinition definition() {
    return TraceTable.DEFINITION;
  }

  @Override
  protected List<String> tables() {
    return TABLES;
  }

  @Override
  protected void flushAppenderBuffers() throws SQLException {
    if (spans != null) {
      spans.flush();
    }
  }

  @Override
  protected void closeAppenders() throws SQLException {
    if (spans != null) {
      spans.close();
      spans = null;
    }
  }

  @Override
  protected void forgetResource() {
    resourceJson.forget();
    scopeJson.forget();
  }

  /** One day's spans sorted by the table's order, trace id then start time (nulls first). */
  static String selectDay(int day) {
    StringBuilder sql = new StringBuilder("SELECT ");
    boolean first = true;
    for (Map.Entry<String, String> e : COLUMNS.entrySet()) {
      sql.append(first ? "" : ", ").append(e.getValue()).append(" AS ").append(FieldIds.quote(e.getKey()));
      first = false;
    }
    return sql.append(" FROM spans WHERE day = ").append(day)
        .append(" ORDER BY trace_id ASC NULLS FIRST, ts ASC NULLS FIRST")
        .toString();
  }

  @Override
  protected String copyDay(int day, Path target, Schema exportSchema, long targetFileBytes) {
    return ParquetExport.copy(selectDay(day), target, exportSchema, targetFileBytes);
  }

  @Override
  protected Schema exportSchema(Schema tableSchema) {
    return ParquetExport.exportSchema(tableSchema, COLUMNS.keySet());
  }

  /** The JSON of the last map seen, reused while the same instance comes again. */
  private static final class JsonOnce {
    private Map<String, String> last;
    private String json;

    String of(Map<String, String> map) {
      if (map != last) {
        last = map;
        json = MapJson.encode(map);
      }
      return json;
    }

    void forget() {
      last = null;
      json = null;
    }
  }
}
