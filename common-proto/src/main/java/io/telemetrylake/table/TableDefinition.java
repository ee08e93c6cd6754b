package io.telemetrylake.table;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;

/**
 * What a signal's table is when the appender creates it: columns with their field ids,
 * partitioning and sort order ({@link LogTable}, {@link TraceTable}).
 *
 * @param sortColumns the top-level columns of {@code sortOrder}, in order (what writers sort by)
 */
public record TableDefinition(
    Schema schema, PartitionSpec partitionSpec, SortOrder sortOrder, java.util.List<String> sortColumns) {
  public TableDefinition {
    sortColumns = java.util.List.copyOf(sortColumns);
  }
}
