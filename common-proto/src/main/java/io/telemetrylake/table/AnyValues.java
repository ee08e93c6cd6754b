package io.telemetrylake.table;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.List;

/**
 * Renders OTLP {@link AnyValue}s as the strings stored in the table: strings as they are, everything
 * else as compact JSON (numbers and booleans bare, bytes as base64, arrays and key/value lists as
 * JSON arrays and objects).
 */
public final class AnyValues {
  private AnyValues() {}

  /** The value as a column string; null when the value is unset. */
  public static String toColumnString(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case VALUE_NOT_SET:
        return null;
      default:
        StringBuilder out = new StringBuilder(32);
        appendJson(value, out);
        return out.toString();
    }
  }

  /** The value as JSON, strings quoted; unset values are {@code null}. */
  public static String toJson(AnyValue value) {
    StringBuilder out = new StringBuilder(32);
    appendJson(value, out);
    return out.toString();
  }

  private static void appendJson(AnyValue value, StringBuilder out) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> appendString(value.getStringValue(), out);
      case BOOL_VALUE -> out.append(value.getBoolValue());
      case INT_VALUE -> out.append(value.getIntValue());
      case DOUBLE_VALUE -> appendDouble(value.getDoubleValue(), out);
      case BYTES_VALUE ->
          appendString(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()), out);
      case ARRAY_VALUE -> {
        List<AnyValue> values = value.getArrayValue().getValuesList();
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          appendJson(values.get(i), out);
        }
        out.append(']');
      }
      case KVLIST_VALUE -> {
        List<KeyValue> values = value.getKvlistValue().getValuesList();
        out.append('{');
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          appendString(values.get(i).getKey(), out);
          out.append(':');
          appendJson(values.get(i).getValue(), out);
        }
        out.append('}');
      }
      case VALUE_NOT_SET -> out.append("null");
    }
  }

  /** A double value as {@link #toColumnString} renders it. */
  static String doubleJson(double d) {
    StringBuilder out = new StringBuilder(24);
    appendDouble(d, out);
    return out.toString();
  }

  private static void appendDouble(double d, StringBuilder out) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      // JSON has no literal for these; OTLP/JSON writes them as strings too.
      appendString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity", out);
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.append((long) d).append(".0");
    } else {
      out.append(d);
    }
  }

  static void appendString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
