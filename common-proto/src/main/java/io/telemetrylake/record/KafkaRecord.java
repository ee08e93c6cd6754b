package io.telemetrylake.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record of a signal's topic: the key is the stable resource key ({@link ResourceKeys}),
 * the value a serialized export request (e.g. {@code ExportLogsServiceRequest}) with one resource (see {@link
 * KafkaRecordFormat}). The arrays are not copied: treat them as read-only.
 *
 * @param itemCount how many OTLP items (log records, spans) the value holds
 */
public record KafkaRecord(byte[] key, byte[] value, int itemCount) {
  public KafkaRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (itemCount < 0) {
      throw new IllegalArgumentException("itemCount must not be negative: " + itemCount);
    }
  }

  // Records compare arrays by identity; compare contents instead.
  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaRecord that
        && itemCount == that.itemCount
        && Arrays.equals(key, that.key)
        && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + itemCount;
  }

  @Override
  public String toString() {
    return "KafkaRecord[key="
        + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1)
        + ", value="
        + value.length
        + " bytes, itemCount="
        + itemCount
        + "]";
  }
}
