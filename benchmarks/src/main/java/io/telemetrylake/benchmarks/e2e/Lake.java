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
import org.apache.iceberg.expressions.Expressions;
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

  /**
   * What a lookup of one trace id reads, for {@code sample} trace ids taken evenly from the table:
   * the data files Iceberg's planner keeps for {@code trace_id = X} (file statistics), and of
   * those the Parquet row groups whose {@code trace_id} min/max can hold X (what a reader that
   * prunes row groups, like DuckDB, Spark or Trino, then reads). Files are copied to {@code tmp}.
   */
  Map<String, Object> traceLookups(Table table, int sample, Path tmp) throws IOException, SQLException {
    Files.createDirectories(tmp);
    List<Path> locals = new ArrayList<>();
    for (DataFile f : currentFiles(table)) {
      Path local = tmp.resolve("lookup-" + locals.size() + ".parquet");
      try (InputStream in = table.io().newInputFile(f.location()).newStream()) {
        Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
      }
      locals.add(local);
    }
    String files = locals.stream().map(l -> "'" + l.toString().replace("'", "''") + "'")
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    List<String> ids = new ArrayList<>();
    try (Statement s = duck.createStatement();
        ResultSet rs = s.executeQuery("SELECT trace_id FROM (SELECT DISTINCT trace_id FROM read_parquet(" + files
            + ")) USING SAMPLE " + sample + " ROWS (reservoir, 42)")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    long rowGroupsTotal;
    try (Statement s = duck.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata(" + files + ")")) {
      rs.next();
      rowGroupsTotal = rs.getLong(1);
    }
    double filesSum = 0;
    double groupsSum = 0;
    long groupsMax = 0;
    for (String id : ids) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(Expressions.equal("trace_id", id)).planFiles()) {
        for (FileScanTask ignored : tasks) {
          filesSum++;
        }
      }
      try (Statement s = duck.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM parquet_metadata(" + files + ") WHERE path_in_schema = 'trace_id'"
              + " AND stats_min_value <= '" + id + "' AND stats_max_value >= '" + id + "'")) {
        rs.next();
        groupsSum += rs.getLong(1);
        groupsMax = Math.max(groupsMax, rs.getLong(1));
      }
    }
    for (Path l : locals) {
      Files.deleteIfExists(l);
    }
    Map<String, Object> out = Report.map();
    out.put("trace_ids_looked_up", ids.size());
    out.put("data_files", locals.size());
    out.put("row_groups", rowGroupsTotal);
    out.put("files_selected_mean", Report.round(filesSum / Math.max(1, ids.size()), 2));
    out.put("row_groups_read_mean", Report.round(groupsSum / Math.max(1, ids.size()), 2));
    out.put("row_groups_read_max", groupsMax);
    return out;
  }

  /**
   * What a query for one service ({@code service_name = X}) reads, per service: the data files
   * Iceberg's planner keeps by the files' {@code service_name} bounds, the files that really hold
   * rows of X, and of all files' Parquet row groups those whose {@code service_name} min/max can
   * hold X (what DuckDB, Spark or Trino read after the planner). Files are copied to {@code tmp}.
   */
  Map<String, Object> servicePruning(Table table, List<String> services, Path tmp) throws IOException, SQLException {
    Files.createDirectories(tmp);
    List<DataFile> dataFiles = currentFiles(table);
    List<Path> locals = new ArrayList<>();
    for (DataFile f : dataFiles) {
      Path local = tmp.resolve("service-" + locals.size() + ".parquet");
      try (InputStream in = table.io().newInputFile(f.location()).newStream()) {
        Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
      }
      locals.add(local);
    }
    String files = locals.stream().map(l -> "'" + l.toString().replace("'", "''") + "'")
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    long rowGroupsTotal;
    try (Statement s = duck.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata(" + files + ")")) {
      rs.next();
      rowGroupsTotal = rs.getLong(1);
    }
    long bytesTotal = dataFiles.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    Map<String, Object> out = Report.map();
    out.put("data_files", dataFiles.size());
    out.put("data_mib", Report.mib(bytesTotal));
    out.put("row_groups", rowGroupsTotal);
    Map<String, Object> perService = Report.map();
    for (String service : services) {
      String literal = "'" + service.replace("'", "''") + "'";
      long selected = 0;
      long selectedBytes = 0;
      try (CloseableIterable<FileScanTask> tasks =
          table.newScan().filter(Expressions.equal("service_name", service)).planFiles()) {
        for (FileScanTask t : tasks) {
          selected++;
          selectedBytes += t.file().fileSizeInBytes();
        }
      }
      long rows = 0;
      long holding = 0;
      try (Statement s = duck.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT filename) FROM read_parquet(" + files
              + ", filename = true) WHERE service_name = " + literal)) {
        rs.next();
        rows = rs.getLong(1);
        holding = rs.getLong(2);
      }
      long groups;
      try (Statement s = duck.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM parquet_metadata(" + files + ") WHERE path_in_schema = 'service_name'"
              + " AND stats_min_value <= " + literal + " AND stats_max_value >= " + literal)) {
        rs.next();
        groups = rs.getLong(1);
      }
      Map<String, Object> one = Report.map();
      one.put("rows", rows);
      one.put("files_selected_by_bounds", selected);
      one.put("files_holding_rows", holding);
      one.put("mib_of_selected_files", Report.mib(selectedBytes));
      one.put("row_groups_selected_by_stats", groups);
      perService.put(service, one);
    }
    out.put("services", perService);
    for (Path l : locals) {
      Files.deleteIfExists(l);
    }
    return out;
  }

  @Override
  public void close() throws IOException, SQLException {
    duck.close();
    catalog.close();
  }
}
