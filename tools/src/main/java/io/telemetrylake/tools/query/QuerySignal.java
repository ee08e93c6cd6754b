package io.telemetrylake.tools.query;

import io.telemetrylake.config.Settings;
import java.util.Locale;

/**
 * Which table {@code lake query} reads, and the name of its view in the SQL: {@code logs}
 * ({@code ICEBERG_TABLE}, as the appender names it, default {@code logs}) or {@code traces}.
 */
enum QuerySignal {
  LOGS("logs", "SELECT count(*) AS records FROM logs",
      "SELECT \"timestamp\", service_name, severity_text, span_id, body FROM logs ORDER BY \"timestamp\""),
  TRACES("traces", "SELECT count(*) AS spans FROM traces", null);

  private final String view;
  private final String defaultSql;
  private final String traceSql;

  QuerySignal(String view, String defaultSql, String traceSql) {
    this.view = view;
    this.defaultSql = defaultSql;
    this.traceSql = traceSql;
  }

  /** The view the SQL reads: {@code logs} or {@code traces}. */
  String view() {
    return view;
  }

  /** The SQL run when none is given: a count, or with {@code --trace-id} the trace's records (null: print the span tree). */
  String defaultSql(boolean oneTrace) {
    return oneTrace ? traceSql : defaultSql;
  }

  /** The table's name in the namespace. */
  String tableName(Settings env) {
    return this == LOGS ? env.string("ICEBERG_TABLE", "logs") : env.string("ICEBERG_TRACES_TABLE", "traces");
  }

  static QuerySignal named(String name) {
    for (QuerySignal s : values()) {
      if (s.view.equalsIgnoreCase(name.strip())) {
        return s;
      }
    }
    throw new IllegalArgumentException("expected logs or traces, got '" + name + "'");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
