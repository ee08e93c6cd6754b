package io.telemetrylake.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record of the logs topic: the key is the stable resource key ({@link ResourceKeys}),
 * the value a serialized {@code ExportLogsServiceRequest} with one {@code ResourceLogs} (see {@link
 * KafkaRecordFormat}). The arrays are not copied: treat them as read-only.
 *
 * @param logRecordCount how many OTLP log records the value holds
 */
public record KafkaLogRecord(byte[] key, byte[] value, int logRecordCount) {
  public KafkaLogRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (logRecordCount < 0) {
      throw new IllegalArgumentException("logRecordCount must not be negative: " + logRecordCount);
    }
  }

  // Records compare arrays by identity; compare contents instead.
  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaLogRecord that
        && logRecordCount == that.logRecordCount
        && Arrays.equals(key, that.key)
        && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(value)) + logRecordCount;
  }

  @Override
  public String toString() {
    return "KafkaLogRecord[key="
        + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1)
        + ", value="
        + value.length
        + " bytes, logRecordCount="
        + logRecordCount
        + "]";
  }
}
