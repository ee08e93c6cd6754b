package io.telemetrylake.e2e;

import static org.awaitility.Awaitility.await;

import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.samples.FuzzInputs;
import io.telemetrylake.table.LogRow;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * One pipeline (ingester + appender) on the shared stack, with its own topic and table,
 * and the client-side helpers the end-to-end tests need: post, flush, read the table back through
 * Iceberg's own reader.
 */
final class Lake implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final E2eStack stack;
  final E2eStack.Services services;
  final String topic;
  final String namespace = "otel";
  final String table;
  final RESTCatalog catalog;

  private Lake(E2eStack stack, Map<String, String> settings, String name) {
    this.stack = stack;
    this.topic = name;
    this.table = name.replace('-', '_');
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_TOPIC_PARTITIONS", "4");
    env.put("ICEBERG_TABLE", table);
    env.put("ICEBERG_NAMESPACE", namespace);
    env.putAll(settings);
    this.services = stack.startServices(env);
    this.catalog = new RESTCatalog();
    catalog.initialize("e2e", stack.catalogProperties());
  }

  static Lake start(E2eStack stack, String prefix, Map<String, String> settings) {
    return new Lake(stack, settings, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
  }

  URI ingesterUri() {
    return services.ingesterUri();
  }

  URI logsUri() {
    return ingesterUri().resolve("/v1/logs");
  }

  URI appenderUri() {
    return services.appenderUris().get(0);
  }

  HttpResponse<byte[]> post(byte[] body, OtlpEncoding encoding, boolean gzip) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(logsUri())
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", encoding.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? FuzzInputs.gzip(body) : body));
    if (gzip) {
      request.header("Content-Encoding", "gzip");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> flush() throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(appenderUri().resolve("/flush")).timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Flushes until the table holds at least {@code expected} rows (the appender may still be consuming). */
  List<LogRow> awaitRows(int expected) {
    List<LogRow> rows = new ArrayList<>();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      flush();
      rows.clear();
      rows.addAll(rows());
      return rows.size() >= expected;
    });
    return rows;
  }

  /** Rows in the table's current snapshot, from its summary (cheap: no data file is read). */
  long count() {
    TableIdentifier id = TableIdentifier.of(namespace, table);
    if (!catalog.tableExists(id)) {
      return 0;
    }
    org.apache.iceberg.Snapshot current = catalog.loadTable(id).currentSnapshot();
    return current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", "0"));
  }

  /**
   * Flushes and reads the table until every id in {@code expected} is there (or {@code timeout}
   * passes, failing the await); returns how often each id that {@code counted} accepts is in it.
   * Each read goes through every data file the table references: a deleted file fails it.
   */
  Map<String, Integer> awaitIds(
      Set<String> expected, Predicate<String> counted, Duration timeout, Duration poll) {
    Map<String, Integer> counts = new HashMap<>();
    await().atMost(timeout).pollInterval(poll).until(() -> {
      flush();
      counts.clear();
      for (String id : ids()) {
        if (counted.test(id)) {
          counts.merge(id, 1, Integer::sum);
        }
      }
      return counts.keySet().containsAll(expected);
    });
    return counts;
  }

  /** The {@code lake.id} of every row (reads one column only, so it stays cheap on big tables). */
  List<String> ids() throws IOException {
    TableIdentifier id = TableIdentifier.of(namespace, table);
    if (!catalog.tableExists(id)) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(catalog.loadTable(id)).select("log_attributes").build()) {
      for (Record r : records) {
        Object value = ((Map<?, ?>) r.getField("log_attributes")).get(io.telemetrylake.tools.send.LogGenerator.ID_ATTRIBUTE);
        if (value != null) {
          ids.add(value.toString());
        }
      }
    }
    return ids;
  }

  List<LogRow> rows() throws IOException {
    TableIdentifier id = TableIdentifier.of(namespace, table);
    if (!catalog.tableExists(id)) {
      return List.of();
    }
    Table t = catalog.loadTable(id);
    List<LogRow> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(t).build()) {
      for (Record r : records) {
        rows.add(toRow(r));
      }
    }
    return rows;
  }

  /** A table row as the row model, so it compares with what {@code LogRowMapper} expects. */
  static LogRow toRow(Record r) {
    return new LogRow(
        micros((OffsetDateTime) r.getField("timestamp")),
        r.getField("observed_timestamp") == null ? null : micros((OffsetDateTime) r.getField("observed_timestamp")),
        intOrZero(r.getField("severity_number")),
        (String) r.getField("severity_text"),
        (String) r.getField("body"),
        (String) r.getField("trace_id"),
        (String) r.getField("span_id"),
        intOrZero(r.getField("trace_flags")),
        (String) r.getField("event_name"),
        (String) r.getField("service_name"),
        (String) r.getField("deployment_environment"),
        (String) r.getField("host_name"),
        map(r.getField("resource_attributes")),
        map(r.getField("scope_attributes")),
        map(r.getField("log_attributes")),
        (String) r.getField("scope_name"),
        (String) r.getField("scope_version"),
        (String) r.getField("resource_schema_url"),
        (String) r.getField("scope_schema_url"),
        intOrZero(r.getField("dropped_attributes_count")));
  }

  static long micros(OffsetDateTime t) {
    return t.toEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private static int intOrZero(Object o) {
    return o == null ? 0 : (Integer) o;
  }

  private static Map<String, String> map(Object o) {
    Map<String, String> out = new HashMap<>();
    if (o != null) {
      ((Map<?, ?>) o).forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    services.close();
    catalog.close();
  }
}
