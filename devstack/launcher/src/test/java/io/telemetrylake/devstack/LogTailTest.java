package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {

  @TempDir Path dir;

  @Test
  void lastLinesOfTheLatestRunOnly() throws Exception {
    Path log = dir.resolve("appender.log");
    Files.writeString(
        log,
        "---- 2026-12-01T10:00:00Z devstack starts appender: java Main\n"
            + "first run\n"
            + "first run ends\n"
            + "---- 2026-12-01T11:00:00Z devstack starts appender: java Main\n"
            + "second run\n"
            + "second run ends\n",
        StandardCharsets.UTF_8);

    assertThat(LogTail.lastLines(log, 20)).containsExactly("second run", "second run ends");
    assertThat(LogTail.lastLines(log, 1)).containsExactly("second run ends");
  }

  @Test
  void aLargeLogIsReadFromItsEndWithoutAHalfLine() throws Exception {
    Path log = dir.resolve("kafka.log");
    List<String> lines = new ArrayList<>();
    IntStream.range(0, 200_000).forEach(i -> lines.add("line " + i + " of a long-running broker"));
    Files.write(log, lines, StandardCharsets.UTF_8);

    List<String> tail = LogTail.lastLines(log, 3);
    List<String> many = LogTail.lastLines(log, 100_000);

    assertThat(tail)
        .containsExactly(
            "line 199997 of a long-running broker",
            "line 199998 of a long-running broker",
            "line 199999 of a long-running broker");
    // only the last 64 KiB are read, and the first (cut) line of them is dropped
    assertThat(many).hasSizeLessThan(3000).allMatch(l -> l.matches("line \\d+ of a long-running broker"));
    assertThat(many.get(many.size() - 1)).isEqualTo("line 199999 of a long-running broker");
  }

  @Test
  void aMissingLogHasNoLines() throws Exception {
    assertThat(LogTail.lastLines(dir.resolve("none.log"), 20)).isEmpty();
  }

  @Test
  void aLastLineWithoutNewlineCounts() throws Exception {
    Path log = dir.resolve("s3.log");
    Files.writeString(log, "a\nb\nkilled mid-line", StandardCharsets.UTF_8);

    assertThat(LogTail.lastLines(log, 2)).containsExactly("b", "killed mid-line");
  }
}
