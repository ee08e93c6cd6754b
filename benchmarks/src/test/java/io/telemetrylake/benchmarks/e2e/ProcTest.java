package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcTest {
  @Test
  void readsUserAndSystemTicksAfterACommandNameWithSpacesAndParentheses() {
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 123 0 0 0 1500 250 7 3 20 0 42 0 1000 0 0";

    String[] f = Proc.parseStat(stat);

    assertThat(f[0]).isEqualTo("S");
    assertThat(f[11]).isEqualTo("1500");
    assertThat(f[12]).isEqualTo("250");
    assertThat(f[13]).isEqualTo("7");
    assertThat(f[14]).isEqualTo("3");
  }

  @Test
  void countsMinorFaultsAndSystemTimeBetweenTwoReadings() {
    String start = "4242 (java) S 1 4242 4242 0 -1 4194560 100 0 0 0 1000 50 0 0 20 0 42 0 1000 0 0";
    String end = "4242 (java) S 1 4242 4242 0 -1 4194560 123 0 0 0 1500 250 0 0 20 0 42 0 1000 0 0";

    Proc.Kernel used = Proc.kernel(Proc.parseStat(end)).since(Proc.kernel(Proc.parseStat(start)));

    // 23 faults; 200 ticks of system time (user time is not counted)
    assertThat(used).isEqualTo(new Proc.Kernel(23, 200 * 1_000_000_000L / Proc.TICKS_PER_SECOND));
  }

  @Test
  void readsPeakResidentSetInKilobytes() {
    List<String> status = List.of("Name:\tjava", "VmPeak:\t 9000 kB", "VmHWM:\t  524288 kB", "VmRSS:\t  1024 kB");

    assertThat(Proc.parseStatusKb(status, "VmHWM:")).isEqualTo(524_288);
    assertThat(Proc.parseStatusKb(status, "VmRSS:")).isEqualTo(1024);
    assertThat(Proc.parseStatusKb(status, "VmSwap:")).isEqualTo(-1);
  }

  @Test
  void measuresThisProcessCpuTimeAsGrowing() {
    long before = Proc.cpuNanos(ProcessHandle.current().pid());
    long x = 0;
    for (int i = 0; i < 50_000_000; i++) {
      x += Integer.toString(i).length();
    }
    long after = Proc.cpuNanos(ProcessHandle.current().pid());

    assertThat(x).isPositive();
    assertThat(after).isGreaterThan(before);
  }

  @Test
  void sumsEachThreadGroupsCpuBetweenTwoReadingsCountingNewThreadsFromZero() {
    long tick = 1_000_000_000L / Proc.TICKS_PER_SECOND;
    Proc.ThreadCpu c2 = Proc.parseThreadStat("11 (C2 CompilerThre) S 1 1 1 0 -1 0 0 0 0 0 300 20 0 0");
    Map<Long, Proc.ThreadCpu> start = Map.of(
        11L, c2,
        12L, new Proc.ThreadCpu("appender-flush", 100 * tick),
        13L, new Proc.ThreadCpu("ended", 50 * tick));
    Map<Long, Proc.ThreadCpu> end = Map.of(
        11L, new Proc.ThreadCpu("C2 CompilerThre", 400 * tick),
        12L, new Proc.ThreadCpu("appender-flush", 160 * tick),
        14L, new Proc.ThreadCpu("C1 CompilerThre", 5 * tick));

    Map<String, Long> used = Proc.cpuByGroup(start, end, AppendScenario::threadGroup);

    assertThat(c2).isEqualTo(new Proc.ThreadCpu("C2 CompilerThre", 320 * tick));
    assertThat(used).containsExactlyInAnyOrderEntriesOf(Map.of("jit", 85 * tick, "flush_threads", 60 * tick));
  }
}
