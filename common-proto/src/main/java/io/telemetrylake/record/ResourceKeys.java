package io.telemetrylake.record;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * Kafka record keys: one stable key per resource, so that with Kafka's default partitioner (the
 * ingester's {@code INGESTER_PARTITIONING=resource}) all records of a resource land in the same
 * partition and keep their order; with {@code spread} the key only names the resource. The key
 * must be the same in every process and every
 * version, so it is computed from a canonical encoding of the resource attributes that is defined
 * here (and in README.md), never from protobuf serialization or Java hash codes.
 *
 * <p>Key = the 16 lower-case hex digits (ASCII) of the first 8 bytes of SHA-256 over:
 *
 * <pre>
 * attributes := u32 count, then the encoded entries sorted by unsigned byte order
 * entry      := u32 key length, key UTF-8 bytes, value
 * value      := 0x00                                  (no value)
 *             | 0x01 u32 length, UTF-8 bytes          (string)
 *             | 0x02 0x00 or 0x01                     (bool)
 *             | 0x03 i64                              (int)
 *             | 0x04 i64 of Double.doubleToLongBits   (double; one NaN)
 *             | 0x05 u32 count, values in order       (array)
 *             | 0x06 attributes                       (kvlist: sorted like the top level)
 *             | 0x07 u32 length, bytes                (bytes)
 *             | 0x08 i32                              (string_value_strindex)
 * </pre>
 *
 * All integers are big-endian. Only attributes count: {@code dropped_attributes_count}, entity
 * references and {@code key_strindex} do not change the key. Attributes in a different order (at
 * any level of key/value lists) give the same key; duplicate keys are kept, not merged.
 */
public final class ResourceKeys {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int KEY_HASH_BYTES = 8;

  private ResourceKeys() {}

  /** The key of a resource: 16 ASCII hex characters. */
  public static byte[] keyOf(Resource resource) {
    Canonical out = new Canonical();
    writeAttributes(resource.getAttributesList(), out);
    MessageDigest sha256 = sha256();
    sha256.update(out.buf, 0, out.count);
    byte[] digest = sha256.digest();
    byte[] key = new byte[2 * KEY_HASH_BYTES];
    for (int i = 0; i < KEY_HASH_BYTES; i++) {
      key[2 * i] = HEX[(digest[i] >> 4) & 0xF];
      key[2 * i + 1] = HEX[digest[i] & 0xF];
    }
    return key;
  }

  private static void writeAttributes(List<KeyValue> attributes, Canonical out) {
    byte[][] entries = new byte[attributes.size()][];
    for (int i = 0; i < entries.length; i++) {
      Canonical entry = new Canonical();
      KeyValue attribute = attributes.get(i);
      entry.writeBytes(attribute.getKeyBytes());
      writeValue(attribute.getValue(), entry);
      entries[i] = entry.toByteArray();
    }
    Arrays.sort(entries, Arrays::compareUnsigned);
    out.writeInt(entries.length);
    for (byte[] entry : entries) {
      out.write(entry, 0, entry.length);
    }
  }

  private static void writeValue(AnyValue value, Canonical out) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> {
        out.write(0x01);
        out.writeBytes(value.getStringValueBytes());
      }
      case BOOL_VALUE -> {
        out.write(0x02);
        out.write(value.getBoolValue() ? 1 : 0);
      }
      case INT_VALUE -> {
        out.write(0x03);
        out.writeLong(value.getIntValue());
      }
      case DOUBLE_VALUE -> {
        out.write(0x04);
        out.writeLong(Double.doubleToLongBits(value.getDoubleValue()));
      }
      case ARRAY_VALUE -> {
        out.write(0x05);
        List<AnyValue> values = value.getArrayValue().getValuesList();
        out.writeInt(values.size());
        for (AnyValue element : values) {
          writeValue(element, out);
        }
      }
      case KVLIST_VALUE -> {
        out.write(0x06);
        writeAttributes(value.getKvlistValue().getValuesList(), out);
      }
      case BYTES_VALUE -> {
        out.write(0x07);
        out.writeBytes(value.getBytesValue());
      }
      case STRING_VALUE_STRINDEX -> {
        out.write(0x08);
        out.writeInt(value.getStringValueStrindex());
      }
      case VALUE_NOT_SET -> out.write(0x00);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** A growable byte buffer with the few big-endian writes the canonical form needs. */
  private static final class Canonical {
    private byte[] buf = new byte[64];
    private int count;

    void write(int b) {
      ensureCapacity(1);
      buf[count++] = (byte) b;
    }

    void write(byte[] bytes, int offset, int length) {
      ensureCapacity(length);
      System.arraycopy(bytes, offset, buf, count, length);
      count += length;
    }

    void writeInt(int v) {
      ensureCapacity(4);
      buf[count++] = (byte) (v >>> 24);
      buf[count++] = (byte) (v >>> 16);
      buf[count++] = (byte) (v >>> 8);
      buf[count++] = (byte) v;
    }

    void writeLong(long v) {
      writeInt((int) (v >>> 32));
      writeInt((int) v);
    }

    void writeBytes(ByteString bytes) {
      writeInt(bytes.size());
      ensureCapacity(bytes.size());
      bytes.copyTo(buf, count);
      count += bytes.size();
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, count);
    }

    private void ensureCapacity(int extra) {
      if (buf.length - count < extra) {
        buf = Arrays.copyOf(buf, Math.max(2 * buf.length, count + extra));
      }
    }
  }
}
