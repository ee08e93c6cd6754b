package io.telemetrylake.appender.maintain;

import io.telemetrylake.appender.maintain.MaintenanceReport.PartitionResult;
import io.telemetrylake.appender.stage.FieldIds;
import io.telemetrylake.appender.status.LogRedaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.SortDirection;
import org.apache.iceberg.SortField;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.ParquetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bin-packs each partition's small data files into files near the target size, rewritten in the
 * table's sort order by DuckDB, and commits each partition with Iceberg's {@link RewriteFiles}
 * validated from the snapshot the plan was read from. Rows never change: the rewrite reads the
 * files with {@code read_parquet}, writes them again with the table's field ids, and is refused
 * when the row count differs. Appenders keep committing meanwhile: their appends and this
 * rewrite touch different files, so each side's commit retries on top of the other's.
 */
final class Compaction {
  private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);
  static final String SUMMARY_KEY = "telemetry-lake.maintenance";

  private final Path workDir;
  private final long duckdbMemoryMb;
  private final CompactionHooks hooks;

  Compaction(Path workDir, long duckdbMemoryMb, CompactionHooks hooks) {
    this.workDir = workDir;
    this.duckdbMemoryMb = duckdbMemoryMb;
    this.hooks = hooks;
  }

  List<PartitionResult> run(Table table, long targetBytes, int minInputFiles, boolean dryRun, List<String> errors) {
    table.refresh();
    Snapshot start = table.currentSnapshot();
    if (start == null) {
      return List.of();
    }
    PartitionSpec spec = table.spec();
    Map<String, List<DataFile>> byPartition = new TreeMap<>();
    Set<String> withDeletes = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        String partition = file.specId() == spec.specId()
            ? spec.partitionToPath(file.partition())
            : "spec " + file.specId() + ": " + file.partition();
        byPartition.computeIfAbsent(partition, k -> new ArrayList<>()).add(file.copyWithoutStats());
        if (!task.deletes().isEmpty() || file.specId() != spec.specId()) {
          withDeletes.add(partition);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<PartitionResult> results = new ArrayList<>();
    for (Map.Entry<String, List<DataFile>> e : byPartition.entrySet()) {
      String partition = e.getKey();
      List<DataFile> files = e.getValue();
      if (withDeletes.contains(partition)) {
        results.add(unchanged(partition, files, "skipped: delete files or an older partition spec"));
        continue;
      }
      Map<String, DataFile> byLocation = new LinkedHashMap<>();
      files.forEach(f -> byLocation.put(f.location(), f));
      List<List<CompactionPlanner.Candidate>> groups = CompactionPlanner.plan(
          files.stream().map(f -> new CompactionPlanner.Candidate(f.location(), f.fileSizeInBytes())).toList(),
          targetBytes, minInputFiles);
      if (groups.isEmpty()) {
        results.add(unchanged(partition, files, "nothing to do"));
        continue;
      }
      List<List<DataFile>> inputs = groups.stream()
          .map(g -> g.stream().map(c -> byLocation.get(c.location())).toList()).toList();
      int rewritten = inputs.stream().mapToInt(List::size).sum();
      long bytes = inputs.stream().flatMap(List::stream).mapToLong(DataFile::fileSizeInBytes).sum();
      long rows = inputs.stream().flatMap(List::stream).mapToLong(DataFile::recordCount).sum();
      if (dryRun) {
        results.add(new PartitionResult(partition, files.size(), files.size() - rewritten + groups.size(),
            rewritten, bytes, rows, "planned"));
        continue;
      }
      try {
        List<DataFile> outputs = rewritePartition(table, start, inputs, targetBytes);
        results.add(new PartitionResult(partition, files.size(), files.size() - rewritten + outputs.size(),
            rewritten, bytes, rows, "rewritten"));
      } catch (LostRace race) {
        results.add(unchanged(partition, files, "gave up: " + race.getMessage()));
      } catch (RuntimeException failure) {
        String message = LogRedaction.redact(String.valueOf(failure.getMessage()));
        LOG.warn("compaction of {} failed: {}", partition, message);
        errors.add("compaction of " + partition + ": " + message);
        results.add(unchanged(partition, files, "failed: " + message));
      }
    }
    return results;
  }

  private static PartitionResult unchanged(String partition, List<DataFile> files, String outcome) {
    return new PartitionResult(partition, files.size(), files.size(), 0, 0, 0, outcome);
  }

  /** A commit that lost to a concurrent one and cannot be re-applied: nothing was changed. */
  static final class LostRace extends RuntimeException {
    LostRace(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Groups are rewritten together, up to this many target sizes at a time, in one sort: the files
   * then hold disjoint (service_name, timestamp) ranges, so a one-service query prunes to a few of
   * them (per group, every output file would span all services). It bounds the local disk a
   * rewrite needs.
   */
  static final int SORTED_TARGETS_PER_REWRITE = 4;

  private List<DataFile> rewritePartition(
      Table table, Snapshot start, List<List<DataFile>> groups, long targetBytes) {
    List<DataFile> outputs = new ArrayList<>();
    try {
      for (List<DataFile> batch : batches(groups, targetBytes * SORTED_TARGETS_PER_REWRITE)) {
        outputs.addAll(rewriteSorted(table, batch, targetBytes));
      }
      String commitId = UUID.randomUUID().toString();
      Table checked = new BaseTable(
          new CheckedCommitOperations(((HasTableOperations) table).operations(), commitId), table.name());
      RewriteFiles rewrite = checked.newRewrite().validateFromSnapshot(start.snapshotId());
      rewrite.set(CheckedCommitOperations.COMMIT_ID_KEY, commitId);
      groups.stream().flatMap(List::stream).forEach(rewrite::deleteFile);
      outputs.forEach(rewrite::addFile);
      rewrite.set(SUMMARY_KEY, "compaction");
      hooks.beforeCommit();
      rewrite.commit();
      return outputs;
    } catch (CommitStateUnknownException e) {
      // the files may be in the table now: keep them; orphan clean-up removes them if not
      throw new IllegalStateException("the catalog's answer to the rewrite commit was lost; its "
          + outputs.size() + " new file(s) are kept for orphan clean-up: " + e.getMessage(), e);
    } catch (ValidationException | CommitFailedException e) {
      deleteQuietly(table.io(), outputs);
      throw new LostRace("a concurrent commit changed the files being compacted (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      deleteQuietly(table.io(), outputs);
      throw e;
    }
  }

  /** Consecutive groups joined while their total stays within {@code maxBytes}. */
  static List<List<DataFile>> batches(List<List<DataFile>> groups, long maxBytes) {
    List<List<DataFile>> batches = new ArrayList<>();
    List<DataFile> current = new ArrayList<>();
    long bytes = 0;
    for (List<DataFile> group : groups) {
      long size = group.stream().mapToLong(DataFile::fileSizeInBytes).sum();
      if (!current.isEmpty() && bytes + size > maxBytes) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.addAll(group);
      bytes += size;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /** One sorted rewrite of {@code group} into files of about {@code targetBytes} (its input size). */
  private List<DataFile> rewriteSorted(Table table, List<DataFile> group, long targetBytes) {
    Path dir = workDir.resolve("compact-" + UUID.randomUUID());
    try {
      Files.createDirectories(dir.resolve("tmp"));
      List<Path> local = new ArrayList<>();
      long inputRows = 0;
      for (DataFile f : group) {
        Path p = dir.resolve("in-" + local.size() + ".parquet");
        try (InputStream in = table.io().newInputFile(f.location()).newStream()) {
          Files.copy(in, p);
        }
        local.add(p);
        inputRows += f.recordCount();
      }
      Path out = dir.resolve("out");
      long inputBytes = group.stream().mapToLong(DataFile::fileSizeInBytes).sum();
      int parts = (int) Math.max(1, (inputBytes + targetBytes - 1) / targetBytes);
      Files.createDirectories(out);
      List<String> sortColumns = sortColumns(table);
      sortedCopy(table.schema(), sortColumns, local, out, dir.resolve("tmp"), parts, inputRows);
      List<Path> written;
      try (Stream<Path> files = Files.list(out)) {
        written = files.sorted().toList();
      }
      PartitionSpec spec = table.spec();
      SortOrder order = sortColumns.isEmpty() ? SortOrder.unsorted() : table.sortOrder();
      List<Metrics> metrics = new ArrayList<>();
      long outputRows = 0;
      for (Path w : written) {
        Metrics m = ParquetUtil.fileMetrics(org.apache.iceberg.Files.localInput(w.toFile()), MetricsConfig.forTable(table));
        metrics.add(m);
        outputRows += m.recordCount() == null ? 0 : m.recordCount();
      }
      if (outputRows != inputRows) {
        throw new IllegalStateException("the rewrite of " + group.size() + " files wrote "
            + outputRows + " rows instead of " + inputRows + "; nothing committed");
      }
      List<DataFile> outputs = new ArrayList<>();
      String prefix = "compacted-" + UUID.randomUUID();
      for (int i = 0; i < written.size(); i++) {
        String location = table.locationProvider()
            .newDataLocation(spec, group.get(0).partition(), prefix + "-" + i + ".parquet");
        try (OutputStream o = table.io().newOutputFile(location).createOrOverwrite()) {
          Files.copy(written.get(i), o);
        }
        outputs.add(DataFiles.builder(spec)
            .withPath(location)
            .withFormat(FileFormat.PARQUET)
            .withFileSizeInBytes(Files.size(written.get(i)))
            .withPartition(group.get(0).partition())
            .withMetrics(metrics.get(i))
            .withSortOrder(order)
            .build());
      }
      return outputs;
    } catch (IOException e) {
      throw new UncheckedIOException("compaction I/O failed: " + e.getMessage(), e);
    } finally {
      deleteTree(dir);
    }
  }

  /** DuckDB reads the files and writes one sorted, zstd Parquet file with the table's field ids. */
  /**
   * Writes the rows of {@code inputs}, sorted, into {@code parts} files of {@code out}: part-0 alone
   * when they fit one target-size file.
   */
  /**
   * The columns of the table's sort order, ascending nulls first, as the appender writes (logs:
   * service_name, timestamp; traces: trace_id, timestamp); empty when the table's order is
   * anything else (other transforms or directions): files are then written and declared unsorted.
   */
  static List<String> sortColumns(Table table) {
    List<String> columns = new ArrayList<>();
    for (SortField field : table.sortOrder().fields()) {
      if (!field.transform().isIdentity()
          || field.direction() != SortDirection.ASC
          || field.nullOrder() != NullOrder.NULLS_FIRST) {
        return List.of();
      }
      columns.add(table.schema().findColumnName(field.sourceId()));
    }
    return columns;
  }

  private void sortedCopy(
      Schema tableSchema, List<String> sortColumns, List<Path> inputs, Path out, Path tmp, int parts, long rows) {
    String files = inputs.stream().map(p -> "'" + sql(p.toString()) + "'")
        .reduce((a, b) -> a + ", " + b).orElseThrow();
    String source = "read_parquet([" + files + "], union_by_name = true)";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET memory_limit = '" + duckdbMemoryMb + "MB'");
      s.execute("SET temp_directory = '" + sql(tmp.toString()) + "'");
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + source)) {
        while (rs.next()) {
          String name = rs.getString(1);
          if (tableSchema.findField(name) != null) {
            columns.add(name);
          }
        }
      }
      Schema written = tableSchema.select(columns);
      String select = columns.stream().map(FieldIds::quote).reduce((a, b) -> a + ", " + b).orElseThrow();
      String order = !sortColumns.isEmpty() && columns.containsAll(sortColumns)
          ? " ORDER BY " + sortColumns.stream().map(column -> FieldIds.quote(column) + " ASC NULLS FIRST")
              .reduce((a, b) -> a + ", " + b).orElseThrow()
          : "";
      String options = " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS " + FieldIds.clause(written) + ")";
      if (parts == 1) {
        s.execute("COPY (SELECT " + select + " FROM " + source + order + ") TO '"
            + sql(out.resolve("part-0.parquet").toString()) + "'" + options);
        return;
      }
      // one sort (it spills to the temp directory), then consecutive slices of it: each file holds
      // its own (service_name, timestamp) range (DuckDB's FILE_SIZE_BYTES kept one file here)
      s.execute("CREATE TEMP TABLE sorted AS SELECT " + select + ", row_number() OVER ("
          + (order.isEmpty() ? "" : order.substring(1)) + ") AS __rn FROM " + source);
      long perPart = (rows + parts - 1) / parts;
      for (int i = 0; i < parts; i++) {
        // the last slice is open-ended: no row is left out if the files hold more than expected
        String upper = i == parts - 1 ? "" : " AND __rn <= " + ((i + 1) * perPart);
        s.execute("COPY (SELECT " + select + " FROM sorted WHERE __rn > " + (i * perPart) + upper
            + " ORDER BY __rn) TO '"
            + sql(out.resolve(String.format("part-%05d.parquet", i)).toString()) + "'" + options);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB could not rewrite the files: " + e.getMessage(), e);
    }
  }

  private static String sql(String s) {
    return s.replace("'", "''");
  }

  private static void deleteQuietly(FileIO io, List<DataFile> files) {
    for (DataFile f : files) {
      try {
        io.deleteFile(f.location());
      } catch (RuntimeException e) {
        LOG.warn("could not delete the uncommitted compaction output {} (orphan clean-up will): {}",
            f.location(), e.toString());
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.toString());
    }
  }
}
