package io.telemetrylake.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline in one run, as {@code ./lake up} runs it: {@code lake send --count N -c 4}
 * (fresh records, protobuf + gzip) into the ingester, the appender consuming at the same time with
 * its default flush settings, until every accepted record is committed to the table. Prints the
 * CPU time per record of the ingester, the appender and the broker over the same window (from the
 * first request to the last commit), and the appender-to-ingester ratio. {@code --profile async}
 * profiles the appender in that window. {@code --warmup N} sends N records first and reports
 * that window apart ({@code warmup}), so the measured one shows the services after JIT warm-up.
 */
final class PipelineScenario {
  private PipelineScenario() {}

  static Map<String, Object> run(Options o, Context ctx) throws Exception {
    Signal<?> signal = Options.signal(o);
    String topic = signal == Signals.LOGS ? "bench-pipeline" : "bench-pipeline-" + signal.name();
    long count = o.longValue("count", 1_000_000);
    long warmup = o.longValue("warmup", 0);
    int connections = o.integer("connections", 4);
    int timeoutSeconds = o.integer("timeout", 900);
    o.checkAllRead();

    Map<String, Object> results = Report.map();
    results.put("scenario", "pipeline");
    results.put("machine_at_start", Report.machine());
    results.put("options", Map.of("signal", signal.name(), "count", count, "warmup", warmup,
        "connections", connections));
    try (BenchStack stack = BenchStack.start(ctx.repoRoot(), ctx.dataDir(), ctx.outDir(), ctx.profiling())) {
      BenchStack.Service ingester = stack.startIngester(Map.of(Options.topicSetting(signal), topic));
      BenchStack.Service appender = stack.startAppender(Map.of(
          Options.topicSetting(signal), topic, "APPENDER_GROUP_ID", "bench-pipeline"));
      Window window = new Window(stack, ingester, appender, new AppenderAdmin(appender.uri(), signal),
          signal, connections, timeoutSeconds, ctx);
      if (warmup > 0) {
        // the same load first, so the measured window shows the services warm (JIT done):
        // reported apart, the figure is the cold one (no --warmup)
        Report.log("warm-up: %d records", warmup);
        results.put("warmup", window.measure(warmup, "warmup", false));
      }
      results.put("pipeline", window.measure(count, "send", true));
    }
    results.put("machine_at_end", Report.machine());
    return results;
  }

  /** One send of {@code count} records until all are committed, and each service's CPU over it. */
  private record Window(BenchStack stack, BenchStack.Service ingester, BenchStack.Service appender,
      AppenderAdmin admin, Signal<?> signal, int connections, int timeoutSeconds, Context ctx) {

    Map<String, Object> measure(long count, String name, boolean profiled) throws Exception {
      long committedBefore = admin.stats().path("totals").path("rows_committed").asLong();
      List<String> sendArgs = List.of(
          "--signal", signal.name(),
          "--endpoint", ingester.uri() + signal.path(),
          "--count", Long.toString(count),
          "--connections", Integer.toString(connections),
          "--batch", Integer.toString(Payloads.RECORDS_PER_REQUEST),
          "--encoding", "protobuf",
          "--run-id", name + Long.toString(System.currentTimeMillis(), 36));
      if (profiled) {
        // --profile: the appender, over the same window as its CPU figure
        ctx.profiling().start(appender.pid(), "appender");
      }
      long i0 = Proc.cpuNanos(ingester.pid());
      long a0 = Proc.cpuNanos(appender.pid());
      long k0 = Proc.cpuNanos(stack.kafkaPid());
      long t0 = System.nanoTime();
      Report.log("lake send --count %d -c %d", count, connections);
      LakeSend.Result send = LakeSend.run(sendArgs, ctx.outDir().resolve(name + "/send.log"));
      long i1 = Proc.cpuNanos(ingester.pid());
      double sendSeconds = (System.nanoTime() - t0) / 1e9;
      long accepted = send.accepted();
      Report.log("sent: %d records accepted in %.1f s; waiting for the appender", accepted, sendSeconds);
      long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
      long committed = 0;
      while (committed < accepted) {
        JsonNode stats = admin.stats();
        committed = stats.path("totals").path("rows_committed").asLong() - committedBefore;
        long staged = stats.path("buffer_rows").asLong();
        if (committed >= accepted) {
          break;
        }
        if (committed + staged >= accepted) {
          // everything is staged: commit it now rather than wait for the age flush
          admin.flush();
          continue;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the appender did not commit " + accepted + " rows in " + timeoutSeconds + " s: " + stats);
        }
        Thread.sleep(200);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long a1 = Proc.cpuNanos(appender.pid());
      long k1 = Proc.cpuNanos(stack.kafkaPid());
      double ingesterUs = (i1 - i0) / 1e3 / accepted;
      double appenderUs = (a1 - a0) / 1e3 / accepted;
      if (profiled) {
        String profile = ctx.profiling().stop(appender.pid(), "appender", appenderUs);
        if (!profile.isEmpty()) {
          System.out.println(profile);
        }
      }
      Map<String, Object> r = Report.map();
      r.put("records_accepted", accepted);
      r.put("records_failed", send.summary().path("records_failed").asLong());
      r.put("rows_committed", committed);
      r.put("send_seconds", Report.round(sendSeconds, 1));
      r.put("seconds_first_request_to_committed", Report.round(seconds, 1));
      r.put("records_per_s_end_to_end", Report.round(accepted / seconds, 0));
      r.put("ingester_cpu_us_per_record", Report.round(ingesterUs, 3));
      r.put("appender_cpu_us_per_record", Report.round(appenderUs, 3));
      r.put("broker_cpu_us_per_record", Report.round((k1 - k0) / 1e3 / accepted, 3));
      r.put("client_cpu_us_per_record", Report.round(send.cpuNanos() / 1e3 / accepted, 3));
      r.put("ratio_appender_to_ingester", Report.round(appenderUs / ingesterUs, 2));
      r.put("ratio_target", "<= 2");
      r.put("ratio_met", appenderUs <= 2 * ingesterUs);
      Report.log("%s: ingester %.2f us/record, appender %.2f us/record (%.2fx), broker %.2f us/record",
          name, ingesterUs, appenderUs, appenderUs / ingesterUs, (k1 - k0) / 1e3 / accepted);
      return r;
    }
  }
}
