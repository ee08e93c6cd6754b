package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleTextTest {

  @Test
  void exitCodesOfSignalsAndOutOfMemoryAreExplained() {
    assertThat(ConsoleText.exitCode(137)).isEqualTo("137 (killed by SIGKILL)");
    assertThat(ConsoleText.exitCode(143)).isEqualTo("143 (killed by SIGTERM)");
    assertThat(ConsoleText.exitCode(134)).isEqualTo("134 (killed by SIGABRT)");
    assertThat(ConsoleText.exitCode(138)).isEqualTo("138 (killed by signal 10)");
    assertThat(ConsoleText.exitCode(3)).isEqualTo("3 (out of memory? -XX:+ExitOnOutOfMemoryError exits with 3)");
    assertThat(ConsoleText.exitCode(1)).isEqualTo("1");
    assertThat(ConsoleText.exitCode(0)).isEqualTo("0");
  }

  @Test
  void durationsReadAtAGlance() {
    assertThat(ConsoleText.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
    assertThat(ConsoleText.duration(Duration.ofSeconds(42))).isEqualTo("42 s");
    assertThat(ConsoleText.duration(Duration.ofSeconds(12 * 60 + 3))).isEqualTo("12m 03s");
    assertThat(ConsoleText.duration(Duration.ofMinutes(5 * 60 + 7))).isEqualTo("5h 07m");
    assertThat(ConsoleText.duration(Duration.ofHours(3 * 24 + 4))).isEqualTo("3d 04h");
  }

  @Test
  void exitReportNamesTheChildItsExitCodeAndQuotesItsLog() {
    String report =
        ConsoleText.exitReport(
            "appender",
            4242,
            1,
            Duration.ofSeconds(75),
            Path.of("/data/logs/appender.log"),
            List.of("ERROR staging disk full", "exiting 1"));

    assertThat(report)
        .isEqualTo(
            "lake up: appender (pid 4242) ended with exit code 1 after 1m 15s; last 2 lines of"
                + " /data/logs/appender.log:\n"
                + "  | ERROR staging disk full\n"
                + "  | exiting 1");
  }

  @Test
  void exitReportSaysSoWhenTheLogIsEmpty() {
    assertThat(ConsoleText.exitReport("s3", 7, 137, Duration.ofSeconds(2), Path.of("/l/s3.log"), List.of()))
        .isEqualTo(
            "lake up: s3 (pid 7) ended with exit code 137 (killed by SIGKILL) after 2 s; its log"
                + " /l/s3.log is empty");
  }
}
