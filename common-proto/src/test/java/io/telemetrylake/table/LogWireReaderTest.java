package io.telemetrylake.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.record.KafkaRecordFormat;
import io.telemetrylake.samples.OtlpSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The wire reader must give exactly the rows {@link LogRowMapper} gives from protobuf-java's
 * decoding, for every value it accepts, and decline every value protobuf-java rejects.
 */
class LogWireReaderTest {
  private static final long FALLBACK = 1_700_000_000_000_000L;

  @Test
  void readsTheSameRowsAsTheMapperForTheConformanceSamples() throws Exception {
    for (OtlpSamples.Sample sample : OtlpSamples.valid()) {
      byte[] value = sample.decoded().toByteArray();
      assertThat(viaWire(value)).as(sample.name()).isEqualTo(viaMapper(value));
    }
  }

  @Test
  void readsTheSameRowsAsTheMapperForRandomRequests() throws Exception {
    Random random = new Random(20261207L);
    int accepted = 0;
    for (int i = 0; i < 2_000; i++) {
      byte[] value = randomRequest(random).toByteArray();
      List<LogRow> wire = viaWire(value);
      if (wire != null) {
        accepted++;
        assertThat(wire).as("request %d", i).isEqualTo(viaMapper(value));
      }
    }
    // the generator makes valid requests of the usual shape: all of them take the fast path
    assertThat(accepted).isEqualTo(2_000);
  }

