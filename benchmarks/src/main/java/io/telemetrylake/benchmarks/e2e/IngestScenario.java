package io.telemetrylake.benchmarks.e2e;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.record.KafkaRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ingest: {@code lake send} at full speed (protobuf + gzip, 500 records per request, several
 * connections, a pool of pre-encoded requests) against the ingester and a real broker, and in the
 * same run the same records, already split into Kafka records, from a bare producer with the
 * ingester's producer settings. Rounds alternate which goes first.
 */
final class IngestScenario {
  private static final String RUN_ID = "ingest";

  private IngestScenario() {}

  static Map<String, Object> run(Options o, Context ctx) throws Exception {
    int connections = o.integer("connections", 8);
    int pool = o.integer("pool", 64);
    int duration = o.integer("duration", 30);
    int warmup = o.integer("warmup", 15);
    int rounds = o.integer("rounds", 2);
    o.checkAllRead();

    Map<String, Object> results = Report.map();
    results.put("scenario", "ingest");
    results.put("machine_at_start", Report.machine());
    results.put("services_repo", ctx.repoRoot().toString());
    results.put("options", Map.of("connections", connections, "pool", pool, "duration_s", duration,
        "warmup_s", warmup, "rounds", rounds, "records_per_request", Payloads.RECORDS_PER_REQUEST,
        "resources_per_request", Payloads.RESOURCES_PER_REQUEST, "profile", ctx.profiling().mode().name().toLowerCase()));

    // The very requests lake send will pool, and what the ingester makes of them.
    List<ExportLogsServiceRequest> requests = Payloads.requests(RUN_ID, pool);
    List<KafkaRecord> kafkaRecords = new ArrayList<>();
    long rawBytes = 0;
    long gzipBytes = 0;
    long valueBytes = 0;
    for (ExportLogsServiceRequest r : requests) {
      byte[] raw = r.toByteArray();
      rawBytes += raw.length;
      gzipBytes += Payloads.gzip(raw).length;
      for (KafkaRecord k : Payloads.kafkaRecords(raw)) {
        kafkaRecords.add(k);
        valueBytes += k.value().length;
      }
    }
    long records = (long) pool * Payloads.RECORDS_PER_REQUEST;
    double rawPerRecord = (double) rawBytes / records;
    Map<String, Object> payload = Report.map();
    payload.put("protobuf_bytes_per_record", Report.round(rawPerRecord, 1));
    payload.put("gzip_bytes_per_record", Report.round((double) gzipBytes / records, 1));
    payload.put("kafka_value_bytes_per_record", Report.round((double) valueBytes / records, 1));
    payload.put("kafka_records_per_request", kafkaRecords.size() / pool);
    results.put("payload", payload);

    try (BenchStack stack = BenchStack.start(ctx.repoRoot(), ctx.dataDir(), ctx.outDir(), ctx.profiling())) {
      String bootstrap = stack.devStack().kafkaBootstrap();
      results.put("producer_settings", BareProducer.settings(bootstrap));
      BenchStack.Service ingester = stack.startIngester(Map.of("KAFKA_TOPIC", "bench-ingest"));
      List<String> sendArgs = List.of(
          "--endpoint", ingester.uri() + "/v1/logs",
          "--connections", Integer.toString(connections),
          "--pool", Integer.toString(pool),
          "--batch", Integer.toString(Payloads.RECORDS_PER_REQUEST),
          "--resources", Integer.toString(Payloads.RESOURCES_PER_REQUEST),
          "--services", Integer.toString(Payloads.SERVICES),
          // gzip is lake send's default; its `--gzip` flag turns gzip OFF (picocli negatable
          // option whose default is true), so it is deliberately not passed
          "--encoding", "protobuf",
          "--run-id", RUN_ID);
      List<Map<String, Object>> roundResults = new ArrayList<>();
      try (BareProducer bare = new BareProducer(bootstrap, "bench-bare")) {
        bare.ensureTopic(bootstrap);
        for (int round = 1; round <= rounds; round++) {
          boolean profile = round == rounds;
          Map<String, Object> rr = Report.map();
          rr.put("round", round);
          Map<String, Object> bareResult = null;
          Map<String, Object> ingestResult = null;
          for (int step = 0; step < 2; step++) {
            boolean bareNow = (step == 0) == (round % 2 == 1);
            if (bareNow) {
              bareResult = runBare(bare, kafkaRecords, connections, warmup, duration, stack.kafkaPid());
            } else {
              ingestResult = runIngest(ctx, stack, ingester, sendArgs, warmup, duration, rawPerRecord, round, profile);
            }
          }
          rr.put("order", round % 2 == 1 ? "bare first" : "ingester first");
          rr.put("bare_producer", bareResult);
          rr.put("ingester", ingestResult);
          double ratio = (double) ingestResult.get("log_records_per_s") / (double) bareResult.get("log_records_per_s");
          rr.put("ratio_ingester_to_bare", Report.round(ratio, 3));
          // The same comparison by CPU cost, load generator left out: what the ratio would be if
          // both paths were bound by CPU alone and lake send ran on another machine.
          double bareCost = (double) bareResult.get("producer_cpu_us_per_record") + (double) bareResult.get("broker_cpu_us_per_record");
          double ingestCost = (double) ingestResult.get("ingester_cpu_us_per_record") + (double) ingestResult.get("broker_cpu_us_per_record");
          rr.put("cpu_cost_ratio_bare_to_ingester", Report.round(bareCost / ingestCost, 3));
          Report.log("round %d: ingester %.0f logs/s, bare %.0f logs/s, ratio %.2f, ingester CPU %.2f us/record",
              round, ingestResult.get("log_records_per_s"), bareResult.get("log_records_per_s"), ratio,
              ingestResult.get("ingester_cpu_us_per_record"));
          roundResults.add(rr);
        }
      }
      results.put("rounds", roundResults);
      GcLog gc = GcLog.read(ingester.gcLog());
      Map<String, Object> heap = Report.map();
      heap.put("max_heap", "-Xmx512m (as ./lake up)");
      heap.put("gc_pauses", gc.pauses());
      heap.put("gc_pause_ms_total", Report.round(gc.pauseMillis(), 1));
      heap.put("peak_heap_used_mib", Report.mib(gc.peakUsedBytes()));
      heap.put("peak_live_after_gc_mib", Report.mib(gc.peakLiveBytes()));
      heap.put("peak_heap_committed_mib", Report.mib(gc.peakCommittedBytes()));
      heap.put("peak_rss_mib", Report.mib(Proc.peakRssBytes(ingester.pid())));
      heap.put("gc_log", ingester.gcLog().toString());
      results.put("ingester_memory", heap);
      results.put("targets", targets(roundResults, gc));
    }
    results.put("machine_at_end", Report.machine());
    return results;
  }

