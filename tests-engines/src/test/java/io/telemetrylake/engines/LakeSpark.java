package io.telemetrylake.engines;

import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogTable;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Spark as a user runs it against the lake: local, one core, Iceberg's {@code SparkCatalog} of type
 * {@code rest} on the devstack's catalog, {@code S3FileIO} on its S3 server (path-style).
 */
final class LakeSpark implements AutoCloseable {
  static final String CATALOG = "lake";

  final SparkSession spark;

  private LakeSpark(SparkSession spark) {
    this.spark = spark;
  }

  static LakeSpark start(DevStack stack) {
    String c = "spark.sql.catalog." + CATALOG;
    Path target = Path.of("target").toAbsolutePath();
    SparkSession spark = SparkSession.builder()
        .master("local[1]")
        .appName("telemetry-lake-engines")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        // timestamps as Instant, dates as LocalDate: exact, and no JVM time zone involved
        .config("spark.sql.datetime.java8API.enabled", "true")
        .config("spark.sql.warehouse.dir", target.resolve("spark-warehouse").toString())
        .config(c, "org.apache.iceberg.spark.SparkCatalog")
        .config(c + ".type", "rest")
        .config(c + ".uri", stack.catalogUri().toString())
        .config(c + ".warehouse", stack.warehouse())
        .config(c + ".io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
        .config(c + ".s3.endpoint", stack.s3Endpoint().toString())
        .config(c + ".s3.path-style-access", "true")
        .config(c + ".s3.access-key-id", stack.s3AccessKey())
        .config(c + ".s3.secret-access-key", stack.s3SecretKey())
        .config(c + ".client.region", stack.s3Region())
        // every query loads the table anew, so it sees the pipeline's latest commit
        .config(c + ".cache-enabled", "false")
        .config(c + ".metrics-reporter-impl", ScanReports.class.getName())
        .getOrCreate();
    return new LakeSpark(spark);
  }

  /** {@code lake.otel.<table>}, optionally a metadata table such as {@code files}. */
  static String name(String table, String... metadata) {
    return CATALOG + "." + LakePipeline.NAMESPACE + "." + table + (metadata.length == 0 ? "" : "." + metadata[0]);
  }

  List<Row> sql(String query) {
    return spark.sql(query).collectAsList();
  }

  /** A logs table row as the project's row model, so it compares with what {@code LogRowMapper} makes. */
  static LogRow toLogRow(Row r) {
    return new LogRow(
        micros(r.getAs(LogTable.TIMESTAMP)),
        r.isNullAt(r.fieldIndex(LogTable.OBSERVED_TIMESTAMP)) ? null : micros(r.getAs(LogTable.OBSERVED_TIMESTAMP)),
        intOrZero(r, LogTable.SEVERITY_NUMBER),
        r.getAs(LogTable.SEVERITY_TEXT),
        r.getAs(LogTable.BODY),
        r.getAs(LogTable.TRACE_ID),
        r.getAs(LogTable.SPAN_ID),
        intOrZero(r, LogTable.TRACE_FLAGS),
        r.getAs(LogTable.EVENT_NAME),
        r.getAs(LogTable.SERVICE_NAME),
        r.getAs(LogTable.DEPLOYMENT_ENVIRONMENT),
        r.getAs(LogTable.HOST_NAME),
        map(r, LogTable.RESOURCE_ATTRIBUTES),
        map(r, LogTable.SCOPE_ATTRIBUTES),
        map(r, LogTable.LOG_ATTRIBUTES),
        r.getAs(LogTable.SCOPE_NAME),
        r.getAs(LogTable.SCOPE_VERSION),
        r.getAs(LogTable.RESOURCE_SCHEMA_URL),
        r.getAs(LogTable.SCOPE_SCHEMA_URL),
        intOrZero(r, LogTable.DROPPED_ATTRIBUTES_COUNT));
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private static int intOrZero(Row r, String column) {
    return r.isNullAt(r.fieldIndex(column)) ? 0 : r.<Integer>getAs(column);
  }

  /** The row model has no null maps: none is an empty map, as the reader in tests-integration does. */
  static Map<String, String> map(Row r, String column) {
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? Map.of() : new HashMap<>(r.<String, String>getJavaMap(i));
  }

  @Override
  public void close() {
    spark.stop();
  }
}
