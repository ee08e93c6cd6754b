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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lake query}: SQL over the lake table, offline. Iceberg plans the scan (pruning files by
 * the {@code --service}/{@code --since}/{@code --until} filters), the selected Parquet files are
 * copied locally, and embedded DuckDB runs the SQL over a {@code logs} view of them.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = "Run SQL over the lake table (a view named logs). Connection settings come from the same"
        + " environment variables as the appender (ICEBERG_CATALOG_URI, S3_ENDPOINT, ...).")
public final class QueryCommand implements Callable<Integer> {
  @Parameters(index = "0", defaultValue = "SELECT count(*) AS records FROM logs", description = "SQL (default: ${DEFAULT-VALUE})")
  String sql;

  @Option(names = "--service", description = "only rows of this service.name (files pruned through Iceberg, rows filtered)")
  String service;

  @Option(names = "--since", description = "only rows at or after: an ISO instant or an age like 15m, 2h, 7d")
  String since;

  @Option(names = "--until", description = "only rows before: an ISO instant or an age like 15m, 2h, 7d")
  String until;

  @Option(names = "--max-rows", description = "rows to print (default: ${DEFAULT-VALUE})")
  int maxRows = 50;

  @Option(names = "--max-width", description = "widest cell printed (default: ${DEFAULT-VALUE})")
  int maxWidth = 80;

  @Override
  public Integer call() throws Exception {
    Settings env = Settings.fromEnvironment();
    String namespace = env.string("ICEBERG_NAMESPACE", "otel");
    String tableName = env.string("ICEBERG_TABLE", "logs");
    Path dir = Files.createTempDirectory("lake-query");
    try (RESTCatalog catalog = new RESTCatalog()) {
      catalog.initialize("lake", catalogProperties(env));
      Table table = catalog.loadTable(TableIdentifier.of(namespace, tableName));
      run(table, rowFilter(), dir, System.out, System.err);
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  /** Downloads what the filter selects, says how much that was, runs the SQL over the matching rows. */
  void run(Table table, RowFilter filter, Path dir, PrintStream out, PrintStream err) throws Exception {
    LakeReader.Selection selection = LakeReader.download(table, filter.expression(), dir);
    err.printf(Locale.ROOT, "%d of %d data files (%.1f of %.1f MiB) selected from %s%n",
        selection.files().size(), selection.totalFiles(), selection.bytes() / 1048576.0,
        selection.totalBytes() / 1048576.0, table.name());
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET TimeZone='UTC'");
      st.execute(viewSql(table, selection.files(), filter));
      try (ResultSet rs = st.executeQuery(sql)) {
        new TablePrinter(maxWidth, maxRows).print(rs, out);
      }
    }
  }

  /** The filters, each age turned into an instant once. */
  RowFilter rowFilter() {
    return new RowFilter(service, since == null ? null : micros(since), until == null ? null : micros(until));
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

  static String viewSql(Table table, List<Path> files, RowFilter filter) {
    if (files.isEmpty()) {
      String columns = table.schema().columns().stream()
          .map(f -> "\"" + f.name() + "\" " + LakeReader.duckDbType(f.type()))
          .collect(Collectors.joining(", "));
      return "CREATE TABLE logs (" + columns + ")";
    }
    String list = files.stream().map(p -> "'" + p.toString().replace("'", "''") + "'").collect(Collectors.joining(", "));
    return "CREATE VIEW logs AS SELECT * FROM read_parquet([" + list + "], union_by_name = true)"
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
}
