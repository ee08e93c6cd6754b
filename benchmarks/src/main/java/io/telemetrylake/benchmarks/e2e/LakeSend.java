package io.telemetrylake.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code lake send} as its own process (the tools module's {@code LakeTool}, with the JVM
 * options of the {@code ./lake} script), so its CPU is not mixed with ours, and reads its
 * {@code --json} summary. Its CPU time is read from our children's accounted time once it is
 * waited for.
 */
final class LakeSend {
  static final String MAIN = "io.telemetrylake.tools.LakeTool";

  /** The summary line and the process's CPU time. */
  record Result(JsonNode summary, long cpuNanos) {
    long accepted() {
      return summary.path("records_accepted").asLong();
    }

    double seconds() {
      return summary.path("seconds").asDouble();
    }
  }

  private LakeSend() {}

  static Result run(List<String> sendArgs, Path logFile) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // as ./lake runs the tools
    cmd.addAll(List.of("-XX:+UseParallelGC", "-Xmx1g", "-cp", System.getProperty("java.class.path"), MAIN, "send", "--json"));
    cmd.addAll(sendArgs);
    Files.createDirectories(logFile.getParent());
    Files.writeString(logFile, String.join(" ", cmd) + "\n");
    long cpu0 = Proc.reapedChildrenCpuNanos();
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    p.getOutputStream().close();
    int exit = p.waitFor();
    long cpu = Proc.reapedChildrenCpuNanos() - cpu0;
    JsonNode summary = null;
    for (String line : Files.readAllLines(logFile)) {
      if (line.startsWith("{")) {
        summary = Report.JSON.readTree(line);
      }
    }
    if (summary == null) {
      throw new IOException("lake send exited " + exit + " without a summary; see " + logFile);
    }
    if (exit != 0) {
      Report.log("lake send exited %d (some records failed): %s", exit, summary.path("statuses"));
    }
    return new Result(summary, cpu);
  }
}
