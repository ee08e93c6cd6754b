package io.telemetrylake.devstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How {@code ./lake up} words exits and durations on its console and in {@code lake status}. */
final class ConsoleText {

  /** What the JVM exits with under -XX:+ExitOnOutOfMemoryError (every service runs with it). */
  static final int OUT_OF_MEMORY_EXIT = 3;

  private static final Map<Integer, String> SIGNALS =
      Map.of(1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 6, "SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");

  private ConsoleText() {}

  /** {@code 137 (killed by SIGKILL)}, {@code 1}, ... */
  static String exitCode(int code) {
    if (code == OUT_OF_MEMORY_EXIT) {
      return code + " (out of memory? -XX:+ExitOnOutOfMemoryError exits with 3)";
    }
    if (code > 128 && code < 160) {
      String signal = SIGNALS.getOrDefault(code - 128, "signal " + (code - 128));
      return code + " (killed by " + signal + ")";
    }
    return Integer.toString(code);
  }

  /** {@code 850 ms}, {@code 42 s}, {@code 12m 03s}, {@code 5h 07m}, {@code 3d 04h}. */
  static String duration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < 1) {
      return d.toMillis() + " ms";
    }
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
    if (seconds < 86_400) {
      return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }
    return String.format(Locale.ROOT, "%dd %02dh", seconds / 86_400, seconds % 86_400 / 3600);
  }

  /**
   * The report on a child that ended on its own: which, its exit code, how long it ran, and the
   * last lines of its log.
   */
  static String exitReport(
      String name, long pid, int exitCode, Duration uptime, Path log, List<String> lastLines) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "lake up: %s (pid %d) ended with exit code %s after %s",
                name,
                pid,
                exitCode(exitCode),
                duration(uptime)));
    if (lastLines.isEmpty()) {
      text.append("; its log ").append(log).append(" is empty");
    } else {
      text.append("; last ").append(lastLines.size()).append(" lines of ").append(log).append(':');
      for (String line : lastLines) {
        text.append("\n  | ").append(line);
      }
    }
    return text.toString();
  }
}
