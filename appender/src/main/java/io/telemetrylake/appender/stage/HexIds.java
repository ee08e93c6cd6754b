package io.telemetrylake.appender.stage;

import io.telemetrylake.table.LogWireReader;
import java.sql.SQLException;
import org.duckdb.DuckDBAppender;

/**
 * Trace and span ids arrive as lowercase hex text (common-proto's row model); the staging table
 * keeps the usual 16- and 8-byte ids as UUID and BIGINT, which the DuckDB appender writes without
 * a native call per value, and turns them back into hex at COPY time. Ids of any other shape (a
 * Collector may forward them) are kept as text.
 */
final class HexIds {
  static final int TRACE_HEX_LENGTH = 32;
  static final int SPAN_HEX_LENGTH = 16;

  private HexIds() {}

  /** True when {@code hex} is {@code length} lowercase hex digits, the form that round-trips. */
  static boolean isCanonical(String hex, int length) {
    if (hex == null || hex.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** Appends a trace id as two columns: {@code UUID}, or (not canonical) {@code VARCHAR}. */
  static void appendTraceId(DuckDBAppender a, String traceId) throws SQLException {
    if (isCanonical(traceId, TRACE_HEX_LENGTH)) {
      a.appendUUID(parseLong(traceId, 0), parseLong(traceId, 16)).appendNull();
    } else {
      a.appendNull().append(traceId);
    }
  }

  /** Appends a span id as two columns: {@code BIGINT}, or (not canonical) {@code VARCHAR}. */
  static void appendSpanId(DuckDBAppender a, String spanId) throws SQLException {
    if (isCanonical(spanId, SPAN_HEX_LENGTH)) {
      a.append(parseLong(spanId, 0)).appendNull();
    } else {
      a.appendNull().append(spanId);
    }
  }

  /** {@link #appendTraceId(DuckDBAppender, String)} for a record read from the wire. */
  static void appendTraceId(DuckDBAppender a, LogWireReader.Record r) throws SQLException {
    if (r.traceIdLength() == TRACE_HEX_LENGTH / 2) {
      a.appendUUID(r.traceIdHigh(), r.traceIdLow()).appendNull();
    } else {
      a.appendNull().append(r.traceIdHex());
    }
  }

  /** {@link #appendSpanId(DuckDBAppender, String)} for a record read from the wire. */
  static void appendSpanId(DuckDBAppender a, LogWireReader.Record r) throws SQLException {
    if (r.spanIdLength() == SPAN_HEX_LENGTH / 2) {
      a.append(r.spanIdLong()).appendNull();
    } else {
      a.appendNull().append(r.spanIdHex());
    }
  }

  /** The SQL giving the hex text back from a trace id's two staged columns. */
  static String traceIdSql(String uuidColumn, String textColumn) {
    return "COALESCE(" + textColumn + ", replace(CAST(" + uuidColumn + " AS VARCHAR), '-', ''))";
  }

  /** The SQL giving the hex text back from a span id's two staged columns. */
  static String spanIdSql(String longColumn, String textColumn) {
    return "COALESCE(" + textColumn + ", printf('%016x', " + longColumn + "))";
  }

  /** The 16 hex digits at {@code from} as a long (two's complement for the top bit). */
  static long parseLong(String hex, int from) {
    long value = 0;
    for (int i = from; i < from + 16; i++) {
      char c = hex.charAt(i);
      value = (value << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return value;
  }
}
