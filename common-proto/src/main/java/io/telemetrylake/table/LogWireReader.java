package io.telemetrylake.table;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.OtlpLogsDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the log records of a logs-topic value (a protobuf {@code ExportLogsServiceRequest}) straight
 * from its bytes, without protobuf-java's message objects, for the appender's staging path.
 *
 * <p>protobuf-java parses every {@code LogRecord}, {@code KeyValue} and {@code AnyValue} through a
 * builder and decodes every string, and the row mapping then builds maps and hex ids: ~5 KB of
 * garbage per record (docs/BENCHMARKS.md). Here a record is a cursor over the value's bytes.
 *
 * <p>For every value it accepts, the records carry exactly what {@link LogRowMapper} maps from
 * {@code KafkaRecordFormat.decodeValue} (the tests compare the two). Anything else it declines, and
 * the caller takes that reference path, which then also decides whether the value is malformed: a
 * repeated singular field, groups, a known field with an unexpected wire type, invalid UTF-8, any
 * structural error. Resources and scopes (once per value) and values other than a string, bool,
 * int or double (arrays, key/value lists, bytes) go through protobuf-java, as they rarely dominate.
 *
 * <p>Two passes: the first checks the whole value and emits nothing, so a declined value has
 * staged no row. Not thread-safe; one instance per staging buffer.
 */
public final class LogWireReader {
  /** Receives the rows of an accepted value. */
  public interface Sink {
    /** Before the first record of a scope (scopes without records are not reported). */
    void scope(ScopeValues shared);

    /** One log record; the cursor is valid until this method returns. */
    void record(Record record);
  }

  /** What every record of one scope shares: its resource's and its scope's values. */
  public record ScopeValues(
      String serviceName,
      String deploymentEnvironment,
      String hostName,
      Map<String, String> resourceAttributes,
      Map<String, String> scopeAttributes,
      String scopeName,
      String scopeVersion,
      String resourceSchemaUrl,
      String scopeSchemaUrl) {}

  // what KafkaRecordFormat allows; a sub-parse starts below the top, so it gets less (see parse)
  private static final int RECURSION_LIMIT = OtlpLogsDecoder.PROTOBUF_RECURSION_LIMIT;
  private static final int SUB_PARSE_DEPTH_MARGIN = 8;

  private static final int MAX_ATTRIBUTES = 64;

  private static final int WT_VARINT = 0;
  private static final int WT_FIXED64 = 1;
  private static final int WT_LEN = 2;
  private static final int WT_FIXED32 = 5;

  /** Declining is control flow, not an error: no stack trace. */
  private static final class Declined extends Exception {
    static final Declined INSTANCE = new Declined();

    private Declined() {
      super(null, null, false, false);
    }
  }

  private final Record record = new Record();
  // filled by the check pass, consumed in the same order by the emit pass
  private final List<ScopeValues> scopes = new ArrayList<>();
  private final List<String> renderedValues = new ArrayList<>();
  private int nextRendered;
  private byte[] buf;

  /**
   * Checks the whole value, then emits its rows to {@code sink}; false (nothing emitted) when the
   * value must be decoded through protobuf-java instead.
   *
   * @param fallbackTimeMicros a record's time when it has neither a time nor an observed time
   */
  public boolean read(byte[] value, long fallbackTimeMicros, Sink sink) {
    scopes.clear();
    renderedValues.clear();
    buf = value;
    record.source = value;
    try {
      forEachResourceLogs(false, null);
    } catch (Declined declined) {
      buf = null;
      record.source = null;
      return false;
    }
    record.fallbackTimeMicros = fallbackTimeMicros;
    nextRendered = 0;
    validated = true;
    try {
      forEachResourceLogs(true, sink);
    } catch (Declined impossible) {
      throw new IllegalStateException("a checked value failed on its second pass", impossible);
    } finally {
      validated = false;
      buf = null;
      record.source = null;
    }
    return true;
  }

  // ---- the message walks; emit=false checks (and collects), emit=true reports ----

