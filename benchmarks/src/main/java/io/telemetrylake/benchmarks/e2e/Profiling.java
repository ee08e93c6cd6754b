package io.telemetrylake.benchmarks.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Profiles a service during the measured window only, by attaching with {@code jcmd}: async-profiler
 * (CPU samples of Java and native code, e.g. DuckDB and zlib, every thread, 10 ms of CPU per
 * sample) or JFR (Java frames only). The output goes next to the results: a collapsed-stack file,
 * an HTML flame graph (async) or a .jfr recording, and a text summary ({@link ProfileSummary}).
 */
final class Profiling {
  enum Mode {
    NONE,
    ASYNC,
    JFR;

    static Mode parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  private final Mode mode;
  private final Path outDir;
  private Path asyncLibrary;

  Profiling(Mode mode, Path outDir) {
    this.mode = mode;
    this.outDir = outDir;
  }

  Mode mode() {
    return mode;
  }

  /** JVM options for services that may be profiled: exact line info away from safepoints. */
  List<String> jvmOptions() {
    return mode == Mode.NONE
        ? List.of()
        : List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints");
  }

  void start(long pid, String name) throws IOException, InterruptedException {
    switch (mode) {
      case NONE -> {}
      case ASYNC -> jcmd(pid, "JVMTI.agent_load", asyncLibrary().toString(), quoted("start," + asyncEvent()));
      case JFR -> jcmd(pid, "JFR.start", "name=bench-" + name, "settings=profile");
    }
  }

  /** Stops profiling {@code pid}; returns the summary text (empty when not profiling). */
  String stop(long pid, String name, double cpuMicrosPerRecord) throws IOException, InterruptedException {
    Files.createDirectories(outDir);
    switch (mode) {
      case NONE -> {
        return "";
      }
      case ASYNC -> {
        Path collapsed = outDir.resolve(name + ".collapsed");
        String lib = asyncLibrary().toString();
        jcmd(pid, "JVMTI.agent_load", lib, quoted("stop,file=" + collapsed + ",collapsed"));
        jcmd(pid, "JVMTI.agent_load", lib, quoted("flamegraph,file=" + outDir.resolve(name + "-flamegraph.html")));
        String summary = ProfileSummary.of(ProfileSummary.readCollapsed(collapsed)).render(name, cpuMicrosPerRecord);
        Files.writeString(outDir.resolve(name + "-profile.txt"), summary);
        return summary;
      }
      case JFR -> {
        Path jfr = outDir.resolve(name + ".jfr");
        jcmd(pid, "JFR.stop", "name=bench-" + name, "filename=" + jfr);
        String summary = ProfileSummary.of(ProfileSummary.readJfr(jfr)).render(name, cpuMicrosPerRecord);
        Files.writeString(outDir.resolve(name + "-profile.txt"), summary);
        return summary;
      }
      default -> throw new IllegalStateException();
    }
  }

  /**
   * async-profiler's event options: every thread, 10 ms of CPU per sample, or {@code
   * BENCH_ASYNC_OPTIONS} (e.g. {@code event=cpu,interval=5ms,threads,cstack=dwarf} for native
   * stacks through DuckDB, whose frames have no frame pointers).
   */
  private static String asyncEvent() {
    String custom = System.getenv("BENCH_ASYNC_OPTIONS");
    return custom == null || custom.isBlank() ? "event=cpu,interval=10ms,threads" : custom;
  }

  /** jcmd parses name=value pairs separated by blanks: a value with '=' and ',' must be quoted. */
  private static String quoted(String s) {
    return "\"" + s + "\"";
  }

  private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0 || out.contains("[ERROR]") || out.contains("return code: 1")) {
      throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out.trim());
    }
  }

  /** libasyncProfiler.so from the async-profiler jar on the classpath, extracted once. */
  private synchronized Path asyncLibrary() throws IOException {
    if (asyncLibrary != null) {
      return asyncLibrary;
    }
    Path jar;
    try {
      jar = Path.of(Class.forName("one.profiler.AsyncProfiler").getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (ClassNotFoundException | URISyntaxException e) {
      throw new IOException("async-profiler is not on the classpath", e);
    }
    String arch = System.getProperty("os.arch").equals("aarch64") ? "linux-arm64" : "linux-x64";
    Path target = outDir.resolve("libasyncProfiler.so");
    Files.createDirectories(outDir);
    try (JarFile jarFile = new JarFile(jar.toFile())) {
      ZipEntry entry = jarFile.getEntry(arch + "/libasyncProfiler.so");
      if (entry == null) {
        throw new IOException(jar + " has no " + arch + "/libasyncProfiler.so");
      }
      try (InputStream in = jarFile.getInputStream(entry)) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    asyncLibrary = target;
    return target;
  }
}