  private static Map<String, Object> runBare(
      BareProducer bare, List<KafkaRecord> records, int threads, int warmup, int duration, long kafkaPid)
      throws InterruptedException {
    Report.log("bare producer: %d threads, %d s warm-up + %d s measured", threads, warmup, duration);
    long k0 = Proc.cpuNanos(kafkaPid);
    BareProducer.Run run = bare.run(records, threads, Duration.ofSeconds(warmup), Duration.ofSeconds(duration));
    long k1 = Proc.cpuNanos(kafkaPid);
    Map<String, Object> r = Report.map();
    r.put("log_records_per_s", Report.round(run.logRecordsPerSecond(), 0));
    r.put("kafka_records_per_s", Report.round(run.kafkaRecords() / run.seconds(), 0));
    r.put("kafka_value_mb_per_s", Report.round(run.valueBytes() / 1e6 / run.seconds(), 2));
    r.put("producer_cpu_us_per_record", Report.round(run.cpuNanos() / 1e3 / run.logRecords(), 3));
    // warm-up included: the broker's CPU over the whole run per record acknowledged in it
    double brokerCores = (k1 - k0) / 1e9 / (run.seconds() + warmup);
    r.put("broker_cpu_cores", Report.round(brokerCores, 2));
    r.put("broker_cpu_us_per_record", Report.round(brokerCores * 1e6 / run.logRecordsPerSecond(), 3));
    r.put("errors", run.errors());
    Report.log("bare producer: %.0f logs/s", run.logRecordsPerSecond());
    return r;
  }

