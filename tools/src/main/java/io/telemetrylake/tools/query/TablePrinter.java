package io.telemetrylake.tools.query;

import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prints a result set (or rows made elsewhere) as an aligned text table, cutting long cells so rows stay readable. */
final class TablePrinter {
  private final int maxCellWidth;
  private final int maxRows;

  TablePrinter(int maxCellWidth, int maxRows) {
    this.maxCellWidth = maxCellWidth;
    this.maxRows = maxRows;
  }

  /** Returns the number of rows in the result (all of them, printed or not). */
  long print(ResultSet rs, PrintStream out) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int columns = meta.getColumnCount();
    String[] header = new String[columns];
    for (int c = 0; c < columns; c++) {
      header[c] = meta.getColumnLabel(c + 1);
    }
    List<String[]> rows = new ArrayList<>();
    long total = 0;
    while (rs.next()) {
      total++;
      if (rows.size() >= maxRows) {
        continue;
      }
      String[] row = new String[columns];
      for (int c = 0; c < columns; c++) {
        Object value = rs.getObject(c + 1);
        row[c] = value == null ? "NULL" : value.toString();
      }
      rows.add(row);
    }
    print(header, rows, total, out);
    return total;
  }

  /** Prints the first rows of a result of {@code total} rows (cells as they are; null prints as NULL). */
  void print(String[] header, List<String[]> rows, long total, PrintStream out) {
    int columns = header.length;
    int[] widths = new int[columns];
    for (int c = 0; c < columns; c++) {
      widths[c] = header[c].length();
    }
    List<String[]> shown = new ArrayList<>();
    for (String[] row : rows.subList(0, Math.min(rows.size(), maxRows))) {
      String[] cells = new String[columns];
      for (int c = 0; c < columns; c++) {
        cells[c] = cell(row[c]);
        widths[c] = Math.max(widths[c], cells[c].length());
      }
      shown.add(cells);
    }
    line(header, widths, out);
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
    }
    out.println(rule);
    for (String[] cells : shown) {
      line(cells, widths, out);
    }
    out.println("(" + total + (total == 1 ? " row" : " rows") + (total > shown.size() ? ", " + shown.size() + " shown" : "") + ")");
  }

  private String cell(String value) {
    String s = value == null ? "NULL" : value.replace('\n', ' ');
    return s.length() > maxCellWidth ? s.substring(0, maxCellWidth - 1) + "…" : s;
  }

  private static void line(String[] cells, int[] widths, PrintStream out) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      b.append(c == 0 ? "" : " | ").append(cells[c]).append(" ".repeat(widths[c] - cells[c].length()));
    }
    out.println(b.toString().stripTrailing());
  }
}
