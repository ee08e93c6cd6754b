package io.telemetrylake.devstack;

import io.telemetrylake.devstack.ServiceStatus.Readiness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text {@code lake status} prints: a heading line, then one row per child. */
final class StatusTable {

  private static final List<String> HEADINGS =
      List.of("SERVICE", "PID", "UPTIME", "READY", "RESTARTS", "ENDPOINT", "NOTE");

  private StatusTable() {}

  /** True when every child is ready: {@code lake status} exits 0. */
  static boolean allReady(List<ServiceStatus> rows) {
    return rows.stream().allMatch(r -> r.ready() == Readiness.YES);
  }

  static String render(long pid, Duration uptime, Path dataDir, List<ServiceStatus> rows) {
    long ready = rows.stream().filter(r -> r.ready() == Readiness.YES).count();
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "lake up (pid %d, up %s, data %s): %d of %d ready%n",
                pid,
                ConsoleText.duration(uptime),
                dataDir,
                ready,
                rows.size()));
    List<List<String>> cells = new ArrayList<>();
    cells.add(HEADINGS);
    for (ServiceStatus r : rows) {
      cells.add(
          List.of(
              r.name(),
              r.pid().isPresent() ? Long.toString(r.pid().getAsLong()) : "-",
              r.uptime().map(ConsoleText::duration).orElse("-"),
              r.ready().text(),
              Integer.toString(r.restarts()),
              r.endpoint(),
              r.note()));
    }
    int[] widths = new int[HEADINGS.size()];
    for (List<String> row : cells) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i] + 2));
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }

  private static String pad(String value, int width) {
    return value + " ".repeat(width - value.length());
  }
}
