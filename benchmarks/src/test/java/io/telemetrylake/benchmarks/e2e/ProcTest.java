package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