  private void forEachResourceLogs(boolean emit, Sink sink) throws Declined {
    int scopeIndex = 0;
    int pos = 0;
    int end = buf.length;
    while (pos < end) {
      long tag = tag(pos, end);
      pos = next;
      if (field(tag) == 1) {
        wireType(tag, WT_LEN);
        int len = length(pos, end);
        pos = next;
        scopeIndex = resourceLogs(pos, pos + len, emit, sink, scopeIndex);
        pos += len;
      } else {
        pos = skip(tag, pos, end);
      }
    }
  }

  /** Returns the index of the next scope. */
  private int resourceLogs(int start, int end, boolean emit, Sink sink, int scopeIndex)
      throws Declined {
    int pos = start;
    LogRowMapper.ResourcePart resource = null;
    if (!emit) {
      // the resource and schema URL may follow the scopes: find them first
      findOnce(start, end, 1, false, 3, true);
      resource =
          LogRowMapper.ResourcePart.of(
              found[0] < 0 ? Resource.getDefaultInstance() : resource(found[0], found[1]),
              found[2] < 0 ? "" : text(found[2], found[3]));
    }
    while (pos < end) {
      long tag = tag(pos, end);
      pos = next;
      if (field(tag) == 2) {
        wireType(tag, WT_LEN);
        int len = length(pos, end);
        pos = next;
        if (emit) {
          scopeLogs(pos, pos + len, sink, scopes.get(scopeIndex));
        } else {
          scopes.add(checkScopeLogs(pos, pos + len, resource));
        }
        scopeIndex++;
        pos += len;
      } else {
        pos = skip(tag, pos, end);
      }
    }
    return scopeIndex;
  }

  private ScopeValues checkScopeLogs(int start, int end, LogRowMapper.ResourcePart resource)
      throws Declined {
    findOnce(start, end, 1, false, 3, true);
    InstrumentationScope scope =
        found[0] < 0 ? InstrumentationScope.getDefaultInstance() : scope(found[0], found[1]);
    String schemaUrl = found[2] < 0 ? null : RowValues.emptyToNull(text(found[2], found[3]));
    int pos = start;
    while (pos < end) {
      long tag = tag(pos, end);
      pos = next;
      if (field(tag) == 2) {
        wireType(tag, WT_LEN);
        int len = length(pos, end);
        pos = next;
        record.read(pos, pos + len, false);
        pos += len;
      } else {
        pos = skip(tag, pos, end);
      }
    }
    return new ScopeValues(
        resource.serviceName(),
        resource.deploymentEnvironment(),
        resource.hostName(),
        resource.attributes(),
        RowValues.attributes(scope.getAttributesList()),
        RowValues.emptyToNull(scope.getName()),
        RowValues.emptyToNull(scope.getVersion()),
        resource.schemaUrl(),
        schemaUrl);
  }

  /**
   * Finds the length-delimited fields {@code a} and {@code b} of the message at start..end, each
   * at most once (a repeat is declined), into {@link #found}: a's start and end, b's start and
   * end, -1 when absent. Text fields are checked as UTF-8; other fields are skipped.
   */
  private void findOnce(int start, int end, int a, boolean aText, int b, boolean bText)
      throws Declined {
    found[0] = found[1] = found[2] = found[3] = -1;
    int pos = start;
    while (pos < end) {
      long tag = tag(pos, end);
      pos = next;
      int f = field(tag);
      if (f == a || f == b) {
        wireType(tag, WT_LEN);
        int len = length(pos, end);
        pos = next;
        int slot = f == a ? 0 : 2;
        once(found[slot]);
        if (f == a ? aText : bText) {
          utf8(pos, pos + len);
        }
        found[slot] = pos;
        found[slot + 1] = pos + len;
        pos += len;
      } else {
        pos = skip(tag, pos, end);
      }
    }
  }

  private final int[] found = new int[4];

