package io.telemetrylake.tools.query;

import io.telemetrylake.config.Settings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lake query}: SQL over a lake table, offline. Iceberg plans the scan (pruning files by the
 * {@code --service}/{@code --since}/{@code --until}/{@code --trace-id} filters), the selected
 * Parquet files are copied locally, and embedded DuckDB runs the SQL over a view of them named
 * after the signal: {@code logs} or {@code traces}. {@code --signal traces --trace-id ID} without
 * SQL prints that trace's spans as a tree.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = "Run SQL over a lake table (a view named logs, or traces with --signal traces). Connection settings"
        + " come from the same environment variables as the appender (ICEBERG_CATALOG_URI, S3_ENDPOINT, ...).")
public final class QueryCommand implements Callable<Integer> {
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-fA-F]{32}");
  /** The columns of a trace's span tree. */
  static final String TRACE_SQL = "SELECT span_id, parent_span_id, span_name, service_name, span_kind,"
      + " epoch_us(\"timestamp\"), duration, status_code, status_message FROM traces ORDER BY \"timestamp\", span_id";

  @Parameters(index = "0", arity = "0..1", description = "SQL (default: a count; with --trace-id the trace's spans"
      + " as a tree for traces, the trace's records for logs)")
  String sql;

  @Option(
      names = "--signal",
      converter = SignalConverter.class,
      description = "logs or traces: the table to read and the view's name (default: logs)")
  QuerySignal signal = QuerySignal.LOGS;

  @Option(names = "--table", description = "the table in the namespace (default: $ICEBERG_TABLE or logs; traces with --signal traces)")
  String table;

  @Option(names = "--service", description = "only rows of this service.name (files pruned through Iceberg, rows filtered)")
  String service;

  @Option(names = "--since", description = "only rows at or after: an ISO instant or an age like 15m, 2h, 7d")
  String since;

  @Option(names = "--until", description = "only rows before: an ISO instant or an age like 15m, 2h, 7d")
  String until;

  @Option(
      names = "--trace-id",
      converter = TraceIdConverter.class,
      description = "only rows of this trace: 32 hex digits, any case (files pruned through Iceberg, rows filtered)")
  String traceId;

  @Option(names = "--max-rows", description = "rows to print (default: ${DEFAULT-VALUE})")
  int maxRows = 50;

  @Option(names = "--max-width", description = "widest cell printed (default: ${DEFAULT-VALUE})")
  int maxWidth = 80;

  @Override
  public Integer call() throws Exception {
    Settings env = Settings.fromEnvironment();
    String namespace = env.string("ICEBERG_NAMESPACE", "otel");
    String tableName = table != null ? table : signal.tableName(env);
    Path dir = Files.createTempDirectory("lake-query");
    try (RESTCatalog catalog = new RESTCatalog()) {
      catalog.initialize("lake", catalogProperties(env));
      Table loaded = catalog.loadTable(TableIdentifier.of(namespace, tableName));
      run(loaded, rowFilter(), dir, System.out, System.err);
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  /**
   * Downloads what the filter selects, says how much that was, runs the SQL over the matching rows
   * (or, for one trace without SQL, prints its span tree).
   */
  void run(Table table, RowFilter filter, Path dir, PrintStream out, PrintStream err) throws Exception {
    LakeReader.Selection selection = LakeReader.download(table, filter.expression(), dir);
    err.printf(Locale.ROOT, "%d of %d data files (%.1f of %.1f MiB) selected from %s%n",
        selection.files().size(), selection.totalFiles(), selection.bytes() / 1048576.0,
        selection.totalBytes() / 1048576.0, table.name());
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET TimeZone='UTC'");
      st.execute(viewSql(table, signal.view(), selection.files(), filter));
      String query = sql != null ? sql : signal.defaultSql(filter.traceId() != null);
      if (query == null) {
        printTrace(st, filter.traceId(), out);
        return;
      }
      try (ResultSet rs = st.executeQuery(query)) {
        new TablePrinter(maxWidth, maxRows).print(rs, out);
      }
    }
  }

  /** The spans of the (filtered) traces view as a tree, with a summary line. */
  private void printTrace(Statement st, String id, PrintStream out) throws Exception {
    List<TraceTree.SpanRow> spans = new ArrayList<>();
    try (ResultSet rs = st.executeQuery(TRACE_SQL)) {
      while (rs.next()) {
        spans.add(new TraceTree.SpanRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getString(8), rs.getString(9)));
      }
    }
    TraceTree tree = new TraceTree(spans);
    out.println(tree.summary(id));
    if (!spans.isEmpty()) {
      new TablePrinter(maxWidth, maxRows).print(TraceTree.HEADER, tree.rows(), spans.size(), out);
    }
  }

  /** The filters, each age turned into an instant once. */
  RowFilter rowFilter() {
    return new RowFilter(service, since == null ? null : micros(since), until == null ? null : micros(until), traceId);
  }

  static long micros(String when) {
    Instant at;
    if (when.matches("\\d+[smhd]")) {
      long n = Long.parseLong(when.substring(0, when.length() - 1));
      Duration age = switch (when.charAt(when.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      at = Instant.now().minus(age);
    } else {
      try {
        at = Instant.parse(when);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not an instant or an age: " + when);
      }
    }
    return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
  }

  static String viewSql(Table table, String view, List<Path> files, RowFilter filter) {
    if (files.isEmpty()) {
      String columns = table.schema().columns().stream()
          .map(f -> "\"" + f.name() + "\" " + LakeReader.duckDbType(f.type()))
          .collect(Collectors.joining(", "));
      return "CREATE TABLE " + view + " (" + columns + ")";
    }
    String list = files.stream().map(p -> "'" + p.toString().replace("'", "''") + "'").collect(Collectors.joining(", "));
    return "CREATE VIEW " + view + " AS SELECT * FROM read_parquet([" + list + "], union_by_name = true)"
        + filter.sqlWhere();
  }

  static Map<String, String> catalogProperties(Settings env) {
    Map<String, String> props = new HashMap<>();
    props.put("uri", env.string("ICEBERG_CATALOG_URI", "http://127.0.0.1:8181"));
    props.put("warehouse", env.string("ICEBERG_WAREHOUSE", "s3://warehouse/"));
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("client.region", env.string("S3_REGION", "us-east-1"));
    env.optional("S3_ENDPOINT").ifPresent(v -> {
      props.put("s3.endpoint", v);
      props.put("s3.path-style-access", Boolean.toString(env.bool("S3_PATH_STYLE_ACCESS", true)));
    });
    env.optional("S3_ACCESS_KEY_ID").ifPresent(v -> props.put("s3.access-key-id", v));
    env.optional("S3_SECRET_ACCESS_KEY").ifPresent(v -> props.put("s3.secret-access-key", v));
    props.putAll(env.passThrough("ICEBERG_PROP_"));
    return props;
  }

  /** A trace id as the tables store it: 32 lower-case hex digits. */
  static String traceId(String value) {
    String id = value.strip();
    if (!TRACE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a trace id is 32 hex digits (16 bytes), got '" + value + "' ("
          + id.length() + " characters)");
    }
    return id.toLowerCase(Locale.ROOT);
  }

  static final class TraceIdConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        return traceId(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class SignalConverter implements CommandLine.ITypeConverter<QuerySignal> {
    @Override
    public QuerySignal convert(String value) {
      try {
        return QuerySignal.named(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
