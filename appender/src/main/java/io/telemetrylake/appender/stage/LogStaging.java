package io.telemetrylake.appender.stage;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import io.telemetrylake.table.LogTable;
import io.telemetrylake.table.LogWireReader;
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
  private final LogWireReader wire = new LogWireReader();
  private final MapJson.Utf8Writer json = new MapJson.Utf8Writer();
  private final LogWireReader.Sink wireSink = new WireSink();
  private long wireResourceId;
  private int wireRows;
  private long nextResourceId = 1;
  private int partition;
  private LogRow lastResourceRow;
  private long lastResourceId;

  LogStaging(Path dir, DuckDBConnection connection) {
    super(dir, connection);
  }

  /**
   * Stages a Kafka value's records: straight from its bytes ({@link LogWireReader}), or, for a value
   * of any other shape, decoded by protobuf-java and mapped to {@link LogRow}s first. Either way the
   * whole value is decoded before anything is staged: a malformed one stages nothing and throws.
   */
  @Override
  public int stage(int partition, byte[] value, long fallbackTimeMicros) throws OtlpDecodeException {
    beginRecord(partition);
    wireRows = 0;
    if (wire.read(value, fallbackTimeMicros, wireSink)) {
      return wireRows;
    }
    ExportLogsServiceRequest request = KafkaRecordFormat.decodeValue(value);
    List<LogRow> decoded = LogRowMapper.toRows(request, fallbackTimeMicros);
    for (LogRow row : decoded) {
      append(row);
    }
    return decoded.size();
  }

  /** One log record from the wire, as {@link #append(LogRow)} stages the same record. */
  private void appendWire(LogWireReader.Record r) throws SQLException {
    long ts = r.timestampMicros();
    DuckDBAppender a = rows;
    a.beginRow()
        .append(partition)
        .append(wireResourceId)
        .append((int) Math.floorDiv(ts, MICROS_PER_DAY))
        .append(ts);
    if (r.hasObservedTimestamp()) {
      a.append(r.observedTimestampMicros());
    } else {
      a.appendNull();
    }
    a.append(r.severityNumber()).append(r.severityText()).append(r.body());
    HexIds.appendTraceId(a, r);
    HexIds.appendSpanId(a, r);
    a.append(r.flags())
        .append(r.eventName())
        .append(json.encode(r))
        .append(r.droppedAttributesCount())
        .endRow();
    wireRows++;
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
    long id =
        appendResource(
            new LogWireReader.ScopeValues(
                row.serviceName(), row.deploymentEnvironment(), row.hostName(),
                row.resourceAttributes(), row.scopeAttributes(), row.scopeName(),
                row.scopeVersion(), row.resourceSchemaUrl(), row.scopeSchemaUrl()));
    lastResourceRow = row;
    lastResourceId = id;
    return id;
  }

  /** One row of {@code resources}, for the records of one scope; returns its new id. */
  private long appendResource(LogWireReader.ScopeValues v) throws SQLException {
    long id = nextResourceId++;
    resources
        .beginRow()
        .append(partition)
        .append(id)
        .append(v.serviceName())
        .append(v.deploymentEnvironment())
        .append(v.hostName())
        .append(MapJson.encode(v.resourceAttributes()))
        .append(MapJson.encode(v.scopeAttributes()))
        .append(v.scopeName())
        .append(v.scopeVersion())
        .append(v.resourceSchemaUrl())
        .append(v.scopeSchemaUrl())
        .endRow();
    return id;
  }

  private final class WireSink implements LogWireReader.Sink {
    @Override
    public void scope(LogWireReader.ScopeValues shared) {
      try {
        if (rows == null) {
          openAppenders();
        }
        wireResourceId = appendResource(shared);
      } catch (SQLException e) {
        throw new StagingException("cannot append a resource row to the staging table", e);
      }
    }

    @Override
    public void record(LogWireReader.Record record) {
      try {
        appendWire(record);
      } catch (SQLException e) {
        throw new StagingException("cannot append a row to the staging table", e);
      }
    }
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
    beginStaging();
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
