package io.telemetrylake.benchmarks.e2e;

import io.telemetrylake.devstack.DevStack;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;

/** The lake table as a reader sees it: through the REST catalog and S3, like {@code lake query}. */
final class Lake implements AutoCloseable {
  private final RESTCatalog catalog;
  private final TableIdentifier id;
  private final Connection duck;

  Lake(DevStack stack, String namespace, String table) throws SQLException {
    Map<String, String> props = new HashMap<>();
    props.put("uri", stack.catalogUri().toString());
    props.put("warehouse", stack.warehouse());
    props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    props.put("client.region", stack.s3Region());
    props.put("s3.endpoint", stack.s3Endpoint().toString());
    props.put("s3.path-style-access", "true");
    props.put("s3.access-key-id", stack.s3AccessKey());
    props.put("s3.secret-access-key", stack.s3SecretKey());
    this.catalog = new RESTCatalog();
    catalog.initialize("bench", props);
    this.id = TableIdentifier.of(namespace, table);
    this.duck = DriverManager.getConnection("jdbc:duckdb:");
  }

  boolean exists() {
    return catalog.tableExists(id);
  }

  Table load() {
    return catalog.loadTable(id);
  }

  /** The data files of the current snapshot. */
  static List<DataFile> currentFiles(Table table) throws IOException {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        files.add(t.file());
      }
    }
    return files;
  }

  /** The {@code lake.id} values of the rows in the data files a snapshot added. */
  @SuppressWarnings("deprecation") // addedDataFiles(FileIO): still the simplest per-snapshot listing in 1.12
  List<String> addedIds(Table table, Snapshot snapshot, Path tmp) throws IOException, SQLException {
    List<String> ids = new ArrayList<>();
    Files.createDirectories(tmp);
    for (DataFile f : snapshot.addedDataFiles(table.io())) {
      Path local = tmp.resolve("f-" + System.nanoTime() + ".parquet");
      try (InputStream in = table.io().newInputFile(f.location()).newStream()) {
        Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
      }
      try (Statement s = duck.createStatement();
          ResultSet rs = s.executeQuery("SELECT log_attributes['lake.id'] FROM read_parquet('"
              + local.toString().replace("'", "''") + "')")) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      } finally {
        Files.deleteIfExists(local);
      }
    }
    return ids;
  }

  @Override
  public void close() throws IOException, SQLException {
    duck.close();
    catalog.close();
  }
}
