package io.telemetrylake.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.UnsafeByteOperations;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.OtlpDecodeException.Reason;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The signal-neutral half of the OTLP/JSON decoders ({@link OtlpJsonLogsReader}, {@link
 * OtlpJsonTracesReader}): the body entry, resource, scope, key/value and value readers, scalars
 * and error messages. Streams tokens with Jackson straight into the protobuf builders.
 *
 * <p>Not protobuf-java-util's {@code JsonFormat}: OTLP/JSON differs from the canonical proto3 JSON
 * mapping (trace and span ids are hex, not base64; enums are integers), and {@code JsonFormat}
 * silently turns hex ids into wrong bytes. The rules, following the OTLP specification and what
 * real clients send:
 *
 * <ul>
 *   <li>keys are lowerCamelCase; the snake_case proto names are accepted too; unknown keys are
 *       skipped with everything below them; {@code null} means "not set";
 *   <li>trace and span ids are hex, case-insensitive; any length is decoded (validators reject
 *       wrong lengths per item), non-hex or an odd digit count is malformed;
 *   <li>64-bit integers may be numbers or decimal strings; {@code fixed64} times are unsigned;
 *       {@code flags} and other 32-bit integers may be strings too; numbers with an exponent or a
 *       fraction are accepted when their value is integral;
 *   <li>enums are integers, or the enum value's name ({@link #readEnum});
 *   <li>{@code doubleValue} is a number or a string ({@code "NaN"}, {@code "Infinity"}, {@code
 *       "-Infinity"}, or decimal); {@code bytesValue} is base64 (standard or URL alphabet);
 *   <li>the body must be strict UTF-8, strings must not hold unpaired surrogate escapes, and
 *       values nest at most as deep as the signal allows (its reader's {@code MAX_VALUE_DEPTH}).
 * </ul>
 */
final class OtlpJson {
  /**
   * Jackson's own nesting bound. Above anything a valid request of either signal needs at its
   * {@code MAX_VALUE_DEPTH} (about 140 levels), so that the clearer value-depth message wins for
   * values; it still bounds unknown fields, which are skipped without recursion.
   */
  private static final int MAX_JSON_DEPTH = 200;

  private static final String PREFIX = "invalid OTLP/JSON request body: ";
  private static final int MAX_NUMBER_TEXT = 64;
  private static final Pattern JACKSON_SOURCE =
      Pattern.compile("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)\\]");

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_JSON_DEPTH)
                  // The body is already bounded by RequestBodies; a log body may be one big string.
                  .maxStringLength(Integer.MAX_VALUE)
                  .build())
          // Error messages go back to clients: never echo the body in them.
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  /** Reads one message whose START_OBJECT token is the parser's current token. */
  @FunctionalInterface
  interface MessageReader<T> {
    T read(JsonParser p) throws IOException, OtlpDecodeException;
  }

  /** Reads the array element at the parser's current token (and adds it somewhere). */
  @FunctionalInterface
  interface ElementReader {
    void read() throws IOException, OtlpDecodeException;
  }

  private OtlpJson() {}

  /**
   * Decodes a whole body: strict UTF-8, one top-level object read by {@code request}, nothing
   * after it. An empty (or all-whitespace) body is the {@code empty} request.
   */
  static <T> T read(byte[] body, T empty, MessageReader<T> request) throws OtlpDecodeException {
    // Jackson accepts some invalid UTF-8 (overlong forms, code points above U+10FFFF, surrogates in
    // skipped values); protobuf's validator is strict and fast, so check the whole body up front.
    if (!UnsafeByteOperations.unsafeWrap(body).isValidUtf8()) {
      throw new OtlpDecodeException(Reason.MALFORMED, PREFIX + invalidUtf8Message(body));
    }
    JsonParser p;
    try {
      p = FACTORY.createParser(body);
    } catch (IOException e) {
      throw new OtlpDecodeException(Reason.MALFORMED, PREFIX + e.getMessage(), e);
    }
    try {
      JsonToken first = p.nextToken();
      if (first == null) {
        return empty;
      }
      if (first != JsonToken.START_OBJECT) {
        throw problem(p, "the body must be a JSON object, got " + describe(p));
      }
      T result = request.read(p);
      if (p.nextToken() != null) {
        throw problem(p, "unexpected content after the top-level JSON object");
      }
      return result;
    } catch (JsonProcessingException e) {
      throw jsonError(p, e);
    } catch (IOException e) {
      throw new OtlpDecodeException(Reason.MALFORMED, PREFIX + e.getMessage(), e);
    } finally {
      try {
        p.close();
      } catch (IOException ignored) {
        // Closing a parser over a byte array cannot fail in a way that matters.
      }
    }
  }

  // ---- shared messages ----------------------------------------------------------------------

  /** Attribute values nest at most {@code maxValueDepth} levels (see the signal readers). */
  static Resource readResource(JsonParser p, int maxValueDepth)
      throws IOException, OtlpDecodeException {
    startObject(p, "resource");
    Resource.Builder b = Resource.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "attributes" -> readAttributes(p, maxValueDepth, b::addAttributes);
        case "droppedAttributesCount", "dropped_attributes_count" ->
            b.setDroppedAttributesCount(readInt(p, "droppedAttributesCount", IntKind.UINT32));
        case "entityRefs", "entity_refs" ->
            readArray(p, "entityRefs", () -> b.addEntityRefs(readEntityRef(p)));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static EntityRef readEntityRef(JsonParser p) throws IOException, OtlpDecodeException {
    startObject(p, "an EntityRef");
    EntityRef.Builder b = EntityRef.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "schemaUrl", "schema_url" -> b.setSchemaUrl(readString(p, "schemaUrl"));
        case "type" -> b.setType(readString(p, "type"));
        case "idKeys", "id_keys" ->
            readArray(p, "idKeys", () -> b.addIdKeys(readString(p, "idKeys element")));
        case "descriptionKeys", "description_keys" ->
            readArray(
                p,
                "descriptionKeys",
                () -> b.addDescriptionKeys(readString(p, "descriptionKeys element")));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  static InstrumentationScope readScope(JsonParser p, int maxValueDepth)
      throws IOException, OtlpDecodeException {
    startObject(p, "scope");
    InstrumentationScope.Builder b = InstrumentationScope.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "name" -> b.setName(readString(p, "name"));
        case "version" -> b.setVersion(readString(p, "version"));
        case "attributes" -> readAttributes(p, maxValueDepth, b::addAttributes);
        case "droppedAttributesCount", "dropped_attributes_count" ->
            b.setDroppedAttributesCount(readInt(p, "droppedAttributesCount", IntKind.UINT32));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  /** An {@code attributes} array; each value is level 1 of at most {@code maxValueDepth}. */
  static void readAttributes(JsonParser p, int maxValueDepth, Consumer<KeyValue> add)
      throws IOException, OtlpDecodeException {
    startArray(p, "attributes");
    while (nextElement(p)) {
      add.accept(readKeyValue(p, 1, maxValueDepth));
    }
  }

  /** A key/value whose value is at nesting level {@code depth}. */
  private static KeyValue readKeyValue(JsonParser p, int depth, int maxDepth)
      throws IOException, OtlpDecodeException {
    startObject(p, "a KeyValue");
    KeyValue.Builder b = KeyValue.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "key" -> b.setKey(readString(p, "key"));
        case "value" -> b.setValue(readAnyValue(p, depth, maxDepth));
        case "keyStrindex", "key_strindex" ->
            b.setKeyStrindex(readInt(p, "keyStrindex", IntKind.INT32));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  /** A value at nesting level {@code depth} (1 for an attribute or body value). */
  static AnyValue readAnyValue(JsonParser p, int depth, int maxDepth)
      throws IOException, OtlpDecodeException {
    if (depth > maxDepth) {
      throw problem(
          p, "values are nested more than " + maxDepth + " levels deep (arrayValue/kvlistValue)");
    }
    startObject(p, "an AnyValue");
    // Several keys set: the last one wins, like a protobuf oneof read from the wire.
    AnyValue.Builder b = AnyValue.newBuilder();
    while (nextField(p)) {
      switch (p.currentName()) {
        case "stringValue", "string_value" -> b.setStringValue(readString(p, "stringValue"));
        case "boolValue", "bool_value" -> b.setBoolValue(readBoolean(p, "boolValue"));
        case "intValue", "int_value" -> b.setIntValue(readLong(p, "intValue", IntKind.INT64));
        case "doubleValue", "double_value" -> b.setDoubleValue(readDouble(p, "doubleValue"));
        case "arrayValue", "array_value" -> b.setArrayValue(readArrayValue(p, depth, maxDepth));
        case "kvlistValue", "kvlist_value" ->
            b.setKvlistValue(readKeyValueList(p, depth, maxDepth));
        case "bytesValue", "bytes_value" -> b.setBytesValue(readBase64(p, "bytesValue"));
        case "stringValueStrindex", "string_value_strindex" ->
            b.setStringValueStrindex(readInt(p, "stringValueStrindex", IntKind.INT32));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static ArrayValue readArrayValue(JsonParser p, int depth, int maxDepth)
      throws IOException, OtlpDecodeException {
    startObject(p, "arrayValue");
    ArrayValue.Builder b = ArrayValue.newBuilder();
    while (nextField(p)) {
      if (p.currentName().equals("values")) {
        readArray(p, "values", () -> b.addValues(readAnyValue(p, depth + 1, maxDepth)));
      } else {
        p.skipChildren();
      }
    }
    return b.build();
  }

  private static KeyValueList readKeyValueList(JsonParser p, int depth, int maxDepth)
      throws IOException, OtlpDecodeException {
    startObject(p, "kvlistValue");
    KeyValueList.Builder b = KeyValueList.newBuilder();
    while (nextField(p)) {
      if (p.currentName().equals("values")) {
        readArray(p, "values", () -> b.addValues(readKeyValue(p, depth + 1, maxDepth)));
      } else {
        p.skipChildren();
      }
    }
    return b.build();
  }

  // ---- structure ----------------------------------------------------------------------------

  /**
   * Moves to the value of the next field of the current object, skipping fields whose value is
   * {@code null} (proto3 JSON: null means "not set"); false at the end of the object.
   */
  static boolean nextField(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      if (p.nextToken() != JsonToken.VALUE_NULL) {
        return true;
      }
    }
    return false;
  }

  /** Moves to the next element of the current array; false at its end. */
  private static boolean nextElement(JsonParser p) throws IOException {
    return p.nextToken() != JsonToken.END_ARRAY;
  }

  /** The array at the current token, each element handed to {@code element} in turn. */
  static void readArray(JsonParser p, String field, ElementReader element)
      throws IOException, OtlpDecodeException {
    startArray(p, field);
    while (nextElement(p)) {
      element.read();
    }
  }

  static void startObject(JsonParser p, String what) throws OtlpDecodeException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw problem(p, what + " must be a JSON object, got " + describe(p));
    }
  }

  private static void startArray(JsonParser p, String field) throws OtlpDecodeException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw problem(p, field + " must be a JSON array, got " + describe(p));
    }
  }

  // ---- scalars ------------------------------------------------------------------------------

  static String readString(JsonParser p, String field) throws IOException, OtlpDecodeException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw problem(p, field + " must be a string, got " + describe(p));
    }
    String text = p.getText();
    if (hasUnpairedSurrogate(text)) {
      // JSON escapes can spell them (backslash-u D800), but they are not Unicode: protobuf would
      // write them as '?' and log a warning for every such string.
      throw problem(p, field + " contains an unpaired surrogate escape (\\uD800-\\uDFFF)");
    }
    return text;
  }

  private static boolean hasUnpairedSurrogate(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1));
        if (paired) {
          i++;
        } else {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean readBoolean(JsonParser p, String field) throws OtlpDecodeException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (t == JsonToken.VALUE_FALSE) {
      return false;
    }
    throw problem(p, field + " must be true or false, got " + describe(p));
  }

  /** The protobuf integer types, each with its range and the name error messages use. */
  enum IntKind {
    INT32("a 32-bit integer"),
    /** uint32 and fixed32: values above 2^31 - 1 wrap into negative ints, as in protobuf-java. */
    UINT32("an unsigned 32-bit integer"),
    INT64("a 64-bit integer"),
    /** fixed64/uint64: values above 2^63 - 1 wrap into negative longs, as in protobuf-java. */
    UINT64("an unsigned 64-bit integer");

    final String description;

    IntKind(String description) {
      this.description = description;
    }
  }

  static int readInt(JsonParser p, String field, IntKind kind)
      throws IOException, OtlpDecodeException {
    return (int) readLong(p, field, kind);
  }

  /** An integer given as a JSON number or a decimal string, checked against the kind's range. */
  static long readLong(JsonParser p, String field, IntKind kind)
      throws IOException, OtlpDecodeException {
    BigInteger big;
    switch (p.currentToken()) {
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() != NumberType.BIG_INTEGER) {
          return checkRange(p, field, kind, p.getLongValue());
        }
        big = p.getBigIntegerValue();
      }
      case VALUE_NUMBER_FLOAT -> big = exactInteger(p.getDecimalValue());
      case VALUE_STRING -> {
        String text = p.getText();
        try {
          // Timestamps beyond 2^63 exist in the wild: parse those without the slow path below.
          return kind == IntKind.UINT64
              ? Long.parseUnsignedLong(text)
              : checkRange(p, field, kind, Long.parseLong(text));
        } catch (NumberFormatException e) {
          big = exactInteger(text);
        }
      }
      default -> throw problem(p, field + " must be " + kind.description + ", got " + describe(p));
    }
    if (big == null) {
      throw problem(p, field + " must be " + kind.description + ", got " + describe(p));
    }
    if (kind == IntKind.UINT64 && big.signum() >= 0 && big.bitLength() <= 64) {
      return big.longValue(); // wraps above 2^63 - 1: the unsigned bit pattern
    }
    if (big.bitLength() <= 63) {
      return checkRange(p, field, kind, big.longValue());
    }
    throw outOfRange(p, field, kind);
  }

  private static long checkRange(JsonParser p, String field, IntKind kind, long value)
      throws OtlpDecodeException {
    boolean ok =
        switch (kind) {
          case INT32 -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
          case UINT32 -> value >= 0 && value <= 0xFFFF_FFFFL;
          case INT64 -> true;
          case UINT64 -> value >= 0;
        };
    if (!ok) {
      throw outOfRange(p, field, kind);
    }
    return value;
  }

  private static OtlpDecodeException outOfRange(JsonParser p, String field, IntKind kind) {
    return problem(p, field + " is out of range for " + kind.description + ": " + describe(p));
  }

  /** The integral value of a decimal string such as "1e3" or "10.0"; null if not integral. */
  private static BigInteger exactInteger(String text) {
    // Long digit strings would make BigDecimal slow; no valid 64-bit value needs that many.
    if (text.length() > MAX_NUMBER_TEXT) {
      return null;
    }
    try {
      return exactInteger(new BigDecimal(text));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static BigInteger exactInteger(BigDecimal value) {
    if (value.signum() == 0) {
      return BigInteger.ZERO;
    }
    // Strip first, so that "1e-999999999" or "1e999999999" never expands into a huge number.
    BigDecimal stripped = value.stripTrailingZeros();
    if (stripped.scale() > 0 || stripped.precision() - stripped.scale() > 20) {
      return null;
    }
    return stripped.toBigInteger();
  }

  /** Value numbers by name ({@code "SPAN_KIND_SERVER" -> 2}), for {@link #readEnum}. */
  static Map<String, Integer> enumNumbers(EnumDescriptor type) {
    Map<String, Integer> byName = new HashMap<>();
    for (EnumValueDescriptor value : type.getValues()) {
      byName.put(value.getName(), value.getNumber());
    }
    return Map.copyOf(byName);
  }

  /**
   * An enum given as an integer (number or decimal string; unknown numbers are kept, as proto3
   * does) or as one of the names in {@code byName}, which come from the enum {@code typeName}.
   */
  static int readEnum(JsonParser p, String field, String typeName, Map<String, Integer> byName)
      throws IOException, OtlpDecodeException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      String text = p.getText();
      if (!text.isEmpty() && !isNumberStart(text.charAt(0))) {
        Integer number = byName.get(text);
        if (number == null) {
          throw problem(
              p, field + " must be an integer or a " + typeName + " name, got " + describe(p));
        }
        return number;
      }
    }
    return readInt(p, field, IntKind.INT32);
  }

  private static boolean isNumberStart(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
  }

  private static double readDouble(JsonParser p, String field)
      throws IOException, OtlpDecodeException {
    switch (p.currentToken()) {
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_STRING -> {
        String text = p.getText();
        switch (text) {
          case "NaN" -> {
            return Double.NaN;
          }
          case "Infinity" -> {
            return Double.POSITIVE_INFINITY;
          }
          case "-Infinity" -> {
            return Double.NEGATIVE_INFINITY;
          }
          default -> {
            // Double.parseDouble alone would also take "1d", "0x1p3" or " 1": only JSON numbers.
            if (isDecimalNumber(text)) {
              return Double.parseDouble(text);
            }
          }
        }
      }
      default -> {
        // Falls through to the error below.
      }
    }
    throw problem(
        p, field + " must be a number or \"NaN\", \"Infinity\", \"-Infinity\", got " + describe(p));
  }

  private static boolean isDecimalNumber(String text) {
    if (text.isEmpty() || text.length() > MAX_NUMBER_TEXT) {
      return false;
    }
    boolean digit = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
        return false;
      }
    }
    return digit;
  }

  /** A trace or span id: hex of any even length, either case; "" is unset. */
  static ByteString readHex(JsonParser p, String field) throws IOException, OtlpDecodeException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw problem(p, field + " must be a hex string, got " + describe(p));
    }
    // Read the parser's buffer directly: no String per id.
    char[] chars = p.getTextCharacters();
    int offset = p.getTextOffset();
    int length = p.getTextLength();
    if (length == 0) {
      return ByteString.EMPTY;
    }
    if ((length & 1) != 0) {
      throw problem(p, field + " must be hex with an even number of digits, got " + describe(p));
    }
    byte[] bytes = new byte[length >> 1];
    for (int i = 0; i < bytes.length; i++) {
      int high = hexDigit(chars[offset + 2 * i]);
      int low = hexDigit(chars[offset + 2 * i + 1]);
      if ((high | low) < 0) {
        throw problem(p, field + " must be hex, got " + describe(p));
      }
      bytes[i] = (byte) ((high << 4) | low);
    }
    // The array is ours and never changes: wrap it instead of copying.
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static ByteString readBase64(JsonParser p, String field)
      throws IOException, OtlpDecodeException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw problem(p, field + " must be a base64 string, got " + describe(p));
    }
    String text = p.getText();
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException standardFailed) {
      try {
        // proto3 JSON allows the URL-safe alphabet as well.
        bytes = Base64.getUrlDecoder().decode(text);
      } catch (IllegalArgumentException e) {
        throw problem(p, field + " must be base64, got " + describe(p));
      }
    }
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  // ---- errors -------------------------------------------------------------------------------

  static OtlpDecodeException problem(JsonParser p, String message) {
    return new OtlpDecodeException(Reason.MALFORMED, PREFIX + message + where(p));
  }

  private static OtlpDecodeException jsonError(JsonParser p, JsonProcessingException e) {
    // Jackson's own messages may embed a location with a "[Source: REDACTED ...]" preamble.
    String original = JACKSON_SOURCE.matcher(e.getOriginalMessage()).replaceAll("[line $1, column $2]");
    StringBuilder message = new StringBuilder(PREFIX).append(original);
    JsonLocation location = e.getLocation();
    if (location != null && location.getLineNr() > 0) {
      message
          .append(" (line ")
          .append(location.getLineNr())
          .append(", column ")
          .append(location.getColumnNr())
          .append(')');
    }
    message.append(where(p));
    return new OtlpDecodeException(Reason.MALFORMED, message.toString(), e);
  }

  /** " at /resourceLogs/0/scopeLogs/1/logRecords/7/traceId", or "" at the top level. */
  @SuppressWarnings("deprecation") // getParsingContext: 2.17's replacement is not in 2.x yet
  private static String where(JsonParser p) {
    String pointer = p.getParsingContext().pathAsPointer().toString();
    return pointer.isEmpty() ? "" : " at " + pointer;
  }

  /** The current token for an error message, with client text cut short. */
  private static String describe(JsonParser p) {
    JsonToken t = p.currentToken();
    if (t == null) {
      return "the end of the body";
    }
    try {
      return switch (t) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        case VALUE_STRING -> "\"" + Texts.abbreviate(p.getText()) + "\"";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> Texts.abbreviate(p.getText());
        case VALUE_TRUE -> "true";
        case VALUE_FALSE -> "false";
        case VALUE_NULL -> "null";
        default -> t.asString() == null ? t.name() : t.asString();
      };
    } catch (IOException e) {
      return t.name();
    }
  }

  private static String invalidUtf8Message(byte[] body) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      decoder.decode(in);
    } catch (CharacterCodingException e) {
      // decode() leaves the buffer's position near the bad sequence.
      return "the body is not valid UTF-8 (near byte offset " + in.position() + ")";
    }
    return "the body is not valid UTF-8";
  }
}
