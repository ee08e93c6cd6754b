package io.telemetrylake.e2e;

import static org.awaitility.Awaitility.await;

import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.samples.FuzzInputs;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogTable;
import io.telemetrylake.table.SpanRow;
import io.telemetrylake.table.TraceTable;
import io.telemetrylake.tools.send.LogGenerator;
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
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * One pipeline (ingester + appender) on the shared stack, with its own topics and tables (one of
 * each per signal), and the client-side helpers the end-to-end tests need: post, flush, read the
 * tables back through Iceberg's own reader. Helpers without a signal are about logs.
 */
final class Lake implements AutoCloseable {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final E2eStack stack;
  final E2eStack.Services services;
  /** The logs topic and table. */
  final String topic;
  final String table;
  final String tracesTopic;
  final String tracesTable;
  final String namespace = "otel";
  final RESTCatalog catalog;

  private Lake(E2eStack stack, Map<String, String> settings, String name) {
    this.stack = stack;
    this.topic = name;
    this.table = name.replace('-', '_');
    this.tracesTopic = topic + "-traces";
    this.tracesTable = table + "_traces";
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_TOPIC", topic);
    env.put("KAFKA_TRACES_TOPIC", tracesTopic);
    env.put("KAFKA_TOPIC_PARTITIONS", "4");
    env.put("ICEBERG_TABLE", table);
    env.put("ICEBERG_TRACES_TABLE", tracesTable);
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
    return uri(Signals.LOGS);
  }

  URI tracesUri() {
    return uri(Signals.TRACES);
  }

  /** The signal's OTLP/HTTP endpoint, e.g. {@code /v1/traces}. */
  URI uri(Signal<?> signal) {
    return ingesterUri().resolve(signal.path());
  }

  /** The signal's table in this lake. */
  String table(Signal<?> signal) {
    return signal == Signals.TRACES ? tracesTable : table;
  }

  URI appenderUri() {
    return services.appenderUris().get(0);
  }

  HttpResponse<byte[]> post(byte[] body, OtlpEncoding encoding, boolean gzip) throws IOException, InterruptedException {
    return post(logsUri(), body, encoding, gzip);
  }

