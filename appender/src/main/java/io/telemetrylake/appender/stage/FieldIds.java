package io.telemetrylake.appender.stage;

import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Builds the {@code FIELD_IDS} option of DuckDB's Parquet COPY from an Iceberg schema, so the
 * files carry the table's field ids. Map keys/values, list elements and struct children get their
 * own ids too: without them Iceberg readers cannot resolve nested columns. ({@code FIELD_IDS
 * 'auto'} numbers from 0 and does not match any Iceberg table.)
 */
public final class FieldIds {
  private FieldIds() {}

  /** E.g. {@code {"timestamp": 1, "attributes": {__duckdb_field_id: 9, "key": 11, "value": 12}}}. */
  public static String clause(Schema schema) {
    return struct(schema.asStruct());
  }

  private static String struct(Types.StructType struct) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (Types.NestedField field : struct.fields()) {
      if (!first) {
        out.append(", ");
      }
      first = false;
      out.append(quote(field.name())).append(": ").append(field(field.fieldId(), field.type()));
    }
    return out.append('}').toString();
  }

  private static String field(int id, Type type) {
    if (type.isPrimitiveType()) {
      return Integer.toString(id);
    }
    StringBuilder out = new StringBuilder("{__duckdb_field_id: ").append(id);
    switch (type.typeId()) {
      case MAP -> {
        Types.MapType map = type.asMapType();
        out.append(", \"key\": ").append(field(map.keyId(), map.keyType()));
        out.append(", \"value\": ").append(field(map.valueId(), map.valueType()));
      }
      case LIST -> {
        Types.ListType list = type.asListType();
        out.append(", \"element\": ").append(field(list.elementId(), list.elementType()));
      }
      case STRUCT -> {
        for (Types.NestedField child : type.asStructType().fields()) {
          out.append(", ").append(quote(child.name())).append(": ");
          out.append(field(child.fieldId(), child.type()));
        }
      }
      default -> throw new IllegalArgumentException("unsupported nested type " + type);
    }
    return out.append('}').toString();
  }

  public static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
