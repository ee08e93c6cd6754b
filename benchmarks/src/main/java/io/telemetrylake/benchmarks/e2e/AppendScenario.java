package io.telemetrylake.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;

/**
 * Append: a topic pre-filled with N log records or spans ({@code --signal}; fresh, unique, as the
 * ingester writes them), then one appender running only that signal drains it into the table. Flushes are size-driven ({@code BUFFER_SIZE_MB}); the
 * remainder is committed with POST /flush once everything is consumed, inside the measured time.
 * With {@code --warmup N}, N more records go first and a "steady" block also reports what the
 * appender spends after the first commit that covers them (seen within 50 ms): the cost without
 * its start-up (class loading, JIT).
 */
final class AppendScenario {
  private AppendScenario() {}

  static Map<String, Object> run(Options o, Context ctx) throws Exception {
    Signal<?> signal = Options.signal(o);
    String topic = signal == Signals.LOGS ? "bench-append" : "bench-append-" + signal.name();
    long records = o.longValue("records", 3_000_000);
    // --warmup N: N more records first; "steady" then covers what is committed after them
    long warmup = o.longValue("warmup", 0);
    int bufferMb = o.integer("buffer-mb", 100);
    int bufferSeconds = o.integer("buffer-seconds", 600);
    // the appender's default APPENDER_DUCKDB_MEMORY_MB
    int duckdbMemoryMb = o.integer("duckdb-memory-mb", 1024);
    int timeoutSeconds = o.integer("timeout", 1200);
    int fillThreads = o.integer("fill-threads", 2);
    o.checkAllRead();

    Map<String, Object> results = Report.map();
    results.put("scenario", "append");
    results.put("machine_at_start", Report.machine());
    results.put("options", Map.of("signal", signal.name(), "records", records, "warmup", warmup, "BUFFER_SIZE_MB", bufferMb, "BUFFER_TIME_SECONDS", bufferSeconds,
        "APPENDER_DUCKDB_MEMORY_MB", duckdbMemoryMb, "profile", ctx.profiling().mode().name().toLowerCase()));

    try (BenchStack stack = BenchStack.start(ctx.repoRoot(), ctx.dataDir(), ctx.outDir(), ctx.profiling())) {
      String bootstrap = stack.devStack().kafkaBootstrap();
      BareProducer.Fill fill;
      try (BareProducer producer = new BareProducer(bootstrap, topic)) {
        producer.ensureTopic(bootstrap);
        Report.log("pre-filling %s with %d %s", topic, records + warmup, signal.items());
        fill = producer.fill(signal, "append", records + warmup, fillThreads);
      }
      Map<String, Object> filled = Report.map();
      filled.put("log_records", fill.logRecords());
      filled.put("kafka_records", fill.kafkaRecords());
      filled.put("kafka_value_mib", Report.mib(fill.valueBytes()));
      filled.put("value_bytes_per_log_record", Report.round((double) fill.valueBytes() / fill.logRecords(), 1));
      filled.put("fill_seconds", Report.round(fill.seconds(), 1));
      results.put("topic", filled);
      Report.log("pre-filled: %d Kafka records, %.0f MiB of values in %.1f s",
          fill.kafkaRecords(), fill.valueBytes() / 1048576.0, fill.seconds());

      Map<String, String> settings = Map.of(
          Options.topicSetting(signal), topic,
          "APPENDER_GROUP_ID", "bench-append",
          "BUFFER_SIZE_MB", Integer.toString(bufferMb),
          "BUFFER_TIME_SECONDS", Integer.toString(bufferSeconds),
          "APPENDER_DUCKDB_MEMORY_MB", Integer.toString(duckdbMemoryMb));
      long tLaunch = System.nanoTime();
      BenchStack.Service appender = stack.startAppender(settings);
      long pid = appender.pid();
      long tReady = System.nanoTime();
      long cpuReady = Proc.cpuNanos(pid);
      Proc.Kernel kernelReady = Proc.kernel(pid);
      Map<Long, Proc.ThreadCpu> threadsReady = Proc.threadCpu(pid);
      ctx.profiling().start(pid, "appender");
      AppenderAdmin admin = new AppenderAdmin(appender.uri(), signal);
      Path staging = stack.devStack().dataDir().resolve("appender");

      Map<Long, JsonNode> flushes = new LinkedHashMap<>();
      long tFirst = -1;
      long maxBufferBytes = 0;
      long maxBufferRows = 0;
      long maxStagingBytes = 0;
      long maxRss = 0;
      CompletableFuture<JsonNode> finalFlush = null;
      long deadline = tReady + timeoutSeconds * 1_000_000_000L;
      long tEnd;
      long cpuEnd;
      Proc.Kernel kernelEnd;
      Map<Long, Proc.ThreadCpu> threadsEnd;
      Mark warm = null;
      long lastLog = 0;
      while (true) {
        JsonNode stats = admin.stats();
        long now = System.nanoTime();
        long consumed = stats.path("totals").path("records_consumed").asLong();
        long committed = stats.path("totals").path("rows_committed").asLong();
        if (tFirst < 0 && consumed > 0) {
          tFirst = now;
        }
        maxBufferBytes = Math.max(maxBufferBytes, stats.path("buffer_size_bytes").asLong());
        maxBufferRows = Math.max(maxBufferRows, stats.path("buffer_rows").asLong());
        maxStagingBytes = Math.max(maxStagingBytes, directoryBytes(staging));
        maxRss = Math.max(maxRss, Proc.rssBytes(pid));
        JsonNode last = stats.path("last_flush");
        if (last.hasNonNull("snapshot_id")) {
          flushes.putIfAbsent(last.path("snapshot_id").asLong(), last);
        }
        if (warmup > 0 && warm == null && committed >= warmup) {
          warm = new Mark(now, committed, Proc.cpuNanos(pid), Proc.threadCpu(pid));
        }
        if (finalFlush == null && consumed >= fill.kafkaRecords()) {
          finalFlush = CompletableFuture.supplyAsync(() -> {
            try {
              return admin.flush();
            } catch (IOException | InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });
        }
        if (finalFlush != null && finalFlush.isDone() && committed >= fill.logRecords()) {
          tEnd = System.nanoTime();
          cpuEnd = Proc.cpuNanos(pid);
          kernelEnd = Proc.kernel(pid);
          threadsEnd = Proc.threadCpu(pid);
          JsonNode report = finalFlush.join();
          if (report.hasNonNull("snapshot_id")) {
            flushes.putIfAbsent(report.path("snapshot_id").asLong(), report);
          }
          break;
        }
        if (now > deadline) {
          throw new IllegalStateException("the appender did not drain the topic within " + timeoutSeconds + " s: " + stats);
        }
        if (now - lastLog > 10_000_000_000L) {
          lastLog = now;
          Report.log("appender: %d/%d Kafka records consumed, %d rows committed, %d flushes, RSS %.0f MiB",
              consumed, fill.kafkaRecords(), committed, flushes.size(), Proc.rssBytes(pid) / 1048576.0);
        }
        // until the warm-up's commit is seen, look often: the steady window starts at that look
        Thread.sleep(warmup > 0 && warm == null ? 50 : 200);
      }
      double drainSeconds = (tEnd - tFirst) / 1e9;
      double cpuPerRecord = (cpuEnd - cpuReady) / 1e3 / fill.logRecords();
      String profile = ctx.profiling().stop(pid, "appender", cpuPerRecord);
      if (!profile.isEmpty()) {
        System.out.println(profile);
      }
      long peakRss = Math.max(maxRss, Proc.peakRssBytes(pid));
      long rssFileAtEnd = Proc.rssFileBytes(pid);

      Map<String, Object> drain = Report.map();
      drain.put("rows", fill.logRecords());
      drain.put("seconds_first_consume_to_committed", Report.round(drainSeconds, 1));
      drain.put("seconds_ready_to_committed", Report.round((tEnd - tReady) / 1e9, 1));
      drain.put("seconds_launch_to_ready", Report.round((tReady - tLaunch) / 1e9, 1));
      drain.put("rows_per_s", Report.round(fill.logRecords() / drainSeconds, 0));
      drain.put("appender_cpu_us_per_record", Report.round(cpuPerRecord, 3));
      drain.put("appender_cpu_cores", Report.round((cpuEnd - cpuReady) / 1e9 / ((tEnd - tReady) / 1e9), 2));
      drain.put("appender_startup_cpu_s", Report.round(cpuReady / 1e9, 1));
      Proc.Kernel kernel = kernelEnd.since(kernelReady);
      drain.put("appender_system_cpu_us_per_record", Report.round(kernel.systemNanos() / 1e3 / fill.logRecords(), 3));
      drain.put("appender_minor_faults_per_record", Report.round((double) kernel.minorFaults() / fill.logRecords(), 3));
      drain.put("appender_cpu_us_per_record_by_thread",
          cpuByThread(Proc.cpuByGroup(threadsReady, threadsEnd, AppendScenario::threadGroup), cpuEnd - cpuReady,
              fill.logRecords()));
      results.put("drain", drain);
      if (warm != null) {
        long rows = fill.logRecords() - warm.committed();
        Map<String, Object> steady = Report.map();
        steady.put("rows", rows);
        steady.put("after_rows_committed", warm.committed());
        steady.put("seconds", Report.round((tEnd - warm.nanos()) / 1e9, 1));
        steady.put("rows_per_s", Report.round(rows / ((tEnd - warm.nanos()) / 1e9), 0));
        steady.put("appender_cpu_us_per_record", Report.round((cpuEnd - warm.cpuNanos()) / 1e3 / rows, 3));
        steady.put("appender_cpu_us_per_record_by_thread",
            cpuByThread(Proc.cpuByGroup(warm.threads(), threadsEnd, AppendScenario::threadGroup),
                cpuEnd - warm.cpuNanos(), rows));
        results.put("steady", steady);
      }

      Map<String, Object> memory = Report.map();
      memory.put("peak_rss_mib", Report.mib(peakRss));
      memory.put("rss_file_mib_at_end", Report.mib(rssFileAtEnd));
      memory.put("peak_staging_dir_mib", Report.mib(maxStagingBytes));
      memory.put("peak_buffer_kafka_value_mib", Report.mib(maxBufferBytes));
      memory.put("peak_buffer_rows", maxBufferRows);
      GcLog gc = GcLog.read(appender.gcLog());
      memory.put("peak_heap_used_mib", Report.mib(gc.peakUsedBytes()));
      memory.put("peak_live_heap_after_gc_mib", Report.mib(gc.peakLiveBytes()));
      memory.put("gc_pause_ms_total", Report.round(gc.pauseMillis(), 1));
      results.put("memory", memory);

      results.put("flushes", flushSummary(new ArrayList<>(flushes.values())));
      results.put("flush_phase_seconds_from_metrics", AppenderAdmin.phaseSeconds(admin.metrics()));

      try (Lake lake = new Lake(stack.devStack(), "otel", signal.defaultTable())) {
        Table table = lake.load();
        List<DataFile> files = Lake.currentFiles(table);
        results.put("files", fileSummary(files, fill, bufferMb));
        if (signal == Signals.TRACES) {
          results.put("trace_lookup", lake.traceLookups(table, 50, ctx.outDir().resolve("lookup")));
        }
      }
      results.put("targets", targets(fill.logRecords() / drainSeconds, cpuPerRecord, peakRss));
    }
    results.put("machine_at_end", Report.machine());
    return results;
  }

  private static Map<String, Object> flushSummary(List<JsonNode> flushes) {
    Map<String, Object> out = Report.map();
    out.put("count", flushes.size());
    Map<String, Long> phaseTotals = new LinkedHashMap<>();
    List<Map<String, Object>> each = new ArrayList<>();
    for (JsonNode f : flushes) {
      Map<String, Object> one = Report.map();
      one.put("trigger", f.path("trigger").asText());
      one.put("rows", f.path("rows").asLong());
      one.put("records", f.path("records").asLong());
      one.put("files", f.path("files").asInt());
      one.put("bytes", f.path("bytes").asLong());
      one.put("duration_ms", f.path("duration_ms").asLong());
      Map<String, Long> phases = new LinkedHashMap<>();
      f.path("phases_ms").properties().forEach(e -> {
        phases.put(e.getKey(), e.getValue().asLong());
        phaseTotals.merge(e.getKey(), e.getValue().asLong(), Long::sum);
      });
      one.put("phases_ms", phases);
      each.add(one);
    }
    out.put("phase_ms_totals", phaseTotals);
    out.put("each", each);
    return out;
  }

  private static Map<String, Object> fileSummary(List<DataFile> files, BareProducer.Fill fill, int bufferMb) {
    Map<String, Object> out = Report.map();
    long rows = files.stream().mapToLong(DataFile::recordCount).sum();
    double[] sizes = files.stream().mapToDouble(f -> f.fileSizeInBytes() / 1048576.0).toArray();
    long bytes = files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    out.put("count", files.size());
    out.put("rows_in_table", rows);
    out.put("rows_expected", fill.logRecords());
    out.put("total_mib", Report.mib(bytes));
    out.put("size_mib_min", Report.round(Report.percentile(sizes, 0), 2));
    out.put("size_mib_median", Report.round(Report.median(sizes), 2));
    out.put("size_mib_max", Report.round(Report.percentile(sizes, 100), 2));
    out.put("parquet_bytes_per_row", Report.round((double) bytes / Math.max(1, rows), 1));
    // What the settings imply: a size flush every BUFFER_SIZE_MB of Kafka value bytes.
    double rowsPerFlush = bufferMb * 1048576.0 / ((double) fill.valueBytes() / fill.logRecords());
    out.put("implied_rows_per_size_flush", Report.round(rowsPerFlush, 0));
    out.put("implied_file_mib_per_size_flush", Report.round(rowsPerFlush * bytes / Math.max(1, rows) / 1048576.0, 1));
    out.put("implied_files", (long) Math.ceil(fill.logRecords() / rowsPerFlush));
    return out;
  }

  /** The moment the warm-up records were committed. */
  private record Mark(long nanos, long committed, long cpuNanos, Map<Long, Proc.ThreadCpu> threads) {}

  /**
   * The appender's threads by job (names as the kernel keeps them, 15 characters): the JIT's
   * share is what a short run pays for warming up, the rest is the work.
   */
  static String threadGroup(String name) {
    if (name.startsWith("C2 Compiler") || name.startsWith("C1 Compiler")) {
      return "jit";
    }
    if (name.startsWith("GC Thread") || name.equals("VM Thread")) {
      return "gc_and_vm";
    }
    if (name.startsWith("appender-poll")) {
      return "poll_threads";
    }
    if (name.startsWith("appender-flush")) {
      return "flush_threads";
    }
    return "other";
  }

  /** µs per record by thread group; threads that ended within the window count as "ended". */
  static Map<String, Object> cpuByThread(Map<String, Long> byGroup, long processNanos, long records) {
    Map<String, Object> out = Report.map();
    long attributed = 0;
    for (Map.Entry<String, Long> e : byGroup.entrySet()) {
      out.put(e.getKey(), Report.round(e.getValue() / 1e3 / records, 3));
      attributed += e.getValue();
    }
    out.put("ended_threads", Report.round(Math.max(0, processNanos - attributed) / 1e3 / records, 3));
    return out;
  }

  /** Issue 14's targets for this run. */
  private static Map<String, Object> targets(double rowsPerSecond, double cpuPerRecord, long peakRss) {
    Map<String, Object> t = Report.map();
    t.put("rows_per_s", Report.round(rowsPerSecond, 0));
    t.put("rows_target", ">= 150000 records/s");
    t.put("rows_met", rowsPerSecond >= 150_000);
    t.put("cpu_us_per_record", Report.round(cpuPerRecord, 3));
    t.put("cpu_target", "<= 8 us/record");
    t.put("cpu_met", cpuPerRecord <= 8);
    t.put("peak_rss_mib", Report.mib(peakRss));
    t.put("rss_target", "<= 1024 MiB with BUFFER_SIZE_MB=100");
    t.put("rss_met", peakRss <= 1024L * 1024 * 1024);
    return t;
  }

  static long directoryBytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted meanwhile
        }
      }).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }
}
