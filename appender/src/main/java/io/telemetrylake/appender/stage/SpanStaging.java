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
 * Staging for traces, laid out like {@link LogStaging}: what the spans of one resource and scope
 * share goes once per Kafka record into {@code resources}; each span goes into {@code spans} with
 * its resource's id. Maps, events and links are JSON text (one appender call each) that the COPY
 * turns into {@code MAP} and {@code LIST<STRUCT>} values after its sort; the resource maps are
 * cast once per resource, not once per span (a per-span cast was half of the COPY's CPU, and
 * their text most of the staged bytes: docs/BENCHMARKS.md).
 */
public final class SpanStaging extends StagingBuffer {
  static final List<String> DDL =
      List.of(
          "CREATE TABLE resources (kafka_partition INTEGER, id BIGINT, service_name VARCHAR,"
              + " resource_attributes VARCHAR, scope_attributes VARCHAR, scope_name VARCHAR,"
              + " scope_version VARCHAR, resource_schema_url VARCHAR, scope_schema_url VARCHAR)",
          // ids as UUID/BIGINT (text only when not canonical hex), as for logs: random hex text
          // is costly to stage (a native call per string, and compression that gains nothing)
          "CREATE TABLE spans (kafka_partition INTEGER, resource_id BIGINT, day INTEGER, ts BIGINT,"
              + " trace_id UUID, trace_id_text VARCHAR, span_id BIGINT, span_id_text VARCHAR,"
              + " parent_span_id BIGINT, parent_span_id_text VARCHAR, trace_state VARCHAR,"
              + " span_name VARCHAR, span_kind VARCHAR, span_attributes VARCHAR, duration BIGINT,"
              + " status_code VARCHAR, status_message VARCHAR, events VARCHAR, links VARCHAR,"
              + " trace_flags INTEGER, dropped_attributes_count INTEGER,"
              + " dropped_events_count INTEGER, dropped_links_count INTEGER)");
  private static final List<String> TABLES = List.of("spans", "resources");

  /**
   * Table column to SQL over one sorted span {@code k} and the resource lookup {@code res}, in the
   * table's column order.
   */
  static final Map<String, String> COLUMNS = columns();

  private DuckDBAppender resources;
  private DuckDBAppender spans;
  private long nextResourceId = 1;
  private SpanRow lastResourceRow;
  private long lastResourceId;

  SpanStaging(Path dir, DuckDBConnection connection) {
    super(dir, connection);
  }

