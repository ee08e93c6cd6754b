package io.telemetrylake.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Caps one process's CPU the way a container's CPU limit does: its own cgroup with a CFS quota
 * (cgroup v1's cpu controller, or v2's {@code cpu.max}), so several services on one box each get
 * cores of their own as pods would. Needs root. {@link #close} moves the process back to the root
 * group and removes the cgroup.
 */
final class CpuLimit implements AutoCloseable {
  static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
  static final Path V2 = Path.of("/sys/fs/cgroup");
  private static final long PERIOD_US = 100_000;

  private final Path root;
  private final Path group;
  private final long pid;

  private CpuLimit(Path root, Path group, long pid) {
    this.root = root;
    this.group = group;
    this.pid = pid;
  }

  /** Puts {@code pid} (all its threads) into a new cgroup {@code telemetry-lake-bench-<name>} limited to {@code cores}. */
  static CpuLimit apply(String name, long pid, double cores) throws IOException {
    if (!(cores > 0)) {
      throw new IllegalArgumentException("cores must be positive, got " + cores);
    }
    long quota = Math.round(cores * PERIOD_US);
    String dir = "telemetry-lake-bench-" + name;
    if (Files.isWritable(V1.resolve("cpu.cfs_quota_us"))) {
      Path group = V1.resolve(dir);
      Files.createDirectories(group);
      Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
      Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
      Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
      return new CpuLimit(V1, group, pid);
    }
    if (Files.isReadable(V2.resolve("cgroup.controllers"))
        && Files.readString(V2.resolve("cgroup.subtree_control")).contains("cpu")) {
      Path group = V2.resolve(dir);
      Files.createDirectories(group);
      Files.writeString(group.resolve("cpu.max"), String.format(Locale.ROOT, "%d %d", quota, PERIOD_US));
      Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
      return new CpuLimit(V2, group, pid);
    }
    throw new IllegalStateException("cannot limit CPU: neither " + V1 + " (cgroup v1) nor " + V2
        + " (cgroup v2 with the cpu controller) is writable; run as root or leave out --appender-cpus");
  }

  @Override
  public void close() throws IOException {
    try {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        Files.writeString(root.resolve("cgroup.procs"), Long.toString(pid));
      }
    } catch (IOException e) {
      // the process ended meanwhile: the group is empty anyway
    }
    Files.deleteIfExists(group);
  }
}
