package io.telemetrylake.table;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Conversions every signal's row mapping shares: times, attribute maps, ids, empty strings. */
final class RowValues {
  static final String SERVICE_NAME = "service.name";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RowValues() {}

  /** fixed64 nanos are unsigned on the wire; values past 2^63 still map to a valid micros long. */
  static long nanosToMicros(long unsignedNanos) {
    return Long.divideUnsigned(unsignedNanos, 1000L);
  }

  static Map<String, String> attributes(List<KeyValue> keyValues) {
    if (keyValues.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> map = new HashMap<>(keyValues.size() * 2);
    for (KeyValue kv : keyValues) {
      String value = AnyValues.toColumnString(kv.getValue());
      // A key with an unset value still says the attribute was present; keep it as "null" JSON.
      map.put(kv.getKey(), value == null ? "null" : value);
    }
    return Collections.unmodifiableMap(map);
  }

  static String hexOrNull(byte[] bytes) {
    if (bytes.length == 0) {
      return null;
    }
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[i * 2] = HEX[(bytes[i] >> 4) & 0xF];
      out[i * 2 + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(out);
  }

  static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