  private static Map<String, Object> runIngest(
      Context ctx, BenchStack stack, BenchStack.Service ingester, List<String> sendArgs,
      int warmup, int duration, double rawPerRecord, int round, boolean profile) throws Exception {
    Path logs = ctx.outDir().resolve("send");
    Report.log("lake send: %d s warm-up", warmup);
    List<String> warm = new ArrayList<>(sendArgs);
    warm.addAll(List.of("--duration", Integer.toString(warmup)));
    LakeSend.run(warm, logs.resolve("warmup-" + round + ".log"));

    List<String> measured = new ArrayList<>(sendArgs);
    measured.addAll(List.of("--duration", Integer.toString(duration)));
    if (profile) {
      ctx.profiling().start(ingester.pid(), "ingester");
    }
    long i0 = Proc.cpuNanos(ingester.pid());
    long k0 = Proc.cpuNanos(stack.kafkaPid());
    long t0 = System.nanoTime();
    Report.log("lake send: %d s measured", duration);
    LakeSend.Result send = LakeSend.run(measured, logs.resolve("measured-" + round + ".log"));
    double wall = (System.nanoTime() - t0) / 1e9;
    long i1 = Proc.cpuNanos(ingester.pid());
    long k1 = Proc.cpuNanos(stack.kafkaPid());
    long accepted = send.accepted();
    double cpuPerRecord = (i1 - i0) / 1e3 / accepted;
    if (profile) {
      String summary = ctx.profiling().stop(ingester.pid(), "ingester", cpuPerRecord);
      if (!summary.isEmpty()) {
        System.out.println(summary);
      }
    }
    double seconds = send.seconds();
    Map<String, Object> r = Report.map();
    r.put("log_records_per_s", Report.round(accepted / seconds, 0));
    r.put("requests_per_s", Report.round(send.summary().path("requests").asLong() / seconds, 1));
    r.put("wire_mb_per_s", send.summary().path("wire_mb_per_second").asDouble());
    r.put("protobuf_mb_per_s", Report.round(accepted * rawPerRecord / 1e6 / seconds, 2));
    r.put("latency_ms", send.summary().path("latency_ms"));
    r.put("statuses", send.summary().path("statuses"));
    r.put("records_accepted", accepted);
    r.put("records_failed", send.summary().path("records_failed").asLong());
    r.put("ingester_cpu_us_per_record", Report.round(cpuPerRecord, 3));
    r.put("ingester_cpu_cores", Report.round((i1 - i0) / 1e9 / wall, 2));
    r.put("broker_cpu_cores", Report.round((k1 - k0) / 1e9 / wall, 2));
    r.put("broker_cpu_us_per_record", Report.round((k1 - k0) / 1e3 / accepted, 3));
    r.put("client_cpu_us_per_record", Report.round(send.cpuNanos() / 1e3 / accepted, 3));
    r.put("client_cpu_cores", Report.round(send.cpuNanos() / 1e9 / wall, 2));
    Report.log("ingester: %.0f logs/s, p50 %.1f ms, p99 %.1f ms, %.2f us CPU/record",
        accepted / seconds, send.summary().path("latency_ms").path("p50").asDouble(),
        send.summary().path("latency_ms").path("p99").asDouble(), cpuPerRecord);
    return r;
  }

  private static Map<String, Object> targets(List<Map<String, Object>> rounds, GcLog gc) {
    double[] ratios = rounds.stream().mapToDouble(r -> (double) r.get("ratio_ingester_to_bare")).toArray();
    double[] cpus = rounds.stream()
        .mapToDouble(r -> (double) ((Map<?, ?>) r.get("ingester")).get("ingester_cpu_us_per_record")).toArray();
    Map<String, Object> t = Report.map();
    double ratio = Report.round(Report.median(ratios), 3);
    double cpu = Report.round(Report.median(cpus), 3);
    t.put("ratio_median", ratio);
    t.put("ratio_target", ">= 0.7");
    t.put("ratio_met", ratio >= 0.7);
    t.put("ingester_cpu_us_per_record_median", cpu);
    t.put("cpu_target", "<= 5 us/record");
    t.put("cpu_met", cpu <= 5);
    t.put("peak_heap_used_mib", Report.mib(gc.peakUsedBytes()));
    t.put("heap_target", "<= 512 MiB");
    t.put("heap_met", gc.peakUsedBytes() <= 512L * 1024 * 1024);
    return t;
  }
}
