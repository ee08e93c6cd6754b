package io.telemetrylake.appender.iceberg;

import io.telemetrylake.table.LogTable;
import io.telemetrylake.table.TableDefinition;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.TypeUtil;
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
   * Earlier versions set {@code commit.retry.num-retries=0} on the table to keep Iceberg from
   * retrying the appender's commits; that also turned retries off for every other writer
   * (maintenance, Spark jobs). The appender now turns them off per commit ({@link
   * PinnedOperations}), so the table property it set is removed.
   */
  static final String LEGACY_NO_RETRIES = "0";

  private TableSetup() {}

  /** The logs table; see {@link #ensureTable(Catalog, TableIdentifier, TableDefinition)}. */
  public static Table ensureTable(Catalog catalog, TableIdentifier id) {
    return ensureTable(catalog, id, LogTable.DEFINITION);
  }

  public static Table ensureTable(Catalog catalog, TableIdentifier id, TableDefinition definition) {
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
                .buildTable(id, definition.schema())
                .withPartitionSpec(definition.partitionSpec())
                .withSortOrder(definition.sortOrder())
                .withProperty(TableProperties.PARQUET_COMPRESSION, "zstd")
                .create();
        LOG.info("created table {} at {}", id, table.location());
      } catch (AlreadyExistsException race) {
        table = catalog.loadTable(id);
      }
    }
    check(table, id, definition);
    removeLegacyNoRetries(table);
    return table;
  }

  /** Removes the no-retry table property earlier versions set, so other writers retry again. */
  static void removeLegacyNoRetries(Table table) {
    if (LEGACY_NO_RETRIES.equals(table.properties().get(TableProperties.COMMIT_NUM_RETRIES))) {
      LOG.info(
          "table {}: removing {}={} (set by earlier appender versions; the appender now turns"
              + " Iceberg's retry off per commit, and maintenance and other writers need it)",
          table.name(), TableProperties.COMMIT_NUM_RETRIES, LEGACY_NO_RETRIES);
      table.updateProperties().remove(TableProperties.COMMIT_NUM_RETRIES).commit();
    }
  }

  /** Same type, whatever the ids of nested fields (map key/value, list element, struct fields). */
  static boolean sameShape(org.apache.iceberg.types.Type a, org.apache.iceberg.types.Type b) {
    return a.isPrimitiveType() ? a.equals(b) : renumbered(a).equals(renumbered(b));
  }

  private static org.apache.iceberg.types.Type renumbered(org.apache.iceberg.types.Type type) {
    Schema one = new Schema(Types.NestedField.optional(1, "c", type));
    return TypeUtil.assignFreshIds(one, new java.util.concurrent.atomic.AtomicInteger()::incrementAndGet)
        .findField("c").type();
  }

  /** Fails start-up when the table cannot hold the Parquet files the appender writes. */
  static void check(Table table, TableIdentifier id, TableDefinition definition) {
    PartitionSpec spec = table.spec();
    if (!spec.compatibleWith(definition.partitionSpec())) {
      throw new IllegalStateException(
          "table " + id + " is partitioned by " + spec.fields()
              + "; the appender writes day(timestamp) partitions only");
    }
    // by name: Iceberg assigns its own ids at creation (nested ones differ from LogTable's), and
    // the appender writes the table's ids into its files
    for (Types.NestedField want : definition.schema().columns()) {
      Types.NestedField have = table.schema().findField(want.name());
      if (have == null || !sameShape(have.type(), want.type())) {
        throw new IllegalStateException(
            "table " + id + " has no column " + want.name() + " of type " + want.type()
                + (have == null ? "" : " (it is " + have.type() + ")"));
      }
    }
  }
}