  /** Posts an OTLP request body as the clients do, e.g. to {@link #tracesUri()}. */
  HttpResponse<byte[]> post(URI endpoint, byte[] body, OtlpEncoding encoding, boolean gzip)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
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
    return count(Signals.LOGS);
  }

  long count(Signal<?> signal) {
    TableIdentifier id = TableIdentifier.of(namespace, table(signal));
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
    return awaitIds(Signals.LOGS, expected, counted, timeout, poll);
  }

  /** As above, in the signal's table. */
  Map<String, Integer> awaitIds(
      Signal<?> signal, Set<String> expected, Predicate<String> counted, Duration timeout, Duration poll) {
    Map<String, Integer> counts = new HashMap<>();
    await().atMost(timeout).pollInterval(poll).until(() -> {
      flush();
      counts.clear();
      for (String id : ids(signal)) {
        if (counted.test(id)) {
          counts.merge(id, 1, Integer::sum);
        }
      }
      return counts.keySet().containsAll(expected);
    });
    return counts;
  }

  /** The {@code lake.id} of every log record (reads one column only, so it stays cheap on big tables). */
  List<String> ids() throws IOException {
    return ids(Signals.LOGS);
  }

  /** The {@code lake.id} attribute of every row of the signal's table (one map column is read). */
  List<String> ids(Signal<?> signal) throws IOException {
    String column = signal == Signals.TRACES ? TraceTable.SPAN_ATTRIBUTES : LogTable.LOG_ATTRIBUTES;
    List<String> ids = new ArrayList<>();
    for (Object attributes : read(signal, List.of(column), r -> r.getField(column))) {
      Object value = attributes == null ? null : ((Map<?, ?>) attributes).get(LogGenerator.ID_ATTRIBUTE);
      if (value != null) {
        ids.add(value.toString());
      }
    }
    return ids;
  }

  List<LogRow> rows() throws IOException {
    return read(Signals.LOGS, List.of(), Lake::toRow);
  }

  /** Every row of the traces table, as the row model {@code SpanRowMapper} makes. */
  List<SpanRow> spans() throws IOException {
    return read(Signals.TRACES, List.of(), Lake::toSpan);
  }

  /** The signal's table read through Iceberg's own reader ({@code columns}: all when empty). */
  private <T> List<T> read(Signal<?> signal, List<String> columns, Function<Record, T> mapper) throws IOException {
    TableIdentifier id = TableIdentifier.of(namespace, table(signal));
    if (!catalog.tableExists(id)) {
      return List.of();
    }
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(catalog.loadTable(id));
    if (!columns.isEmpty()) {
      scan = scan.select(columns);
    }
    List<T> out = new ArrayList<>();
    try (CloseableIterable<Record> records = scan.build()) {
      for (Record r : records) {
        out.add(mapper.apply(r));
      }
    }
    return out;
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

  /** A traces table row as the row model, so it compares with what {@code SpanRowMapper} expects. */
  static SpanRow toSpan(Record r) {
    return new SpanRow(
        micros((OffsetDateTime) r.getField(TraceTable.TIMESTAMP)),
        (String) r.getField(TraceTable.TRACE_ID),
        (String) r.getField(TraceTable.SPAN_ID),
        (String) r.getField(TraceTable.PARENT_SPAN_ID),
        (String) r.getField(TraceTable.TRACE_STATE),
        (String) r.getField(TraceTable.SPAN_NAME),
        (String) r.getField(TraceTable.SPAN_KIND),
        (String) r.getField(TraceTable.SERVICE_NAME),
        map(r.getField(TraceTable.RESOURCE_ATTRIBUTES)),
        (String) r.getField(TraceTable.SCOPE_NAME),
        (String) r.getField(TraceTable.SCOPE_VERSION),
        map(r.getField(TraceTable.SCOPE_ATTRIBUTES)),
        map(r.getField(TraceTable.SPAN_ATTRIBUTES)),
        (Long) r.getField(TraceTable.DURATION),
        (String) r.getField(TraceTable.STATUS_CODE),
        (String) r.getField(TraceTable.STATUS_MESSAGE),
        list(r.getField(TraceTable.EVENTS), e -> new SpanRow.Event(
            micros((OffsetDateTime) e.getField(TraceTable.TIMESTAMP)),
            (String) e.getField(TraceTable.NAME),
            map(e.getField(TraceTable.ATTRIBUTES)),
            intOrZero(e.getField(TraceTable.DROPPED_ATTRIBUTES_COUNT)))),
        list(r.getField(TraceTable.LINKS), l -> new SpanRow.Link(
            (String) l.getField(TraceTable.TRACE_ID),
            (String) l.getField(TraceTable.SPAN_ID),
            (String) l.getField(TraceTable.TRACE_STATE),
            map(l.getField(TraceTable.ATTRIBUTES)),
            intOrZero(l.getField(TraceTable.DROPPED_ATTRIBUTES_COUNT)))),
        intOrZero(r.getField(TraceTable.TRACE_FLAGS)),
        intOrZero(r.getField(TraceTable.DROPPED_ATTRIBUTES_COUNT)),
        intOrZero(r.getField(TraceTable.DROPPED_EVENTS_COUNT)),
        intOrZero(r.getField(TraceTable.DROPPED_LINKS_COUNT)),
        (String) r.getField(TraceTable.RESOURCE_SCHEMA_URL),
        (String) r.getField(TraceTable.SCOPE_SCHEMA_URL));
  }

  static long micros(OffsetDateTime t) {
    return t.toEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private static int intOrZero(Object o) {
    return o == null ? 0 : (Integer) o;
  }

  /** A list of structs (events, links); none is an empty list, as the row model has it. */
  private static <T> List<T> list(Object o, Function<Record, T> element) {
    List<T> out = new ArrayList<>();
    if (o != null) {
      for (Object e : (List<?>) o) {
        out.add(element.apply((Record) e));
      }
    }
    return out;
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
