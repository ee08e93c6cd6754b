package io.telemetrylake.tools.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The spans of one trace as a tree in time order: roots first, each span's children under it,
 * drawn with {@code ├─}/{@code └─}, siblings by start time. A span whose parent is not among the
 * spans (not landed yet, or outside {@code --since}/{@code --until}) is shown as a root. No I/O.
 */
final class TraceTree {
  static final String[] HEADER = {
    "span", "service", "kind", "start ms", "duration ms", "status", "span_id", "parent_span_id"
  };

  /** One span as read from the table; parent null for a root. */
  record SpanRow(String spanId, String parentSpanId, String name, String service, String kind,
      long startMicros, long durationNanos, String statusCode, String statusMessage) {}

  private static final Comparator<SpanRow> BY_START =
      Comparator.comparingLong(SpanRow::startMicros).thenComparing(SpanRow::spanId, Comparator.nullsFirst(Comparator.naturalOrder()));

  private final List<SpanRow> spans;

  TraceTree(List<SpanRow> spans) {
    this.spans = List.copyOf(spans);
  }

  /** The rows to print, in tree order, cells as {@link #HEADER} names them. */
  List<String[]> rows() {
    Set<String> ids = new HashSet<>();
    for (SpanRow s : spans) {
      ids.add(s.spanId());
    }
    Map<String, List<SpanRow>> children = new HashMap<>();
    List<SpanRow> roots = new ArrayList<>();
    for (SpanRow s : spans) {
      if (s.parentSpanId() == null || !ids.contains(s.parentSpanId()) || s.parentSpanId().equals(s.spanId())) {
        roots.add(s);
      } else {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      }
    }
    roots.sort(BY_START);
    children.values().forEach(list -> list.sort(BY_START));
    long t0 = spans.stream().mapToLong(SpanRow::startMicros).min().orElse(0);
    List<String[]> rows = new ArrayList<>();
    Set<SpanRow> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (SpanRow root : roots) {
      walk(root, "", "", children, t0, seen, rows);
    }
    // Spans in a parent cycle (bad data) are reachable from no root: list them rather than lose them.
    List<SpanRow> rest = new ArrayList<>(spans);
    rest.removeIf(seen::contains);
    rest.sort(BY_START);
    for (SpanRow s : rest) {
      walk(s, "", "", children, t0, seen, rows);
    }
    return rows;
  }

  private static void walk(SpanRow span, String connector, String indent, Map<String, List<SpanRow>> children,
      long t0, Set<SpanRow> seen, List<String[]> rows) {
    if (!seen.add(span)) {
      return;
    }
    rows.add(row(span, connector, t0));
    List<SpanRow> kids = children.getOrDefault(span.spanId(), List.of());
    for (int i = 0; i < kids.size(); i++) {
      boolean last = i == kids.size() - 1;
      walk(kids.get(i), indent + (last ? "└─ " : "├─ "), indent + (last ? "   " : "│  "), children, t0, seen, rows);
    }
  }

  private static String[] row(SpanRow s, String connector, long t0) {
    String status = strip(s.statusCode(), "STATUS_CODE_");
    if (s.statusMessage() != null && !s.statusMessage().isEmpty()) {
      status = status + ": " + s.statusMessage();
    }
    return new String[] {
      connector + (s.name() == null ? "" : s.name()),
      s.service() == null ? "" : s.service(),
      strip(s.kind(), "SPAN_KIND_"),
      String.format(Locale.ROOT, "%.3f", (s.startMicros() - t0) / 1e3),
      String.format(Locale.ROOT, "%.3f", s.durationNanos() / 1e6),
      status,
      s.spanId() == null ? "" : s.spanId(),
      s.parentSpanId() == null ? "" : s.parentSpanId(),
    };
  }

  /** One line about the whole trace: spans, services, wall time, errors, spans without their parent. */
  String summary(String traceId) {
    if (spans.isEmpty()) {
      return "trace " + traceId + ": no spans found";
    }
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    Set<String> services = new HashSet<>();
    Set<String> ids = new HashSet<>();
    int errors = 0;
    for (SpanRow s : spans) {
      start = Math.min(start, s.startMicros());
      end = Math.max(end, s.startMicros() * 1000 + s.durationNanos());
      if (s.service() != null) {
        services.add(s.service());
      }
      ids.add(s.spanId());
      if ("STATUS_CODE_ERROR".equals(s.statusCode())) {
        errors++;
      }
    }
    long orphans = spans.stream().filter(s -> s.parentSpanId() != null && !ids.contains(s.parentSpanId())).count();
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "trace %s: %d %s in %d %s, %.3f ms, %d %s",
        traceId, spans.size(), spans.size() == 1 ? "span" : "spans", services.size(),
        services.size() == 1 ? "service" : "services", (end - start * 1000) / 1e6, errors, errors == 1 ? "error" : "errors"));
    if (orphans > 0) {
      b.append(String.format(Locale.ROOT, ", %d %s whose parent is not in the result", orphans, orphans == 1 ? "span" : "spans"));
    }
    return b.toString();
  }

  private static String strip(String value, String prefix) {
    if (value == null) {
      return "";
    }
    return value.startsWith(prefix) ? value.substring(prefix.length()) : value;
  }
}
