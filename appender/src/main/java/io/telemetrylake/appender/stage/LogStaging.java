package io.telemetrylake.appender.stage;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import io.telemetrylake.table.TableDefinition;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.apache.iceberg.Schema;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Staging for logs. Layout, chosen by measurement (see the README and {@code benchmarks/run.sh
 * staging}): the values every row of one resource and scope shares go once per Kafka record into
 * {@code resources}; each log record goes into {@code rows} with its resource's id. Attribute maps
 * are JSON text and trace/span ids UUID/BIGINT, because the DuckDB appender writes every string
 * of 12 bytes or more with a native call, and MAP values element by element; {@link
 * ParquetExport} turns both back at COPY time, after the sort (see docs/BENCHMARKS.md for the
 * measured alternatives).
 */
public final class LogStaging extends StagingBuffer {
  static final List<String> DDL =
      List.of(
          "CREATE TABLE resources (kafka_partition INTEGER, id BIGINT, service_name VARCHAR,"
              + " deployment_environment VARCHAR, host_name VARCHAR,"
              + " resource_attributes VARCHAR, scope_attributes VARCHAR, scope_name VARCHAR,"
              + " scope_version VARCHAR, resource_schema_url VARCHAR, scope_schema_url VARCHAR)",
          "CREATE TABLE rows (kafka_partition INTEGER, resource_id BIGINT, day INTEGER,"
              + " ts BIGINT, observed_ts BIGINT, severity_number INTEGER,"
              + " severity_text VARCHAR, body VARCHAR, trace_id UUID, trace_id_text VARCHAR,"
              + " span_id BIGINT, span_id_text VARCHAR, trace_flags INTEGER,"
              + " event_name VARCHAR, log_attributes VARCHAR, dropped_attributes_count INTEGER)");
  private static final List<String> TABLES = List.of("rows", "resources");

  private DuckDBAppender resources;
  private DuckDBAppender rows;
  private long nextResourceId = 1;
  private int partition;
  private LogRow lastResourceRow;
  private long lastResourceId;

  LogStaging(Path dir, DuckDBConnection connection) {
    super(dir, connection);
  }

  @Override
  public int stage(int partition, byte[] value, long fallbackTimeMicros) throws OtlpDecodeException {
    ExportLogsServiceRequest request = KafkaRecordFormat.decodeValue(value);
    List<LogRow> decoded = LogRowMapper.toRows(request, fallbackTimeMicros);
    beginRecord(partition);
    for (LogRow row : decoded) {
      append(row);
    }
    return decoded.size();
  }

  /** The rows that follow belong to one Kafka record of {@code partition}. */
  public void beginRecord(int partition) {
    this.partition = partition;
    // resource rows are never shared across records, so dropping a partition never orphans a row
    this.lastResourceRow = null;
  }

  public void append(LogRow row) {
    try {
      if (rows == null) {
        openAppenders();
      }
      long resourceId = resourceIdFor(row);
      DuckDBAppender a = rows;
      a.beginRow()
          .append(partition)
          .append(resourceId)
          .append((int) Math.floorDiv(row.timestampMicros(), MICROS_PER_DAY))
          .append(row.timestampMicros())
          .append(row.observedTimestampMicros())
          .append(row.severityNumber())
          .append(row.severityText())
          .append(row.body());
      HexIds.appendTraceId(a, row.traceId());
      HexIds.appendSpanId(a, row.spanId());
      a.append(row.traceFlags())
          .append(row.eventName())
          .append(MapJson.encode(row.logAttributes()))
          .append(row.droppedAttributesCount())
          .endRow();
    } catch (SQLException e) {
      throw new StagingException("cannot append a row to the staging table", e);
    }
  }

  /** Reuses the previous resource row while the row shares all of its (identical) objects. */
  private long resourceIdFor(LogRow row) throws SQLException {
    LogRow last = lastResourceRow;
    if (last != null
        && last.resourceAttributes() == row.resourceAttributes()
        && last.scopeAttributes() == row.scopeAttributes()
        && last.serviceName() == row.serviceName()
        && last.deploymentEnvironment() == row.deploymentEnvironment()
        && last.hostName() == row.hostName()
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
        .append(row.deploymentEnvironment())
        .append(row.hostName())
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

  @Override
  public TableDefinition definition() {
    return LogTable.DEFINITION;
  }

  @Override
  protected List<String> tables() {
    return TABLES;
  }

  @Override
  protected void flushAppenderBuffers() throws SQLException {
    if (rows == null) {
      return;
    }
    resources.flush();
    rows.flush();
  }

  private void openAppenders() throws SQLException {
    resources = connection.createAppender("main", "resources");
    rows = connection.createAppender("main", "rows");
  }

  @Override
  protected void closeAppenders() throws SQLException {
    if (rows != null) {
      rows.close();
      rows = null;
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

  @Override
  protected String copyDay(int day, Path target, Schema exportSchema, long targetFileBytes) {
    return ParquetExport.copyDay(day, target, exportSchema, targetFileBytes);
  }

  @Override
  protected Schema exportSchema(Schema tableSchema) {
    return ParquetExport.exportSchema(tableSchema);
  }
}
