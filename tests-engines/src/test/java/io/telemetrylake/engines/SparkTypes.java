package io.telemetrylake.engines;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark column types a user should see for the project's Iceberg schema, spelled out here (not
 * taken from Iceberg's own Spark conversion, which is what is under test): {@code timestamptz} is
 * Spark's {@code TIMESTAMP}, maps keep string keys and values, optional means nullable.
 */
final class SparkTypes {
  private SparkTypes() {}

  /** One column as Spark describes it: name, type and nullability (nested fields included in the type). */
  record Column(String name, DataType type, boolean nullable) {}

  static List<Column> expected(Schema schema) {
    return schema.columns().stream().map(f -> new Column(f.name(), type(f.type()), f.isOptional())).toList();
  }

  static List<Column> actual(StructType schema) {
    return java.util.Arrays.stream(schema.fields())
        .map(f -> new Column(f.name(), withoutMetadata(f.dataType()), f.nullable())).toList();
  }

  static DataType type(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> DataTypes.BooleanType;
      case INTEGER -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case STRING -> DataTypes.StringType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC()
          ? DataTypes.TimestampType
          : DataTypes.TimestampNTZType;
      case MAP -> {
        Types.MapType map = type.asMapType();
        yield DataTypes.createMapType(type(map.keyType()), type(map.valueType()), map.isValueOptional());
      }
      case LIST -> {
        Types.ListType list = type.asListType();
        yield DataTypes.createArrayType(type(list.elementType()), list.isElementOptional());
      }
      case STRUCT -> DataTypes.createStructType(type.asStructType().fields().stream()
          .map(f -> DataTypes.createStructField(f.name(), type(f.type()), f.isOptional()))
          .toArray(StructField[]::new));
      default -> throw new IllegalArgumentException("no expectation for Iceberg type " + type);
    };
  }

  /** Nested struct fields compared by name, type and nullability only (Spark may attach comments). */
  private static DataType withoutMetadata(DataType type) {
    if (type instanceof StructType struct) {
      return DataTypes.createStructType(java.util.Arrays.stream(struct.fields())
          .map(f -> DataTypes.createStructField(f.name(), withoutMetadata(f.dataType()), f.nullable()))
          .toArray(StructField[]::new));
    }
    if (type instanceof org.apache.spark.sql.types.ArrayType array) {
      return DataTypes.createArrayType(withoutMetadata(array.elementType()), array.containsNull());
    }
    if (type instanceof org.apache.spark.sql.types.MapType map) {
      return DataTypes.createMapType(withoutMetadata(map.keyType()), withoutMetadata(map.valueType()),
          map.valueContainsNull());
    }
    return type;
  }
}
