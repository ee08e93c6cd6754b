package io.telemetrylake.tools.query;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * The {@code --service}/{@code --since}/{@code --until} filters, resolved once (an age like
 * {@code 2h} becomes one instant), in the two places they must agree: the Iceberg expression that
 * picks the data files, and the SQL predicate of the {@code logs} view that keeps only matching
 * rows of those files (a file holds many services and times). Time is half-open: {@code [since,
 * until)}.
 *
 * @param sinceMicros null: no lower bound
 * @param untilMicros null: no upper bound
 */
record RowFilter(String service, Long sinceMicros, Long untilMicros) {
  static final RowFilter NONE = new RowFilter(null, null, null);

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
    return e;
  }

  /** The view's WHERE clause, or an empty string. */
  String sqlWhere() {
    List<String> terms = new ArrayList<>();
    if (service != null) {
      terms.add("service_name = '" + service.replace("'", "''") + "'");
    }
    if (sinceMicros != null) {
      terms.add("\"timestamp\" >= make_timestamptz(" + sinceMicros + "::BIGINT)");
    }
    if (untilMicros != null) {
      terms.add("\"timestamp\" < make_timestamptz(" + untilMicros + "::BIGINT)");
    }
    return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
  }
}
