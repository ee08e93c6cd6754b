package io.telemetrylake.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap figures from a unified GC log ({@code -Xlog:gc:file=...}): each pause line says the heap
 * used before and after it and the heap's committed size, e.g.
 * {@code GC(12) Pause Young (Allocation Failure) 140M->12M(491M) 3.456ms}. The used size just
 * before a collection is the peak between two collections, so the largest one is the peak heap.
 */
record GcLog(int pauses, long peakUsedBytes, long peakLiveBytes, long peakCommittedBytes, double pauseMillis) {
  private static final Pattern PAUSE =
      Pattern.compile("Pause .*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) ([\\d.]+)ms");

  static GcLog read(Path file) throws IOException {
    return parse(Files.exists(file) ? Files.readAllLines(file) : List.of());
  }

  static GcLog parse(List<String> lines) {
    int pauses = 0;
    long peakUsed = 0;
    long peakLive = 0;
    long peakCommitted = 0;
    double millis = 0;
    for (String line : lines) {
      Matcher m = PAUSE.matcher(line);
      if (!m.find()) {
        continue;
      }
      pauses++;
      peakUsed = Math.max(peakUsed, bytes(m.group(1), m.group(2)));
      peakLive = Math.max(peakLive, bytes(m.group(3), m.group(4)));
      peakCommitted = Math.max(peakCommitted, bytes(m.group(5), m.group(6)));
      millis += Double.parseDouble(m.group(7));
    }
    return new GcLog(pauses, peakUsed, peakLive, peakCommitted, millis);
  }

  private static long bytes(String n, String unit) {
    long v = Long.parseLong(n);
    return switch (unit) {
      case "K" -> v * 1024;
      case "M" -> v * 1024 * 1024;
      default -> v * 1024 * 1024 * 1024;
    };
  }
}
