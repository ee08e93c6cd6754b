package io.telemetrylake.appender.stage;

import io.telemetrylake.table.LogWireReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  /**
   * Writes a wire record's attributes as the same JSON object, in UTF-8 straight from the value's
   * bytes (no {@code String}s), into one reused buffer. Escaping bytes below 0x80 only is the same
   * as escaping chars: UTF-8 never uses them inside a multi-byte character.
   */
  static final class Utf8Writer {
    private byte[] buf = new byte[512];
    private int len;

    byte[] encode(LogWireReader.Record r) {
      len = 0;
      put('{');
      boolean first = true;
      byte[] src = r.source();
      for (int i = 0; i < r.attributeEntries(); i++) {
        if (r.attributeShadowed(i)) {
          continue;
        }
        if (!first) {
          put(',');
        }
        first = false;
        string(src, r.keyStart(i), r.keyEnd(i));
        put(':');
        if (r.valueInSource(i)) {
          string(src, r.valueStart(i), r.valueEnd(i));
        } else {
          byte[] text = r.valueText(i).getBytes(StandardCharsets.UTF_8);
          string(text, 0, text.length);
        }
      }
      if (first) {
        return EMPTY_OBJECT.clone();
      }
      put('}');
      return Arrays.copyOf(buf, len);
    }

    private void string(byte[] src, int start, int end) {
      put('"');
      for (int i = start; i < end; i++) {
        byte b = src[i];
        if (b == '"' || b == '\\') {
          put('\\');
          put(b);
        } else if (b >= 0 && b < 0x20) {
          switch (b) {
            case '\n' -> escape('n');
            case '\r' -> escape('r');
            case '\t' -> escape('t');
            default -> {
              escape('u');
              put('0');
              put('0');
              put(Character.forDigit(b >> 4, 16));
              put(Character.forDigit(b & 0xF, 16));
            }
          }
        } else {
          put(b);
        }
      }
      put('"');
    }

    private void escape(char c) {
      put('\\');
      put(c);
    }

    private void put(int b) {
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      buf[len++] = (byte) b;
    }
  }
}
