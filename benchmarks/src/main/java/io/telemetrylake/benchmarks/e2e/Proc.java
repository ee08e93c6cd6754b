package io.telemetrylake.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What Linux's /proc says about a process: CPU time (user + system, all threads) and resident
 * memory. Reading /proc costs the measured process nothing, unlike attaching to it.
 */
public final class Proc {
  /** USER_HZ: the unit of the times in /proc/PID/stat; 100 on every Linux this runs on. */
  static final long TICKS_PER_SECOND = ticksPerSecond();

  private Proc() {}

  /** CPU time of {@code pid} so far, in nanoseconds; -1 when the process is gone. */
  public static long cpuNanos(long pid) {
    String[] f = statFields(pid);
    if (f == null) {
      return -1;
    }
    return ticksToNanos(Long.parseLong(f[11]) + Long.parseLong(f[12]));
  }

  /**
   * Kernel-side usage of {@code pid} so far: minor page faults and system CPU time (nanoseconds);
   * null when the process is gone. Page faults are dear on this VM, so a change to how memory is
   * reused shows here first.
   */
  static Kernel kernel(long pid) {
    String[] f = statFields(pid);
    return f == null ? null : kernel(f);
  }

  static Kernel kernel(String[] statFields) {
    return new Kernel(Long.parseLong(statFields[7]), ticksToNanos(Long.parseLong(statFields[12])));
  }

  /** What {@link #kernel(long)} reads. */
  record Kernel(long minorFaults, long systemNanos) {
    Kernel since(Kernel start) {
      return new Kernel(minorFaults - start.minorFaults, systemNanos - start.systemNanos);
    }
  }

  /**
   * CPU time (user + system) of each live thread of {@code pid}, by thread id, with its name
   * (at most 15 characters, as the kernel keeps it); empty when the process is gone.
   */
  static Map<Long, ThreadCpu> threadCpu(long pid) {
    Map<Long, ThreadCpu> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          ThreadCpu t = parseThreadStat(Files.readString(task.resolve("stat")));
          out.put(Long.parseLong(task.getFileName().toString()), t);
        } catch (IOException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return out;
  }

  /** One thread's name and CPU time so far (nanoseconds). */
  record ThreadCpu(String name, long cpuNanos) {}

  static ThreadCpu parseThreadStat(String stat) {
    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    String[] f = parseStat(stat);
    return new ThreadCpu(name, ticksToNanos(Long.parseLong(f[11]) + Long.parseLong(f[12])));
  }

  /**
   * CPU used between two {@link #threadCpu} readings, summed by {@code group} of the thread's
   * name; threads that ended in between are not in {@code end}, so their share is left out.
   */
  static Map<String, Long> cpuByGroup(
      Map<Long, ThreadCpu> start, Map<Long, ThreadCpu> end, Function<String, String> group) {
    Map<String, Long> out = new TreeMap<>();
    end.forEach((tid, t) -> {
      ThreadCpu before = start.get(tid);
      long used = t.cpuNanos() - (before == null ? 0 : before.cpuNanos());
      out.merge(group.apply(t.name()), used, Long::sum);
    });
    return out;
  }

  /** CPU time of this process's children that have ended and been waited for, in nanoseconds. */
  static long reapedChildrenCpuNanos() {
    String[] f = statFields(ProcessHandle.current().pid());
    return f == null ? 0 : ticksToNanos(Long.parseLong(f[13]) + Long.parseLong(f[14]));
  }

  /** VmHWM: the peak resident set size, in bytes; -1 when the process is gone. */
  static long peakRssBytes(long pid) {
    return statusKb(pid, "VmHWM:") * 1024;
  }

  /**
   * RssFile: the resident pages mapped from files (jars, native libraries, a class data sharing
   * archive), in bytes; -1 when the process is gone. Part of the RSS, but clean pages the kernel
   * can drop under pressure.
   */
  static long rssFileBytes(long pid) {
    return statusKb(pid, "RssFile:") * 1024;
  }

  /** VmRSS: the resident set size now, in bytes; -1 when the process is gone. */
  static long rssBytes(long pid) {
    return statusKb(pid, "VmRSS:") * 1024;
  }

  /**
   * The fields of /proc/PID/stat after the command name, so index 0 is field 3 (state): minflt is
   * [7], utime [11], stime [12], cutime [13], cstime [14]. The name is in parentheses and may hold spaces.
   */
  static String[] statFields(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException e) {
      return null;
    }
    return parseStat(stat);
  }

  static String[] parseStat(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
  }

  private static long statusKb(long pid, String key) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
    } catch (IOException e) {
      return -1;
    }
    return parseStatusKb(lines, key);
  }

  static long parseStatusKb(List<String> lines, String key) {
    for (String line : lines) {
      if (line.startsWith(key)) {
        String[] parts = line.substring(key.length()).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return -1;
  }

  private static long ticksToNanos(long ticks) {
    return ticks * 1_000_000_000L / TICKS_PER_SECOND;
  }

  private static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
