package io.telemetrylake.appender.stage;

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