  private void scopeLogs(int start, int end, Sink sink, ScopeValues shared) throws Declined {
    boolean announced = false;
    int pos = start;
    while (pos < end) {
      long tag = tag(pos, end);
      pos = next;
      int len;
      switch (field(tag)) {
        case 2 -> {
          len = length(pos, end);
          pos = next;
          if (!announced) {
            sink.scope(shared);
            announced = true;
          }
          record.read(pos, pos + len, true);
          sink.record(record);
          pos += len;
        }
        case 1, 3 -> {
          len = length(pos, end);
          pos = next + len;
        }
        default -> pos = skip(tag, pos, end);
      }
    }
  }

  private Resource resource(int start, int end) throws Declined {
    return parse(Resource.parser(), start, end);
  }

  private InstrumentationScope scope(int start, int end) throws Declined {
    return parse(InstrumentationScope.parser(), start, end);
  }

  /** An {@code AnyValue} of any other shape, rendered as {@link AnyValues} does. */
  private String renderAnyValue(int start, int end) throws Declined {
    return AnyValues.toColumnString(parse(AnyValue.parser(), start, end));
  }

  /**
   * A message at start..end through protobuf-java. Its recursion limit is below what the full
   * parse leaves at this depth, so a value it rejects is declined and the reference path decides.
   */
  private <M> M parse(Parser<M> parser, int start, int end) throws Declined {
    try {
      CodedInputStream in = CodedInputStream.newInstance(buf, start, end - start);
      in.setRecursionLimit(RECURSION_LIMIT - SUB_PARSE_DEPTH_MARGIN);
      M parsed = parser.parseFrom(in);
      whole(in);
      return parsed;
    } catch (IOException e) {
      throw Declined.INSTANCE;
    }
  }

  /**
   * A sub-parse must end where the full parse would: at the end of the field's bytes, not at a
   * stray end-group tag (which the full parse rejects).
   */
  private static void whole(CodedInputStream in) throws IOException, Declined {
    in.checkLastTagWas(0);
    if (!in.isAtEnd()) {
      throw Declined.INSTANCE;
    }
  }

  // ---- wire primitives over buf; results in `next` (position after) ----

  private int next;

  private long tag(int pos, int end) throws Declined {
    long tag = varint(pos, end);
    if (next - pos > 5 || (tag >>> 3) == 0 || tag > 0xFFFF_FFFFL) {
      throw Declined.INSTANCE;
    }
    int wt = (int) (tag & 7);
    if (wt != WT_VARINT && wt != WT_FIXED64 && wt != WT_LEN && wt != WT_FIXED32) {
      throw Declined.INSTANCE; // groups (3, 4) and invalid wire types
    }
    return tag;
  }

  private static int field(long tag) {
    return (int) (tag >>> 3);
  }

  private static void wireType(long tag, int expected) throws Declined {
    if ((tag & 7) != expected) {
      throw Declined.INSTANCE;
    }
  }

  private static void once(int previousStart) throws Declined {
    if (previousStart >= 0) {
      throw Declined.INSTANCE;
    }
  }

