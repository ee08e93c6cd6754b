package io.telemetrylake.tools.query;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Plans a scan through the catalog (Iceberg prunes files by partition and column statistics with
 * the filter) and copies the current data files it selects to a local folder for DuckDB.
 */
final class LakeReader {
  private LakeReader() {}

  /** The downloaded files, and how much of the table they are. */
  record Selection(List<Path> files, long bytes, int totalFiles, long totalBytes) {}

  /** Downloads the files of the scan; returns their local paths and the table's totals. */
  static Selection download(Table table, Expression filter, Path dir) throws IOException {
    int totalFiles = 0;
    long totalBytes = 0;
    try (CloseableIterable<FileScanTask> all = table.newScan().planFiles()) {
      for (FileScanTask task : all) {
        totalFiles++;
        totalBytes += task.file().fileSizeInBytes();
      }
    }
    TableScan scan = table.newScan().filter(filter);
    List<Path> files = new ArrayList<>();
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      int n = 0;
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new IllegalStateException("the table has delete files, which lake query does not apply; use Spark or Trino");
        }
        InputFile in = table.io().newInputFile(task.file().location());
        Path local = dir.resolve(String.format("%06d.parquet", n++));
        try (InputStream stream = in.newStream()) {
          Files.copy(stream, local, StandardCopyOption.REPLACE_EXISTING);
        }
        files.add(local);
        bytes += task.file().fileSizeInBytes();
      }
    }
    return new Selection(files, bytes, totalFiles, totalBytes);
  }

  /** The DuckDB type of an Iceberg column type, for an empty view with the right columns. */
  static String duckDbType(Type type) {
    return switch (type.typeId()) {
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case STRING -> "VARCHAR";
      case BOOLEAN -> "BOOLEAN";
      case DOUBLE -> "DOUBLE";
      case MAP -> "MAP(" + duckDbType(type.asMapType().keyType()) + ", " + duckDbType(type.asMapType().valueType()) + ")";
      case LIST -> duckDbType(type.asListType().elementType()) + "[]";
      case STRUCT -> type.asStructType().fields().stream()
          .map(f -> "\"" + f.name() + "\" " + duckDbType(f.type()))
          .collect(Collectors.joining(", ", "STRUCT(", ")"));
      default -> throw new IllegalArgumentException("unsupported column type " + type);
    };
  }
}
