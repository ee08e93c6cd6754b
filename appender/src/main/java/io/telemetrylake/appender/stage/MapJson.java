package io.telemetrylake.appender.stage;

import java.util.Map;

/**
 * Encodes an attribute map as a JSON object of strings, the form the staging table keeps maps in.
 *
 * <p>Maps go into DuckDB as JSON text because appending a {@code MAP} column value by value is
 * about 4x slower than one {@code VARCHAR}; DuckDB turns the text back into {@code MAP(VARCHAR,
 * VARCHAR)} while it writes Parquet (see the README and {@code benchmarks/run.sh staging}).
 */
public final class MapJson {
  private MapJson() {}

  public static String encode(Map<String, String> map) {
    if (map.isEmpty()) {
      return "{}";
    }
    StringBuilder out = new StringBuilder(map.size() * 32);
    appendTo(map, out);
    return out.toString();
  }

  /** Appends the map's JSON object to {@code out}. */
  static void appendTo(Map<String, String> map, StringBuilder out) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      appendString(e.getKey(), out);
      out.append(':');
      if (e.getValue() == null) {
        out.append("null");
      } else {
        appendString(e.getValue(), out);
      }
    }
    out.append('}');
  }

  static void appendString(String s, StringBuilder out) {
    out.append('"');
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        switch (c) {
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            out.append("\\u00");
            out.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
          }
        }
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }
}
