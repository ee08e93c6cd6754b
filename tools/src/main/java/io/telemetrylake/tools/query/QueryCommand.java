package io.telemetrylake.tools.query;

import io.telemetrylake.config.Settings;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
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

  @Option(names = "--service", description = "only rows of this service.name (pruned through Iceberg)")
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
      List<Path> files = LakeReader.download(table, filter(), dir);
      System.err.printf("%d data file(s) selected from %s.%s%n", files.size(), namespace, tableName);
      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = duck.createStatement()) {
        st.execute("SET TimeZone='UTC'");
        st.execute(viewSql(table, files));
        try (ResultSet rs = st.executeQuery(sql)) {
          new TablePrinter(maxWidth, maxRows).print(rs, System.out);
        }
      }
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  Expression filter() {
    Expression e = Expressions.alwaysTrue();
    if (service != null) {
      e = Expressions.and(e, Expressions.equal("service_name", service));
    }
    if (since != null) {
      e = Expressions.and(e, Expressions.greaterThanOrEqual("timestamp", micros(since)));
    }
    if (until != null) {
      e = Expressions.and(e, Expressions.lessThan("timestamp", micros(until)));
    }
    return e;
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

  static String viewSql(Table table, List<Path> files) {
    if (files.isEmpty()) {
      String columns = table.schema().columns().stream()
          .map(f -> "\"" + f.name() + "\" " + LakeReader.duckDbType(f.type()))
          .collect(Collectors.joining(", "));
      return "CREATE TABLE logs (" + columns + ")";
    }
    String list = files.stream().map(p -> "'" + p.toString().replace("'", "''") + "'").collect(Collectors.joining(", "));
    return "CREATE VIEW logs AS SELECT * FROM read_parquet([" + list + "], union_by_name = true)";
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