  @Test
  void neverAcceptsWhatProtobufRejectsNorDiffersOnWhatItAccepts() throws Exception {
    Random random = new Random(7L);
    int rejectedByProtobuf = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] value = mutate(randomRequest(random).toByteArray(), random);
      List<LogRow> reference;
      try {
        reference = viaMapper(value);
      } catch (OtlpDecodeException e) {
        rejectedByProtobuf++;
        assertThat(viaWire(value)).as("mutation %d", i).isNull();
        continue;
      }
      List<LogRow> wire = viaWire(value);
      if (wire != null) {
        assertThat(wire).as("mutation %d", i).isEqualTo(reference);
      }
    }
    assertThat(rejectedByProtobuf).isGreaterThan(1_000);
  }

  @Test
  void takesFieldsInAnyOrderAndSkipsUnknownFields() throws Exception {
    byte[] record = LogRecord.newBuilder().setTimeUnixNano(5_000).setSeverityText("WARN")
        .setBody(AnyValue.newBuilder().setStringValue("hello")).build().toByteArray();
    byte[] scope = InstrumentationScope.newBuilder().setName("lib").build().toByteArray();
    byte[] resource = Resource.newBuilder()
        .addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("svc")))
        .build().toByteArray();
    // records before their scope, scopes before their resource, unknown fields everywhere
    byte[] scopeLogs = concat(unknown(99), field(2, concat(unknown(77), record)), field(1, scope),
        field(3, "s://scope".getBytes(StandardCharsets.UTF_8)));
    byte[] resourceLogs = concat(field(2, scopeLogs), field(3, "s://res".getBytes(StandardCharsets.UTF_8)),
        unknown(15), field(1, resource));
    byte[] value = concat(unknown(2), field(1, resourceLogs));

    List<LogRow> wire = viaWire(value);
    assertThat(wire).isNotNull().isEqualTo(viaMapper(value));
    assertThat(wire.get(0).serviceName()).isEqualTo("svc");
    assertThat(wire.get(0).scopeSchemaUrl()).isEqualTo("s://scope");
  }

  @Test
  void declinesARepeatedSingularFieldWhichProtobufMerges() throws Exception {
    byte[] once = LogRecord.newBuilder().setTimeUnixNano(5_000).build().toByteArray();
    byte[] twice = concat(once, LogRecord.newBuilder().setTimeUnixNano(9_000).build().toByteArray());
    byte[] value = request(twice);
    assertThat(viaWire(value)).isNull();
    assertThat(viaMapper(value).get(0).timestampMicros()).isEqualTo(9);
  }

  @Test
  void declinesInvalidUtf8WhichProtobufRejects() {
    byte[] record = concat(field(3, new byte[] {'a', (byte) 0xC3, 'b'}));
    byte[] value = request(record);
    assertThat(viaWire(value)).isNull();
    assertThatThrownBy(() -> viaMapper(value)).isInstanceOf(OtlpDecodeException.class);
  }

  @Test
  void aReaderThatEmittedAValueStillChecksTheNextOne() throws Exception {
    // the emitting pass trusts the checking pass's UTF-8 checks; the next value must not
    LogWireReader reader = new LogWireReader();
    byte[] valid = request(LogRecord.newBuilder().setSeverityText("INFO").build().toByteArray());
    byte[] invalid = request(concat(field(3, new byte[] {'a', (byte) 0xC3, 'b'})));

    assertThat(viaWire(reader, valid)).isEqualTo(viaMapper(valid));
    assertThat(viaWire(reader, invalid)).isNull();
    assertThat(viaWire(reader, valid)).isEqualTo(viaMapper(valid));
  }

  @Test
  void keepsTheLastValueOfARepeatedAttributeKey() throws Exception {
    LogRecord record = LogRecord.newBuilder()
        .addAttributes(kv("k", "first"))
        .addAttributes(kv("other", "x"))
        .addAttributes(kv("k", "last"))
        .build();
    byte[] value = request(record.toByteArray());
    List<LogRow> wire = viaWire(value);
    assertThat(wire).isEqualTo(viaMapper(value));
    assertThat(wire.get(0).logAttributes()).containsExactlyInAnyOrderEntriesOf(
        Map.of("k", "last", "other", "x"));
  }

  @Test
  void givesSixteenByteTraceIdsAndEightByteSpanIdsAsBigEndianLongs() {
    byte[] trace = new byte[16];
    byte[] span = new byte[8];
    for (int i = 0; i < 16; i++) {
      trace[i] = (byte) (0xF0 + i);
    }
    for (int i = 0; i < 8; i++) {
      span[i] = (byte) (0x81 + i);
    }
    LogRecord record = LogRecord.newBuilder().setTraceId(ByteString.copyFrom(trace))
        .setSpanId(ByteString.copyFrom(span)).build();
    List<long[]> ids = new ArrayList<>();
    new LogWireReader().read(request(record.toByteArray()), FALLBACK, new LogWireReader.Sink() {
      @Override
      public void scope(LogWireReader.ScopeValues shared) {}

      @Override
      public void record(LogWireReader.Record r) {
        ids.add(new long[] {r.traceIdHigh(), r.traceIdLow(), r.spanIdLong()});
      }
    });
    assertThat(ids).hasSize(1);
    assertThat(String.format("%016x%016x", ids.get(0)[0], ids.get(0)[1]))
        .isEqualTo(RowValues.hexOrNull(trace));
    assertThat(String.format("%016x", ids.get(0)[2])).isEqualTo(RowValues.hexOrNull(span));
  }

  // ---- the two paths, as rows ----

  private static List<LogRow> viaMapper(byte[] value) throws OtlpDecodeException {
    return LogRowMapper.toRows(KafkaRecordFormat.decodeValue(value), FALLBACK);
  }

  /** The wire reader's records as LogRows; null when it declines the value. */
  static List<LogRow> viaWire(byte[] value) {
    return viaWire(new LogWireReader(), value);
  }

  private static List<LogRow> viaWire(LogWireReader reader, byte[] value) {
    List<LogRow> rows = new ArrayList<>();
    LogWireReader.ScopeValues[] shared = new LogWireReader.ScopeValues[1];
    boolean read = reader.read(value, FALLBACK, new LogWireReader.Sink() {
      @Override
      public void scope(LogWireReader.ScopeValues s) {
        shared[0] = s;
      }

      @Override
      public void record(LogWireReader.Record r) {
        LogWireReader.ScopeValues s = shared[0];
        rows.add(new LogRow(
            r.timestampMicros(),
            r.hasObservedTimestamp() ? r.observedTimestampMicros() : null,
            r.severityNumber(),
            text(r.severityText()),
            text(r.body()),
            r.traceIdHex(),
            r.spanIdHex(),
            r.flags(),
            text(r.eventName()),
            s.serviceName(),
            s.deploymentEnvironment(),
            s.hostName(),
            s.resourceAttributes(),
            s.scopeAttributes(),
            attributes(r),
            s.scopeName(),
            s.scopeVersion(),
            s.resourceSchemaUrl(),
            s.scopeSchemaUrl(),
            r.droppedAttributesCount()));
      }
    });
    return read ? rows : null;
  }

  private static Map<String, String> attributes(LogWireReader.Record r) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < r.attributeEntries(); i++) {
      if (r.attributeShadowed(i)) {
        continue;
      }
      String key = new String(r.source(), r.keyStart(i), r.keyEnd(i) - r.keyStart(i),
          StandardCharsets.UTF_8);
      String value = r.valueInSource(i)
          ? new String(r.source(), r.valueStart(i), r.valueEnd(i) - r.valueStart(i),
              StandardCharsets.UTF_8)
          : r.valueText(i);
      assertThat(map.put(key, value)).as("key %s once", key).isNull();
    }
    return map;
  }

  private static String text(byte[] utf8) {
    return utf8 == null ? null : new String(utf8, StandardCharsets.UTF_8);
  }

  // ---- inputs ----

  private static ExportLogsServiceRequest randomRequest(Random random) {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    for (int r = random.nextInt(3); r >= 0; r--) {
      ResourceLogs.Builder resourceLogs = ResourceLogs.newBuilder();
      if (random.nextBoolean()) {
        Resource.Builder resource = Resource.newBuilder();
        if (random.nextInt(4) > 0) {
          resource.addAttributes(kv("service.name", word(random)));
        }
        if (random.nextBoolean()) {
          resource.addAttributes(kv("deployment.environment", word(random)));
        }
        if (random.nextBoolean()) {
          resource.addAttributes(kv("host.name", word(random)));
        }
        for (int a = random.nextInt(3); a > 0; a--) {
          resource.addAttributes(KeyValue.newBuilder().setKey(word(random)).setValue(anyValue(random, 2)));
        }
        resourceLogs.setResource(resource);
      }
      if (random.nextBoolean()) {
        resourceLogs.setSchemaUrl(word(random));
      }
      for (int s = random.nextInt(3); s >= 0; s--) {
        ScopeLogs.Builder scopeLogs = ScopeLogs.newBuilder();
        if (random.nextBoolean()) {
          scopeLogs.setScope(InstrumentationScope.newBuilder().setName(word(random))
              .setVersion(random.nextBoolean() ? word(random) : "")
              .addAllAttributes(random.nextBoolean() ? List.of(kv("scope.k", word(random))) : List.of()));
        }
        if (random.nextBoolean()) {
          scopeLogs.setSchemaUrl(word(random));
        }
        for (int n = random.nextInt(5); n > 0; n--) {
          scopeLogs.addLogRecords(randomRecord(random));
        }
        resourceLogs.addScopeLogs(scopeLogs);
      }
      request.addResourceLogs(resourceLogs);
    }
    return request.build();
  }

  private static LogRecord randomRecord(Random random) {
    LogRecord.Builder record = LogRecord.newBuilder();
    long[] times = {0, 1_700_000_000_123_456_789L, -5L, 999};
    record.setTimeUnixNano(times[random.nextInt(times.length)]);
    record.setObservedTimeUnixNano(times[random.nextInt(times.length)]);
    record.setSeverityNumberValue(random.nextInt(30) - 3);
    if (random.nextBoolean()) {
      record.setSeverityText(word(random));
    }
    if (random.nextInt(5) > 0) {
      record.setBody(anyValue(random, 3));
    }
    for (int a = random.nextInt(7); a > 0; a--) {
      String key = random.nextInt(6) == 0 ? "dup" : word(random);
      KeyValue.Builder kv = KeyValue.newBuilder().setKey(key);
      if (random.nextInt(8) > 0) {
        kv.setValue(anyValue(random, 2));
      }
      record.addAttributes(kv);
    }
    int[] idLengths = {0, 16, 16, 16, 5};
    record.setTraceId(bytes(random, idLengths[random.nextInt(idLengths.length)]));
    record.setSpanId(bytes(random, random.nextInt(4) == 0 ? 3 : random.nextBoolean() ? 8 : 0));
    record.setFlags(random.nextInt());
    record.setDroppedAttributesCount(random.nextInt(3) == 0 ? -1 : random.nextInt(5));
    if (random.nextBoolean()) {
      record.setEventName(word(random));
    }
    return record.build();
  }

  private static AnyValue anyValue(Random random, int depth) {
    AnyValue.Builder value = AnyValue.newBuilder();
    switch (depth == 0 ? 0 : random.nextInt(10)) {
      case 0, 1, 2, 3, 4 -> value.setStringValue(word(random));
      case 5 -> value.setIntValue(random.nextLong());
      case 6 -> value.setDoubleValue(random.nextBoolean() ? random.nextDouble() : Double.NaN);
      case 7 -> value.setBoolValue(random.nextBoolean());
      case 8 -> value.setArrayValue(ArrayValue.newBuilder()
          .addValues(anyValue(random, depth - 1)).addValues(anyValue(random, depth - 1)));
      default -> {
        if (random.nextBoolean()) {
          value.setKvlistValue(KeyValueList.newBuilder()
              .addValues(KeyValue.newBuilder().setKey(word(random)).setValue(anyValue(random, depth - 1))));
        } else {
          value.setBytesValue(bytes(random, random.nextInt(6)));
        }
      }
    }
    return value.build();
  }

  private static final String[] WORDS = {
    "", "a", "checkout", "GET /api/v1/orders", "naïve café", "日本語", "emoji 🎉", "quote\"back\\slash",
    "line\nbreak\ttab\u0001", "a-rather-long-attribute-value-that-is-not-inlined"
  };

  private static String word(Random random) {
    return WORDS[random.nextInt(WORDS.length)];
  }

  private static ByteString bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  /** Bit flips, truncations, insertions and byte overwrites of a valid value. */
  private static byte[] mutate(byte[] value, Random random) {
    byte[] out = value.clone();
    if (out.length == 0) {
      return new byte[] {(byte) random.nextInt()};
    }
    switch (random.nextInt(4)) {
      case 0 -> out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length));
      case 2 -> {
        int at = random.nextInt(out.length);
        byte[] grown = new byte[out.length + 1];
        System.arraycopy(out, 0, grown, 0, at);
        grown[at] = (byte) random.nextInt();
        System.arraycopy(out, at, grown, at + 1, out.length - at);
        out = grown;
      }
      default -> {
        for (int i = random.nextInt(3); i >= 0; i--) {
          out[random.nextInt(out.length)] = (byte) random.nextInt();
        }
      }
    }
    return out;
  }

  /** A value of one resource with one scope holding the record bytes as its only record. */
  private static byte[] request(byte[] record) {
    return field(1, field(2, field(2, record)));
  }

  private static byte[] field(int number, byte[] payload) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeByteArray(number, payload);
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unknown(int number) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeUInt64(number, 12345);
      coded.writeFixed32(number + 1, 7);
      coded.writeString(number + 2, "unknown");
      coded.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
