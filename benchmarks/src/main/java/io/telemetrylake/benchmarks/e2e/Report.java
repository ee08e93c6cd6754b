package io.telemetrylake.benchmarks.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Progress lines while a scenario runs, and its results as JSON. */
final class Report {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {}

  static void log(String format, Object... args) {
    System.out.println("[" + LocalTime.now().format(TIME) + "] " + String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  static Map<String, Object> map() {
    return new LinkedHashMap<>();
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  static double mib(long bytes) {
    return round(bytes / 1024.0 / 1024.0, 1);
  }

  /** The p-th percentile (nearest rank) of the values; NaN when there are none. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(rank, sorted.length - 1))];
  }

  /** The median (mean of the two middle values for an even count); NaN when there are none. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  static Path write(Path dir, String name, Map<String, Object> results) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(name + ".json");
    JSON.writeValue(file.toFile(), results);
    return file;
  }

  /** Load average and cores, so every result says how busy the machine was. */
  static Map<String, Object> machine() {
    Map<String, Object> m = map();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    try {
      m.put("loadavg", Files.readString(Path.of("/proc/loadavg")).trim());
      String memTotal = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
      m.put("memory", memTotal.replaceAll("\\s+", " "));
    } catch (IOException | IndexOutOfBoundsException e) {
      m.put("loadavg", "unknown");
    }
    return m;
  }
}
