package io.telemetrylake.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class LogTableTest {

  @Test
  void keepsFieldIdsStable() {
    // Parquet files on disk carry these ids: changing one silently breaks every reader.
    assertThat(LogTable.SCHEMA.findField(LogTable.TIMESTAMP).fieldId()).isEqualTo(1);
    assertThat(LogTable.SCHEMA.findField(LogTable.BODY).fieldId()).isEqualTo(5);
    assertThat(LogTable.SCHEMA.findField(LogTable.SERVICE_NAME).fieldId()).isEqualTo(10);
    assertThat(LogTable.SCHEMA.findField(LogTable.DROPPED_ATTRIBUTES_COUNT).fieldId()).isEqualTo(20);
    Types.MapType logAttributes = LogTable.SCHEMA.findType(LogTable.LOG_ATTRIBUTES).asMapType();
    assertThat(logAttributes.keyId()).isEqualTo(25);
    assertThat(logAttributes.valueId()).isEqualTo(26);
  }

  @Test
  void keepsItsIdsWhenIcebergCreatesTheTable() {
    // Table creation assigns fresh ids; ours must be the ones it assigns.
    Schema created = TypeUtil.assignFreshIds(LogTable.SCHEMA, new AtomicInteger()::incrementAndGet);

    assertThat(TypeUtil.indexById(created.asStruct())).isEqualTo(TypeUtil.indexById(LogTable.SCHEMA.asStruct()));
  }

  @Test
  void hasOneColumnPerRowComponentInTheSameOrder() {
    List<String> columns = new ArrayList<>();
    LogTable.SCHEMA.columns().forEach(f -> columns.add(f.name()));
    List<String> components = new ArrayList<>();
    for (var c : LogRow.class.getRecordComponents()) {
      components.add(c.getName().replaceAll("Micros$", "").replaceAll("([A-Z])", "_$1").toLowerCase());
    }
    assertThat(columns).containsExactlyElementsOf(components);
  }

  @Test
  void partitionsByDayAndSortsByServiceThenTime() {
    assertThat(LogTable.partitionSpec().fields()).singleElement()
        .satisfies(f -> {
          assertThat(f.name()).isEqualTo(LogTable.TIMESTAMP_DAY);
          assertThat(f.transform().toString()).isEqualTo("day");
        });
    assertThat(LogTable.sortOrder().fields())
        .extracting(f -> LogTable.SCHEMA.findColumnName(f.sourceId()))
        .containsExactly(LogTable.SERVICE_NAME, LogTable.TIMESTAMP);
  }

  @Test
  void idsAreUniqueAcrossNestedFields() {
    assertThat(TypeUtil.indexById(LogTable.SCHEMA.asStruct())).hasSize(26);
  }
}
