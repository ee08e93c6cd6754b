package io.telemetrylake.appender.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.telemetrylake.table.LogTable;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.types.Types.NestedField;
import org.junit.jupiter.api.Test;

class FieldIdsTest {

  @Test
  void numbersTopLevelColumnsWithTheirIcebergIds() {
    Schema schema = new Schema(
        NestedField.optional(7, "timestamp", Types.TimestampType.withZone()),
        NestedField.optional(3, "body", Types.StringType.get()));

    assertThat(FieldIds.clause(schema)).isEqualTo("{\"timestamp\": 7, \"body\": 3}");
  }

  @Test
  void givesMapKeysAndValuesTheirOwnIds() {
    Schema schema = new Schema(NestedField.optional(9, "attributes",
        Types.MapType.ofOptional(11, 12, Types.StringType.get(), Types.StringType.get())));

    assertThat(FieldIds.clause(schema))
        .isEqualTo("{\"attributes\": {__duckdb_field_id: 9, \"key\": 11, \"value\": 12}}");
  }

  @Test
  void handlesListsStructsAndQuotesInNames() {
    Schema schema = new Schema(
        NestedField.optional(1, "tags", Types.ListType.ofOptional(2, Types.StringType.get())),
        NestedField.optional(3, "we\"ird", Types.StructType.of(
            NestedField.optional(4, "a", Types.IntegerType.get()))));

    assertThat(FieldIds.clause(schema)).isEqualTo(
        "{\"tags\": {__duckdb_field_id: 1, \"element\": 2}, "
            + "\"we\"\"ird\": {__duckdb_field_id: 3, \"a\": 4}}");
  }

  @Test
  void coversTheLogTableIncludingItsMapIds() {
    String clause = FieldIds.clause(LogTable.SCHEMA);

    assertThat(clause)
        .startsWith("{\"timestamp\": 1, \"observed_timestamp\": 2,")
        .contains("\"resource_attributes\": {__duckdb_field_id: 13, \"key\": 21, \"value\": 22}")
        .contains("\"scope_attributes\": {__duckdb_field_id: 14, \"key\": 23, \"value\": 24}")
        .contains("\"log_attributes\": {__duckdb_field_id: 15, \"key\": 25, \"value\": 26}")
        .endsWith("\"dropped_attributes_count\": 20}");
  }

  @Test
  void exportSelectsEveryTableColumnInOrder() {
    assertThat(ParquetExport.COLUMNS.keySet())
        .containsExactlyElementsOf(LogTable.SCHEMA.columns().stream().map(NestedField::name).toList());
  }
}
