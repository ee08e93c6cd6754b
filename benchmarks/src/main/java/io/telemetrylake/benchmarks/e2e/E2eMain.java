package io.telemetrylake.benchmarks.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * End-to-end benchmarks on the real local servers: {@code ingest}, {@code append},
 * {@code freshness}, {@code pipeline} or {@code spread} (see docs/BENCHMARKS.md; {@code benchmarks/run.sh} builds and runs them).
 *
 * <p>Common options: {@code --profile none|async|jfr} (profile the measured service during the
 * measured window), {@code --out DIR} (results; default benchmarks/target/results/<scenario>-<time>),
 * {@code --data-dir DIR} (the servers' data, wiped first; default benchmarks/target/e2e-data),
 * {@code --services-repo DIR} (run the ingester and appender from another checkout's build output,
 * e.g. the previous commit's, for a before/after comparison).
 */
public final class E2eMain {
  private E2eMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].startsWith("-")) {
      System.err.println("usage: E2eMain ingest|append|freshness|pipeline|spread [--option value ...]");
      System.exit(2);
    }
    String scenario = args[0];
    Options o = Options.parse(args, 1);
    Path repo = repoRoot();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = Path.of(o.string("out", repo.resolve("benchmarks/target/results/" + scenario + "-" + stamp).toString()))
        .toAbsolutePath();
    Path data = Path.of(o.string("data-dir", repo.resolve("benchmarks/target/e2e-data").toString())).toAbsolutePath();
    Profiling profiling = new Profiling(Profiling.Mode.parse(o.string("profile", "none")), out);
    Files.createDirectories(out);
    // --services-repo: run the ingester and the appender from another checkout's build output
    Path services = Path.of(o.string("services-repo", repo.toString())).toAbsolutePath();
    Context ctx = new Context(services, data, out, profiling);
    Report.log("%s benchmark, services from %s, results in %s", scenario, services, out);
    Map<String, Object> results = switch (scenario) {
      case "ingest" -> IngestScenario.run(o, ctx);
      case "append" -> AppendScenario.run(o, ctx);
      case "freshness" -> FreshnessScenario.run(o, ctx);
      case "pipeline" -> PipelineScenario.run(o, ctx);
      case "spread" -> SpreadScenario.run(o, ctx);
      default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (ingest, append, freshness, pipeline, spread)");
    };
    Path file = Report.write(out, "results", results);
    System.out.println(Report.JSON.writeValueAsString(results));
    Report.log("results written to %s", file);
    // devstack's and the Kafka clients' non-daemon threads must not keep us alive
    System.exit(0);
  }

  /** The repository root: -Dlake.repo, else the first directory up from here with the ./lake script. */
  static Path repoRoot() {
    String property = System.getProperty("lake.repo");
    Path dir = Path.of(property != null ? property : "").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("lake")) && Files.isDirectory(d.resolve("ingester"))) {
        return d;
      }
    }
    throw new IllegalStateException("cannot find the repository root from " + dir + " (set -Dlake.repo)");
  }
}