  private static Map<String, String> columns() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(TraceTable.TIMESTAMP, ParquetExport.epochMicros("k.ts"));
    c.put(TraceTable.TRACE_ID, HexIds.traceIdSql("k.trace_id", "k.trace_id_text"));
    c.put(TraceTable.SPAN_ID, HexIds.spanIdSql("k.span_id", "k.span_id_text"));
    c.put(TraceTable.PARENT_SPAN_ID, HexIds.spanIdSql("k.parent_span_id", "k.parent_span_id_text"));
    c.put(TraceTable.TRACE_STATE, "k.trace_state");
    c.put(TraceTable.SPAN_NAME, "k.span_name");
    c.put(TraceTable.SPAN_KIND, "k.span_kind");
    c.put(TraceTable.SERVICE_NAME, "k.service_name");
    // resource maps: cast once per resource, looked up by position after the sort
    c.put(TraceTable.RESOURCE_ATTRIBUTES, "res.resource_attributes[k.resource_index]");
    c.put(TraceTable.SCOPE_NAME, "k.scope_name");
    c.put(TraceTable.SCOPE_VERSION, "k.scope_version");
    c.put(TraceTable.SCOPE_ATTRIBUTES, "res.scope_attributes[k.resource_index]");
    c.put(TraceTable.SPAN_ATTRIBUTES, ParquetExport.jsonMap("k.span_attributes"));
    c.put(TraceTable.DURATION, "k.duration");
    c.put(TraceTable.STATUS_CODE, "k.status_code");
    c.put(TraceTable.STATUS_MESSAGE, "k.status_message");
    c.put(
        TraceTable.EVENTS,
        "list_transform(" + ParquetExport.jsonAs("k.events", "STRUCT(t BIGINT, n VARCHAR,"
            + " a MAP(VARCHAR, VARCHAR), d INTEGER)[]") + ", lambda e: struct_pack(\"timestamp\" :="
            + " " + ParquetExport.epochMicros("e.t") + ", name := e.n, attributes := e.a,"
            + " dropped_attributes_count := e.d))");
    c.put(
        TraceTable.LINKS,
        "list_transform(" + ParquetExport.jsonAs("k.links", "STRUCT(ti VARCHAR, si VARCHAR, ts VARCHAR,"
            + " a MAP(VARCHAR, VARCHAR), d INTEGER)[]") + ", lambda l: struct_pack(trace_id := l.ti,"
            + " span_id := l.si, trace_state := l.ts, attributes := l.a,"
            + " dropped_attributes_count := l.d))");
    c.put(TraceTable.TRACE_FLAGS, "k.trace_flags");
    c.put(TraceTable.DROPPED_ATTRIBUTES_COUNT, "k.dropped_attributes_count");
    c.put(TraceTable.DROPPED_EVENTS_COUNT, "k.dropped_events_count");
    c.put(TraceTable.DROPPED_LINKS_COUNT, "k.dropped_links_count");
    c.put(TraceTable.RESOURCE_SCHEMA_URL, "k.resource_schema_url");
    c.put(TraceTable.SCOPE_SCHEMA_URL, "k.scope_schema_url");
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
    // resource rows are never shared across records, so dropping a partition never orphans a span
    lastResourceRow = null;
    try {
      if (spans == null) {
        beginStaging();
        resources = connection.createAppender("main", "resources");
        spans = connection.createAppender("main", "spans");
      }
      for (SpanRow row : rows) {
        append(partition, resourceIdFor(partition, row), row);
      }
    } catch (SQLException e) {
      throw new StagingException("cannot append a span to the staging table", e);
    }
    return rows.size();
  }

  private void append(int partition, long resourceId, SpanRow row) throws SQLException {
    spans.beginRow()
        .append(partition)
        .append(resourceId)
        .append((int) Math.floorDiv(row.timestampMicros(), MICROS_PER_DAY))
        .append(row.timestampMicros());
    HexIds.appendTraceId(spans, row.traceId());
    HexIds.appendSpanId(spans, row.spanId());
    HexIds.appendSpanId(spans, row.parentSpanId());
    spans.append(row.traceState())
        .append(row.spanName())
        .append(row.spanKind())
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
        .endRow();
  }

  /** Reuses the previous resource row while the span shares all of its (identical) objects. */
  private long resourceIdFor(int partition, SpanRow row) throws SQLException {
    SpanRow last = lastResourceRow;
    if (last != null
        && last.resourceAttributes() == row.resourceAttributes()
        && last.scopeAttributes() == row.scopeAttributes()
        && last.serviceName() == row.serviceName()
        && last.scopeName() == row.scopeName()
        && last.scopeVersion() == row.scopeVersion()
        && last.resourceSchemaUrl() == row.resourceSchemaUrl()
        && last.scopeSchemaUrl() == row.scopeSchemaUrl()) {
      return lastResourceId;
    }
    long id = nextResourceId++;
    resources
        .beginRow()
        .append(partition)
        .append(id)
        .append(row.serviceName())
        .append(MapJson.encode(row.resourceAttributes()))
        .append(MapJson.encode(row.scopeAttributes()))
        .append(row.scopeName())
        .append(row.scopeVersion())
        .append(row.resourceSchemaUrl())
        .append(row.scopeSchemaUrl())
        .endRow();
    lastResourceRow = row;
    lastResourceId = id;
    return id;
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
      resources.flush();
      spans.flush();
    }
  }

  @Override
  protected void closeAppenders() throws SQLException {
    if (spans != null) {
      spans.close();
      spans = null;
    }
    if (resources != null) {
      resources.close();
      resources = null;
    }
  }

  @Override
  protected void forgetResource() {
    lastResourceRow = null;
  }

  /**
   * One day's spans with their resource's scalar columns, sorted by the table's order: trace id,
   * then start time (nulls first). The subquery sorts the staged text; the outer projection turns
   * it into maps and lists of structs after the sort and keeps its order (as {@link
   * ParquetExport#selectDay} does for logs).
   */
  static String selectDay(int day) {
    StringBuilder sql = new StringBuilder("SELECT ");
    boolean first = true;
    for (Map.Entry<String, String> e : COLUMNS.entrySet()) {
      sql.append(first ? "" : ", ").append(e.getValue()).append(" AS ").append(FieldIds.quote(e.getKey()));
      first = false;
    }
    // LEFT JOIN: a span without its resource row would be a bug; it must show, not vanish
    return sql.append(" FROM (SELECT r.ts, r.trace_id, r.trace_id_text, r.span_id, r.span_id_text,"
            + " r.parent_span_id, r.parent_span_id_text, r.trace_state,"
            + " r.span_name, r.span_kind, r.span_attributes, r.duration, r.status_code,"
            + " r.status_message, r.events, r.links, r.trace_flags, r.dropped_attributes_count,"
            + " r.dropped_events_count, r.dropped_links_count, s.service_name, s.scope_name,"
            + " s.scope_version, s.resource_schema_url, s.scope_schema_url, s.resource_index"
            + " FROM spans r LEFT JOIN ")
        .append(ParquetExport.INDEXED_RESOURCES).append(" s ON r.resource_id = s.id WHERE r.day = ").append(day)
        // a UUID orders as its hex text; the rare non-canonical ids (text) come first
        .append(" ORDER BY r.trace_id ASC NULLS FIRST, r.trace_id_text ASC NULLS FIRST, r.ts ASC NULLS FIRST) k")
        .append(" CROSS JOIN ")
        .append(ParquetExport.RESOURCE_MAPS).append(" res")
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
}
