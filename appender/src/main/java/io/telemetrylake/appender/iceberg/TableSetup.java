package io.telemetrylake.appender.iceberg;

import io.telemetrylake.table.LogTable;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the namespace and the table at start-up when missing, with common-proto's schema,
 * partition spec and sort order, and checks an existing table can take the appender's files.
 */
public final class TableSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TableSetup.class);

  /**
   * Iceberg's own commit retry re-applies an append on top of a concurrent commit with the summary
   * it was built with, i.e. with offsets that skipped the fence check. The appender retries itself
   * (refresh, check, commit), so the table must not.
   */
  static final Map<String, String> REQUIRED_PROPERTIES =
      Map.of(TableProperties.COMMIT_NUM_RETRIES, "0");

  private TableSetup() {}

  public static Table ensureTable(Catalog catalog, TableIdentifier id) {
    if (catalog instanceof SupportsNamespaces namespaces) {
      Namespace ns = id.namespace();
      if (!namespaces.namespaceExists(ns)) {
        try {
          namespaces.createNamespace(ns);
          LOG.info("created namespace {}", ns);
        } catch (AlreadyExistsException e) {
          // another appender won the race
        }
      }
    }
    Table table;
    try {
      table = catalog.loadTable(id);
    } catch (NoSuchTableException e) {
      try {
        table =
            catalog
                .buildTable(id, LogTable.SCHEMA)
                .withPartitionSpec(LogTable.partitionSpec())
                .withSortOrder(LogTable.sortOrder())
                .withProperties(REQUIRED_PROPERTIES)
                .withProperty(TableProperties.PARQUET_COMPRESSION, "zstd")
                .create();
        LOG.info("created table {} at {}", id, table.location());
      } catch (AlreadyExistsException race) {
        table = catalog.loadTable(id);
      }
    }
    check(table, id);
    ensureNoIcebergRetries(table);
    return table;
  }

  /** Sets {@link #REQUIRED_PROPERTIES} when an operator (or an older table) has other values. */
  public static void ensureNoIcebergRetries(Table table) {
    for (Map.Entry<String, String> e : REQUIRED_PROPERTIES.entrySet()) {
      String current = table.properties().get(e.getKey());
      if (!e.getValue().equals(current)) {
        LOG.warn(
            "table {}: setting {}={} (was {}): the appender retries commits itself, after its"
                + " exactly-once check",
            table.name(), e.getKey(), e.getValue(), current == null ? "unset" : current);
        table.updateProperties().set(e.getKey(), e.getValue()).commit();
      }
    }
  }

  /** Same type, whatever the ids of nested fields (map key/value, list element). */
  static boolean sameShape(org.apache.iceberg.types.Type a, org.apache.iceberg.types.Type b) {
    return a.isPrimitiveType() ? a.equals(b) : a.toString().equals(b.toString());
  }

  /** Fails start-up when the table cannot hold the Parquet files the appender writes. */
  static void check(Table table, TableIdentifier id) {
    PartitionSpec spec = table.spec();
    if (!spec.compatibleWith(LogTable.partitionSpec())) {
      throw new IllegalStateException(
          "table " + id + " is partitioned by " + spec.fields()
              + "; the appender writes day(timestamp) partitions only");
    }
    // by name: Iceberg assigns its own ids at creation (nested ones differ from LogTable's), and
    // the appender writes the table's ids into its files
    for (Types.NestedField want : LogTable.SCHEMA.columns()) {
      Types.NestedField have = table.schema().findField(want.name());
      if (have == null || !sameShape(have.type(), want.type())) {
        throw new IllegalStateException(
            "table " + id + " has no column " + want.name() + " of type " + want.type()
                + (have == null ? "" : " (it is " + have.type() + ")"));
      }
    }
  }
}
