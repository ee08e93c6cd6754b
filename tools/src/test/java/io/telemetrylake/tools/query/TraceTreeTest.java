package io.telemetrylake.tools.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TraceTreeTest {
  private static TraceTree.SpanRow span(String id, String parent, String name, long startMicros, long durationMicros) {
    return new TraceTree.SpanRow(id, parent, name, "svc", "SPAN_KIND_INTERNAL", startMicros, durationMicros * 1000,
        "STATUS_CODE_UNSET", null);
  }

  private static List<String> names(TraceTree tree) {
    return tree.rows().stream().map(r -> r[0]).toList();
  }

  @Test
  void ordersSiblingsByStartWhateverTheInputOrder() {
    TraceTree tree = new TraceTree(List.of(
        span("c", "a", "second child", 30, 10),
        span("d", "b", "grandchild", 12, 5),
        span("a", null, "root", 0, 100),
        span("b", "a", "first child", 10, 10)));

    assertThat(names(tree)).containsExactly("root", "├─ first child", "│  └─ grandchild", "└─ second child");
  }

  @Test
  void showsSpansWithoutTheirParentAsRootsAndSaysSo() {
    TraceTree tree = new TraceTree(List.of(
        span("b", "missing", "orphan", 10, 10),
        span("a", null, "root", 0, 100)));

    assertThat(names(tree)).containsExactly("root", "orphan");
    assertThat(tree.summary("t")).isEqualTo("trace t: 2 spans in 1 service, 0.100 ms, 0 errors,"
        + " 1 span whose parent is not in the result");
  }

  @Test
  void keepsEverySpanOfAParentCycle() {
    TraceTree tree = new TraceTree(List.of(
        span("a", "b", "one", 0, 10),
        span("b", "a", "two", 5, 10),
        span("s", "s", "self", 7, 1)));

    assertThat(names(tree)).containsExactlyInAnyOrder("self", "one", "└─ two");
  }

  @Test
  void printsKindStatusAndTimesReadably() {
    TraceTree tree = new TraceTree(List.of(new TraceTree.SpanRow("a1", null, "GET /", "frontend", "SPAN_KIND_SERVER",
        1_000_000, 12_345_678, "STATUS_CODE_ERROR", "boom")));

    assertThat(tree.rows().get(0)).containsExactly("GET /", "frontend", "SERVER", "0.000", "12.346", "ERROR: boom", "a1", "");
    assertThat(tree.summary("t")).isEqualTo("trace t: 1 span in 1 service, 12.346 ms, 1 error");
  }
}
