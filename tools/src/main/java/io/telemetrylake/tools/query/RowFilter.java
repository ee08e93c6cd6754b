package io.telemetrylake.tools.query;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The {@code --service}/{@code --since}/{@code --until}/{@code --trace-id} filters, resolved once
 * (an age like {@code 2h} becomes one instant), in the two places they must agree: the Iceberg
 * expression that picks the data files, and the SQL predicate of the view that keeps only matching
 * rows of those files (a file holds many services, times and traces). Time is half-open: {@code
 * [since, until)}. The columns are those of both tables, logs and traces: {@code service_name},
 * {@code timestamp}, {@code trace_id}.
 *
 * @param sinceMicros null: no lower bound
 * @param untilMicros null: no upper bound
 * @param traceId null: any trace; else 32 lower-case hex digits, as the tables store it
 */
record RowFilter(String service, Long sinceMicros, Long untilMicros, String traceId) {
  static final RowFilter NONE = new RowFilter(null, null, null, null);

  RowFilter(String service, Long sinceMicros, Long untilMicros) {
    this(service, sinceMicros, untilMicros, null);
  }

  Expression expression() {
    Expression e = Expressions.alwaysTrue();
    if (service != null) {
      e = Expressions.and(e, Expressions.equal("service_name", service));
    }
    if (sinceMicros != null) {
      e = Expressions.and(e, Expressions.greaterThanOrEqual("timestamp", sinceMicros));
    }
    if (untilMicros != null) {
      e = Expressions.and(e, Expressions.lessThan("timestamp", untilMicros));
    }
    if (traceId != null) {
      e = Expressions.and(e, Expressions.equal("trace_id", traceId));
    }
    return e;
  }

  /** The view's WHERE clause, or an empty string. */
  String sqlWhere() {
    List<String> terms = new ArrayList<>();
    if (service != null) {
      terms.add("service_name = " + literal(service));
    }
    if (sinceMicros != null) {
      terms.add("\"timestamp\" >= make_timestamptz(" + sinceMicros + "::BIGINT)");
    }
    if (untilMicros != null) {
      terms.add("\"timestamp\" < make_timestamptz(" + untilMicros + "::BIGINT)");
    }
    if (traceId != null) {
      terms.add("trace_id = " + literal(traceId));
    }
    return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
