package io.telemetrylake.tools.query;

import java.io.PrintStream;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prints a result set as an aligned text table, cutting long cells so rows stay readable. */
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
    int[] widths = new int[columns];
    for (int c = 0; c < columns; c++) {
      header[c] = meta.getColumnLabel(c + 1);
      widths[c] = header[c].length();
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
        row[c] = cell(rs.getObject(c + 1));
        widths[c] = Math.max(widths[c], row[c].length());
      }
      rows.add(row);
    }
    line(header, widths, out);
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < columns; c++) {
      rule.append(c == 0 ? "" : "-+-").append("-".repeat(widths[c]));
    }
    out.println(rule);
    for (String[] row : rows) {
      line(row, widths, out);
    }
    out.println("(" + total + (total == 1 ? " row" : " rows") + (total > rows.size() ? ", " + rows.size() + " shown" : "") + ")");
    return total;
  }

  private String cell(Object value) {
    String s = value == null ? "NULL" : value.toString().replace('\n', ' ');
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
