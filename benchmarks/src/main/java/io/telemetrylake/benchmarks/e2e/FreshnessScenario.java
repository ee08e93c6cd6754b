package io.telemetrylake.benchmarks.e2e;

import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.tools.send.LogGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Freshness: requests of 500 records with unique ids sent at a steady rate through the ingester,
 * the time of each 200 kept; meanwhile a reader polls the table through the catalog, and for every
 * new snapshot reads the ids in the files it added. A record's delay is from its request's 200 to
 * the poll that first saw the snapshot holding it (so it includes up to one poll interval of the
 * reader's own lag); the snapshot's commit timestamp gives the same delay without that lag.
 */
final class FreshnessScenario {
  private static final String TOPIC = "bench-fresh";

  private FreshnessScenario() {}

  static Map<String, Object> run(Options o, Context ctx) throws Exception {
    int rate = o.integer("rate", 5_000);
    int duration = o.integer("duration", 120);
    int bufferSeconds = o.integer("buffer-seconds", 10);
    int pollMs = o.integer("poll-ms", 250);
    int warmup = o.integer("warmup", 30);
    o.checkAllRead();
    int batch = Payloads.RECORDS_PER_REQUEST;
    // the first requests warm the services up (JIT, S3 and catalog clients): not counted
    int warmupRequests = (int) ((long) rate * warmup / batch);
    int requests = warmupRequests + (int) ((long) rate * duration / batch);
    long intervalNanos = 1_000_000_000L * batch / rate;

    Map<String, Object> results = Report.map();
    results.put("scenario", "freshness");
    results.put("machine_at_start", Report.machine());
    results.put("options", Map.of("rate_records_per_s", rate, "duration_s", duration,
        "BUFFER_TIME_SECONDS", bufferSeconds, "poll_ms", pollMs, "warmup_s", warmup,
        "requests_measured", requests - warmupRequests));

    try (BenchStack stack = BenchStack.start(ctx.repoRoot(), ctx.dataDir(), ctx.outDir(), ctx.profiling())) {
      BenchStack.Service ingester = stack.startIngester(Map.of("KAFKA_TOPIC", TOPIC));
      BenchStack.Service appender = stack.startAppender(Map.of(
          "KAFKA_TOPIC", TOPIC, "APPENDER_GROUP_ID", "bench-fresh",
          "BUFFER_TIME_SECONDS", Integer.toString(bufferSeconds)));
      AtomicLongArray ackMillis = new AtomicLongArray(requests);
      int[] visibleRows = new int[requests];
      long[] fullyVisibleMillis = new long[requests];
      List<double[]> rowDelays = new ArrayList<>(); // {request, seen delay ms, commit delay ms, rows}
      AtomicInteger failed = new AtomicInteger();
      AtomicLong acked = new AtomicLong();
      String runId = "fresh" + Long.toString(System.currentTimeMillis(), 36);
      LogGenerator generator = new LogGenerator(runId, Payloads.SERVICES, 42);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI endpoint = URI.create(ingester.uri() + "/v1/logs");

      try (Lake lake = new Lake(stack.devStack(), "otel", "logs")) {
        Table table = lake.load();
        Set<Long> seen = new HashSet<>();
        table.snapshots().forEach(s -> seen.add(s.snapshotId()));
        Map<Integer, Boolean> pending = new ConcurrentHashMap<>();
        long i0 = Proc.cpuNanos(ingester.pid());
        long a0 = Proc.cpuNanos(appender.pid());
        long start = System.nanoTime();
        long sendEnd = start + (long) requests * intervalNanos;
        int sent = 0;
        long nextPoll = start;
        long waitUntil = Long.MAX_VALUE;
        int snapshots = 0;
        Path tmp = ctx.outDir().resolve("tmp");
        Report.log("freshness: %d records/s for %d s warm-up + %d s measured (%d requests), BUFFER_TIME_SECONDS=%d",
            rate, warmup, duration, requests, bufferSeconds);
        while (true) {
          long now = System.nanoTime();
          // send every request that is due
          while (sent < requests && now >= start + sent * intervalNanos) {
            int index = sent++;
            byte[] body = Payloads.gzip(generator.request((long) index * batch, batch,
                Payloads.RESOURCES_PER_REQUEST, System.currentTimeMillis() * 1_000_000L).toByteArray());
            pending.put(index, true);
            http.sendAsync(HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "gzip")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding())
                .whenComplete((r, e) -> {
                  if (e == null && r.statusCode() == 200) {
                    ackMillis.set(index, System.currentTimeMillis());
                    acked.incrementAndGet();
                  } else {
                    failed.incrementAndGet();
                  }
                  pending.remove(index);
                });
          }
          if (now >= nextPoll) {
            nextPoll = now + pollMs * 1_000_000L;
            table.refresh();
            long seenAt = System.currentTimeMillis();
            List<Snapshot> fresh = new ArrayList<>();
            for (Snapshot s : table.snapshots()) {
              if (seen.add(s.snapshotId())) {
                fresh.add(s);
              }
            }
            for (Snapshot s : fresh) {
              snapshots++;
              List<String> ids = lake.addedIds(table, s, tmp);
              int[] perRequest = new int[requests];
              for (String id : ids) {
                if (id == null || !id.startsWith(runId + "-")) {
                  continue;
                }
                int request = (int) (Long.parseLong(id.substring(runId.length() + 1)) / batch);
                perRequest[request]++;
              }
              for (int r = 0; r < requests; r++) {
                if (perRequest[r] == 0) {
                  continue;
                }
                visibleRows[r] += perRequest[r];
                // a row can only be seen after its request's 200 arrived; ack not in yet means
                // the response was still on its way: delay 0 (never seen in practice)
                long ack = ackMillis.get(r) == 0 ? seenAt : ackMillis.get(r);
                rowDelays.add(new double[] {r, seenAt - ack, s.timestampMillis() - ack, perRequest[r]});
                if (visibleRows[r] >= batch) {
                  fullyVisibleMillis[r] = seenAt;
                }
              }
            }
          }
          if (sent == requests && pending.isEmpty() && waitUntil == Long.MAX_VALUE) {
            waitUntil = System.nanoTime() + (bufferSeconds * 3L + 60) * 1_000_000_000L;
            Report.log("freshness: all %d requests answered (%d failed); waiting for the table", requests, failed.get());
          }
          if (sent == requests && pending.isEmpty() && allVisible(ackMillis, visibleRows, batch)) {
            break;
          }
          if (System.nanoTime() > waitUntil) {
            Report.log("freshness: gave up waiting; some acknowledged rows are not in the table");
            break;
          }
          long sleepNanos = Math.min(nextPoll, sent < requests ? start + sent * intervalNanos : nextPoll) - System.nanoTime();
          if (sleepNanos > 0) {
            Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
          }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long i1 = Proc.cpuNanos(ingester.pid());
        long a1 = Proc.cpuNanos(appender.pid());

        List<Double> seenDelays = new ArrayList<>();
        List<Double> commitDelays = new ArrayList<>();
        long rowsSeen = 0;
        for (double[] d : rowDelays) {
          if (d[0] < warmupRequests) {
            continue;
          }
          for (int k = 0; k < (int) d[3]; k++) {
            seenDelays.add(d[1] / 1000.0);
            commitDelays.add(d[2] / 1000.0);
          }
          rowsSeen += (long) d[3];
        }
        List<Double> requestDelays = new ArrayList<>();
        int missing = 0;
        long measuredAcked = 0;
        for (int r = warmupRequests; r < requests; r++) {
          if (ackMillis.get(r) != 0) {
            measuredAcked++;
          }
          if (ackMillis.get(r) == 0) {
            continue;
          }
          if (fullyVisibleMillis[r] == 0) {
            missing++;
          } else {
            requestDelays.add((fullyVisibleMillis[r] - ackMillis.get(r)) / 1000.0);
          }
        }
        results.put("requests_acknowledged", measuredAcked);
        results.put("requests_failed", failed.get());
        results.put("rows_acknowledged", measuredAcked * batch);
        results.put("rows_seen_in_table", rowsSeen);
        results.put("requests_not_fully_visible", missing);
        results.put("snapshots_seen", snapshots);
        results.put("row_delay_s_ack_to_seen", distribution(seenDelays));
        results.put("row_delay_s_ack_to_commit_timestamp", distribution(commitDelays));
        results.put("request_delay_s_ack_to_all_rows_seen", distribution(requestDelays));
        Map<String, Object> cpu = Report.map();
        cpu.put("ingester_cpu_cores", Report.round((i1 - i0) / 1e9 / wall, 3));
        cpu.put("appender_cpu_cores", Report.round((a1 - a0) / 1e9 / wall, 3));
        cpu.put("appender_peak_rss_mib", Report.mib(Proc.peakRssBytes(appender.pid())));
        results.put("services", cpu);
        double p99 = Report.percentile(seenDelays.stream().mapToDouble(Double::doubleValue).toArray(), 99);
        Map<String, Object> t = Report.map();
        t.put("p99_s", Report.round(p99, 2));
        t.put("target", "p99 <= 15 s with BUFFER_TIME_SECONDS=10");
        t.put("met", p99 <= 15 && missing == 0);
        results.put("targets", t);
        Report.log("freshness: row delay p50 %.2f s, p99 %.2f s (%d rows seen, %d requests not fully visible)",
            Report.percentile(seenDelays.stream().mapToDouble(Double::doubleValue).toArray(), 50), p99, rowsSeen, missing);
      }
    }
    results.put("machine_at_end", Report.machine());
    return results;
  }

  private static boolean allVisible(AtomicLongArray ackMillis, int[] visibleRows, int batch) {
    for (int r = 0; r < ackMillis.length(); r++) {
      if (ackMillis.get(r) != 0 && visibleRows[r] < batch) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Object> distribution(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Map<String, Object> d = Report.map();
    d.put("count", v.length);
    d.put("min", Report.round(Report.percentile(v, 0), 3));
    d.put("p50", Report.round(Report.percentile(v, 50), 3));
    d.put("p90", Report.round(Report.percentile(v, 90), 3));
    d.put("p99", Report.round(Report.percentile(v, 99), 3));
    d.put("max", Report.round(Report.percentile(v, 100), 3));
    return d;
  }
}