  private long varint(int pos, int end) throws Declined {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw Declined.INSTANCE;
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        next = pos;
        return result;
      }
    }
    throw Declined.INSTANCE;
  }

  private int length(int pos, int end) throws Declined {
    long len = varint(pos, end);
    if (next - pos > 5 || len > end - next) {
      throw Declined.INSTANCE;
    }
    return (int) len;
  }

  private long fixed64(int pos, int end) throws Declined {
    return littleEndian(pos, end, 8);
  }

  private int fixed32(int pos, int end) throws Declined {
    return (int) littleEndian(pos, end, 4);
  }

  private long littleEndian(int pos, int end, int bytes) throws Declined {
    if (end - pos < bytes) {
      throw Declined.INSTANCE;
    }
    long v = 0;
    for (int i = bytes - 1; i >= 0; i--) {
      v = (v << 8) | (buf[pos + i] & 0xFF);
    }
    next = pos + bytes;
    return v;
  }

  /** Skips an unknown field, as protobuf-java does (it keeps it as an unknown field). */
  private int skip(long tag, int pos, int end) throws Declined {
    switch ((int) (tag & 7)) {
      case WT_VARINT -> {
        varint(pos, end);
        return next;
      }
      case WT_FIXED64 -> {
        fixed64(pos, end);
        return next;
      }
      case WT_LEN -> {
        int len = length(pos, end);
        return next + len;
      }
      case WT_FIXED32 -> {
        fixed32(pos, end);
        return next;
      }
      default -> throw Declined.INSTANCE;
    }
  }

  /** True in the emitting pass: the checking pass already validated every text field. */
  private boolean validated;

  /** Declines text that protobuf-java would reject as a {@code string} field. */
  private void utf8(int start, int end) throws Declined {
    if (validated) {
      return;
    }
    for (int i = start; i < end; i++) {
      if (buf[i] < 0) {
        if (!UnsafeByteOperations.unsafeWrap(buf, i, end - i).isValidUtf8()) {
          throw Declined.INSTANCE;
        }
        return;
      }
    }
  }

  private String text(int start, int end) {
    return new String(buf, start, end - start, StandardCharsets.UTF_8);
  }

  private static long nanosToMicros(long nanos) {
    return RowValues.nanosToMicros(nanos);
  }

  /**
   * The current log record: its fields as positions in the value's bytes. Strings are UTF-8, as
   * they came; attribute values other than plain strings are rendered as {@link AnyValues} does.
   */
  public final class Record {
    private byte[] source;
    private long fallbackTimeMicros;
    private long timeNanos;
    private long observedNanos;
    private int severityNumber;
    private int severityTextStart;
    private int severityTextEnd;
    private int bodyStart; // -1: unset; -2: rendered
    private int bodyEnd;
    private String bodyText;
    private int flags;
    private int dropped;
    private int traceStart;
    private int traceEnd;
    private int spanStart;
    private int spanEnd;
    private int eventStart;
    private int eventEnd;
    private int attributes;
    private int[] keyStart = new int[8];
    private int[] keyEnd = new int[8];
    private int[] valueStart = new int[8]; // -1: unset ("null"); -2: rendered
    private int[] valueEnd = new int[8];
    private String[] valueText = new String[8];
    private boolean[] shadowed = new boolean[8];

    private Record() {}

    /** Time of the event; the observed time when unset; else the fallback ({@link LogRowMapper}). */
    public long timestampMicros() {
      if (timeNanos != 0) {
        return nanosToMicros(timeNanos);
      }
      return observedNanos != 0 ? nanosToMicros(observedNanos) : fallbackTimeMicros;
    }

    public boolean hasObservedTimestamp() {
      return observedNanos != 0;
    }

    public long observedTimestampMicros() {
      return nanosToMicros(observedNanos);
    }

    public int severityNumber() {
      return severityNumber;
    }

    /** UTF-8, or null when empty. */
    public byte[] severityText() {
      return bytesOrNull(severityTextStart, severityTextEnd);
    }

    /** The body as the table stores it (UTF-8), or null when unset. */
    public byte[] body() {
      if (bodyStart == -1) {
        return null;
      }
      if (bodyStart == -2) {
        return bodyText == null ? null : bodyText.getBytes(StandardCharsets.UTF_8);
      }
      return Arrays.copyOfRange(source, bodyStart, bodyEnd);
    }

    public int traceIdLength() {
      return traceEnd - traceStart;
    }

    /** The first 8 bytes of a 16-byte trace id, big-endian. */
    public long traceIdHigh() {
      return bigEndianLong(traceStart);
    }

    public long traceIdLow() {
      return bigEndianLong(traceStart + 8);
    }

    /** Lowercase hex, or null when empty (for ids of unusual length). */
    public String traceIdHex() {
      return hex(traceStart, traceEnd);
    }

    public int spanIdLength() {
      return spanEnd - spanStart;
    }

    /** An 8-byte span id, big-endian. */
    public long spanIdLong() {
      return bigEndianLong(spanStart);
    }

    public String spanIdHex() {
      return hex(spanStart, spanEnd);
    }

    public int flags() {
      return flags;
    }

    /** UTF-8, or null when empty. */
    public byte[] eventName() {
      return bytesOrNull(eventStart, eventEnd);
    }

    public int droppedAttributesCount() {
      return dropped;
    }

    /**
     * Attribute entries in request order, including ones a later entry with the same key
     * replaces ({@link #attributeShadowed}): the map keeps the last value, as {@link
     * LogRowMapper} does.
     */
    public int attributeEntries() {
      return attributes;
    }

    public boolean attributeShadowed(int i) {
      return shadowed[i];
    }

    /** The bytes the key and plain-string values point into. */
    public byte[] source() {
      return source;
    }

    public int keyStart(int i) {
      return keyStart[i];
    }

    public int keyEnd(int i) {
      return keyEnd[i];
    }

    /** True when the value is a plain string at {@link #valueStart}..{@link #valueEnd}. */
    public boolean valueInSource(int i) {
      return valueStart[i] >= 0;
    }

    public int valueStart(int i) {
      return valueStart[i];
    }

    public int valueEnd(int i) {
      return valueEnd[i];
    }

    /** A value not in the source: rendered, or "null" for an unset value ({@link RowValues}). */
    public String valueText(int i) {
      return valueStart[i] == -1 ? "null" : valueText[i];
    }

    private byte[] bytesOrNull(int start, int end) {
      return start < 0 || end == start ? null : Arrays.copyOfRange(source, start, end);
    }

    private long bigEndianLong(int from) {
      long v = 0;
      for (int i = from; i < from + 8; i++) {
        v = (v << 8) | (source[i] & 0xFF);
      }
      return v;
    }

    private String hex(int start, int end) {
      return start == end ? null : RowValues.hexOrNull(Arrays.copyOfRange(source, start, end));
    }

    /** Reads one LogRecord at start..end of buf; check=!emit collects rendered values. */
    private void read(int start, int end, boolean emit) throws Declined {
      timeNanos = 0;
      observedNanos = 0;
      severityNumber = 0;
      severityTextStart = severityTextEnd = -1;
      bodyStart = -1;
      bodyText = null;
      flags = 0;
      dropped = 0;
      traceStart = traceEnd = 0;
      spanStart = spanEnd = 0;
      eventStart = eventEnd = -1;
      attributes = 0;
      int seen = 0;
      int pos = start;
      while (pos < end) {
        long tag = tag(pos, end);
        pos = next;
        int f = field(tag);
        if (f >= 1 && f <= 12 && f != 4 && f != 6) {
          if ((seen & (1 << f)) != 0) {
            throw Declined.INSTANCE; // a singular field twice: protobuf merges or takes the last
          }
          seen |= 1 << f;
        }
        switch (f) {
          case 1 -> {
            wireType(tag, WT_FIXED64);
            timeNanos = fixed64(pos, end);
            pos = next;
          }
          case 11 -> {
            wireType(tag, WT_FIXED64);
            observedNanos = fixed64(pos, end);
            pos = next;
          }
          case 2 -> {
            wireType(tag, WT_VARINT);
            severityNumber = (int) varint(pos, end);
            pos = next;
          }
          case 7 -> {
            wireType(tag, WT_VARINT);
            dropped = (int) varint(pos, end);
            pos = next;
          }
          case 8 -> {
            wireType(tag, WT_FIXED32);
            flags = fixed32(pos, end);
            pos = next;
          }
          case 3, 5, 6, 9, 10, 12 -> {
            wireType(tag, WT_LEN);
            int len = length(pos, end);
            pos = next;
            int fieldEnd = pos + len;
            switch (f) {
              case 3 -> {
                utf8(pos, fieldEnd);
                severityTextStart = pos;
                severityTextEnd = fieldEnd;
              }
              case 12 -> {
                utf8(pos, fieldEnd);
                eventStart = pos;
                eventEnd = fieldEnd;
              }
              case 9 -> {
                traceStart = pos;
                traceEnd = fieldEnd;
              }
              case 10 -> {
                spanStart = pos;
                spanEnd = fieldEnd;
              }
              case 5 -> body(pos, fieldEnd, emit);
              default -> attribute(pos, fieldEnd, emit);
            }
            pos = fieldEnd;
          }
          default -> pos = skip(tag, pos, end);
        }
      }
      if (emit) {
        markShadowed(); // only the sink asks
      }
    }

    private void body(int start, int end, boolean emit) throws Declined {
      int kind = simple(start, end, emit);
      if (kind == STRING) {
        bodyStart = stringStart;
        bodyEnd = end;
      } else if (start == end) {
        bodyStart = -1; // an empty AnyValue: unset
      } else {
        bodyStart = -2;
        bodyText = kind == SCALAR ? scalarText : rendered(start, end, emit);
      }
    }

    private void attribute(int start, int end, boolean emit) throws Declined {
      findOnce(start, end, 1, true, 2, false);
      int ks = found[0];
      int ke = found[1];
      int vs = found[2];
      int ve = found[3];
      if (attributes == MAX_ATTRIBUTES) {
        throw Declined.INSTANCE; // duplicates are found pairwise; many keys go the map's way
      }
      int i = attributes++;
      grow(i);
      keyStart[i] = ks < 0 ? start : ks;
      keyEnd[i] = ks < 0 ? start : ke;
      valueText[i] = null;
      int kind = vs < 0 ? OTHER : simple(vs, ve, emit);
      if (vs < 0 || vs == ve) {
        valueStart[i] = -1; // no value, or an empty AnyValue: unset
      } else if (kind == STRING) {
        valueStart[i] = stringStart;
        valueEnd[i] = ve;
      } else {
        valueStart[i] = -2;
        valueText[i] = kind == SCALAR ? scalarText : rendered(vs, ve, emit);
        if (valueText[i] == null) {
          valueStart[i] = -1;
        }
      }
    }

    private static final int OTHER = 0;
    private static final int STRING = 1;
    private static final int SCALAR = 2;
    private int stringStart;
    private String scalarText;

    /**
     * An {@code AnyValue} of exactly one field: a string (at stringStart..end), or a bool, int or
     * double (scalarText, rendered as {@link AnyValues} does; only when emitting). Anything else
     * (nested values, bytes, a field twice, unknown fields) is OTHER, for protobuf-java.
     */
    private int simple(int start, int end, boolean emit) throws Declined {
      if (start == end) {
        return OTHER;
      }
      long tag = tag(start, end);
      int f = field(tag);
      int wt = (int) (tag & 7);
      int pos = next;
      if (f == 1 && wt == WT_LEN) {
        int len = length(pos, end);
        if (next + len != end) {
          return OTHER;
        }
        utf8(next, end);
        stringStart = next;
        return STRING;
      }
      if ((f == 2 || f == 3) && wt == WT_VARINT) {
        long v = varint(pos, end);
        if (next != end) {
          return OTHER;
        }
        scalarText = !emit ? null : f == 2 ? (v != 0 ? "true" : "false") : Long.toString(v);
        return SCALAR;
      }
      if (f == 4 && wt == WT_FIXED64) {
        long bits = fixed64(pos, end);
        if (next != end) {
          return OTHER;
        }
        scalarText = emit ? AnyValues.doubleJson(Double.longBitsToDouble(bits)) : null;
        return SCALAR;
      }
      return OTHER;
    }

    private String rendered(int start, int end, boolean emit) throws Declined {
      if (emit) {
        return renderedValues.get(nextRendered++);
      }
      String text = renderAnyValue(start, end);
      renderedValues.add(text);
      return text;
    }

    private void markShadowed() {
      for (int i = 0; i < attributes; i++) {
        shadowed[i] = false;
        for (int j = i + 1; j < attributes; j++) {
          if (Arrays.equals(source(), keyStart[i], keyEnd[i], source(), keyStart[j], keyEnd[j])) {
            shadowed[i] = true;
            break;
          }
        }
      }
    }

    private void grow(int i) {
      if (i < keyStart.length) {
        return;
      }
      int n = keyStart.length * 2;
      keyStart = Arrays.copyOf(keyStart, n);
      keyEnd = Arrays.copyOf(keyEnd, n);
      valueStart = Arrays.copyOf(valueStart, n);
      valueEnd = Arrays.copyOf(valueEnd, n);
      valueText = Arrays.copyOf(valueText, n);
      shadowed = Arrays.copyOf(shadowed, n);
    }
  }
}
