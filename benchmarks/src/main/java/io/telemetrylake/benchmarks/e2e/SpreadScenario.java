package io.telemetrylake.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.telemetrylake.benchmarks.Payloads;
import io.telemetrylake.ingester.kafka.Partitioning;
import io.telemetrylake.signal.Signals;
import io.telemetrylake.tools.send.LogGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Spread (issue 17): skewed log traffic, one service with {@code --hot-share} (0.9) of the
 * records, sent by {@code lake send} (one resource per request, as an SDK sends) through the
 * ingester into a topic of 12 partitions, drained by {@code --appenders} (3) appender processes
 * in one consumer group; once per {@code INGESTER_PARTITIONING} mode ({@code --modes
 * resource,spread}), each on a wiped devstack, modes alternating their order from round to round.
 *
 * <p>The appenders start first and the harness waits until the group is stable with every
 * partition assigned, so no rebalance falls into the measured window. Then: {@code lake send}, and
 * the appenders consume while it runs; once they have consumed every Kafka record the harness
 * POSTs {@code /flush} to each (the rest would otherwise wait for the age flush). Per mode: Kafka
 * and log records per partition and rows per appender (max/mean), end-to-end rate (first request
 * to last row committed) and the appenders' CPU, and per service what a {@code service_name = X}
 * query reads (files by Iceberg's bounds, files holding X, row groups by their statistics).
 *
 * <p>{@code --appenders-during-send stopped} (default): the appenders are SIGSTOPped while the
 * topic fills and continued after, so the drain rate is theirs alone; {@code running}: they
 * consume while {@code lake send} and the ingester share the cores. {@code --appender-cpus 0.5}
 * gives each appender a CPU limit of its own (a cgroup, as a pod's limit): on one small box a
 * single appender otherwise takes every core, and a busy service's cap does not show.
 */
final class SpreadScenario {
  static final String TOPIC = "bench-spread";
  static final String GROUP = "bench-spread";

  private SpreadScenario() {}

  /**
   * @param backlog true: the appenders are stopped (SIGSTOP) while {@code lake send} fills the
   *     topic and continued (SIGCONT) after it, so the measured drain is the appenders' alone;
   *     false: they consume while it sends, sharing the cores with the client and the ingester
   * @param appenderCpus each appender's CPU limit in cores (its own cgroup, as a pod's limit); 0 =
   *     none, all share the box
   */
  record Plan(long count, int appenders, double hotShare, int services, int partitions, int connections, int batch,
      int bufferMb, int timeoutSeconds, boolean backlog, double appenderCpus) {}

  static Map<String, Object> run(Options o, Context ctx) throws Exception {
    List<String> modes = new ArrayList<>();
    for (String m : o.string("modes", "resource,spread").split(",")) {
      modes.add(Partitioning.Mode.of(m.strip()).settingValue());
    }
    int rounds = o.integer("rounds", 1);
    Plan s = new Plan(
        o.longValue("count", 2_000_000),
        o.integer("appenders", 3),
        Double.parseDouble(o.string("hot-share", "0.9")),
        o.integer("services", Payloads.SERVICES),
        o.integer("partitions", 12),
        o.integer("connections", 4),
        o.integer("batch", Payloads.RECORDS_PER_REQUEST),
        o.integer("buffer-mb", 100),
        o.integer("timeout", 900),
        backlog(o.string("appenders-during-send", "stopped")),
        Double.parseDouble(o.string("appender-cpus", "0")));
    o.checkAllRead();

    Map<String, Object> results = Report.map();
    results.put("scenario", "spread");
    results.put("machine_at_start", Report.machine());
    Map<String, Object> options = Report.map();
    options.put("modes", modes);
    options.put("rounds", rounds);
    options.put("count", s.count());
    options.put("appenders", s.appenders());
    options.put("hot_share", s.hotShare());
    options.put("services", s.services());
    options.put("partitions", s.partitions());
    options.put("connections", s.connections());
    options.put("batch", s.batch());
    options.put("resources_per_request", 1);
    options.put("BUFFER_SIZE_MB", s.bufferMb());
    options.put("appenders_during_send", s.backlog() ? "stopped" : "running");
    options.put("appender_cpus", s.appenderCpus() > 0 ? s.appenderCpus() : "unlimited");
    results.put("options", options);
    List<Map<String, Object>> runs = new ArrayList<>();
    results.put("runs", runs);
    for (int round = 1; round <= rounds; round++) {
      List<String> order = new ArrayList<>(modes);
      if (round % 2 == 0) {
        java.util.Collections.reverse(order);
      }
      for (String mode : order) {
        Report.log("round %d, INGESTER_PARTITIONING=%s", round, mode);
        Map<String, Object> run = runOne(mode, s, ctx, ctx.outDir().resolve(mode + "-" + round));
        run.put("round", round);
        runs.add(run);
        Report.write(ctx.outDir(), "results-partial", results);
      }
    }
    results.put("machine_at_end", Report.machine());
    return results;
  }

  private static boolean backlog(String value) {
    return switch (value) {
      case "stopped" -> true;
      case "running" -> false;
      default -> throw new IllegalArgumentException("--appenders-during-send: expected stopped or running, got '" + value + "'");
    };
  }

  private static Map<String, Object> runOne(String mode, Plan s, Context ctx, Path out) throws Exception {
    java.nio.file.Files.createDirectories(out);
    Map<String, Object> run = Report.map();
    run.put("mode", mode);
    run.put("machine_at_start", Report.machine());
    try (BenchStack stack = BenchStack.start(ctx.repoRoot(), ctx.dataDir(), out, ctx.profiling());
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.devStack().kafkaBootstrap()))) {
      BenchStack.Service ingester = stack.startIngester(Map.of(
          "KAFKA_TOPIC", TOPIC,
          "KAFKA_TOPIC_PARTITIONS", Integer.toString(s.partitions()),
          "INGESTER_PARTITIONING", mode));
      List<BenchStack.Service> appenders = startAppenders(stack, s);
      List<CpuLimit> limits = new ArrayList<>();
      try {
        if (s.appenderCpus() > 0) {
          for (int i = 0; i < appenders.size(); i++) {
            limits.add(CpuLimit.apply("appender-" + (i + 1), appenders.get(i).pid(), s.appenderCpus()));
          }
        }
        Map<String, List<Integer>> assignment = awaitStableGroup(admin, s.appenders(), s.partitions(), Duration.ofSeconds(180));
        Report.log("group %s stable: %s", GROUP, assignment);
        Measured m = sendAndDrain(s, ingester, appenders, admin, out);
        run.put("pipeline", m.pipelineReport(s));
        run.put("appenders", appenderReport(m, assignment));
        Report.log("%s: drain %.1f s after the send (%.1f s), %.0f records/s end to end; rows per appender %s, appender CPU %.1f us/record",
            mode, m.drainSeconds(), m.sendSeconds(), m.accepted() / m.seconds(), m.rowsPerAppender(), m.appenderCpuTotal() / 1e3 / m.accepted());
        // after the measured window: what each partition holds, what the table holds
        run.put("partitions", partitionReport(partitionContents(stack.devStack().kafkaBootstrap(), m.kafkaRecords()), m.kafkaRecords()));
        try (Lake lake = new Lake(stack.devStack(), "otel", Signals.LOGS.defaultTable())) {
          Table table = lake.load();
          long rowsInTable = Lake.currentFiles(table).stream().mapToLong(f -> f.recordCount()).sum();
          run.put("rows_in_table", rowsInTable);
          if (rowsInTable != m.accepted()) {
            Report.log("WARNING: %d rows in the table, %d records accepted", rowsInTable, m.accepted());
          }
          run.put("pruning", lake.servicePruning(table, LogGenerator.serviceNames(s.services()), out.resolve("pruning")));
        }
      } finally {
        // a stopped process would not stop when the stack closes
        signal("CONT", appenders);
        for (CpuLimit limit : limits) {
          limit.close();
        }
      }
    }
    run.put("machine_at_end", Report.machine());
    Report.write(out, "run", run);
    return run;
  }

  private static List<BenchStack.Service> startAppenders(BenchStack stack, Plan s) {
    List<BenchStack.Service> appenders = new ArrayList<>();
    for (int i = 1; i <= s.appenders(); i++) {
      String name = "appender-" + i;
      Map<String, String> settings = new HashMap<>(Map.of(
          "SIGNALS", "logs",
          "KAFKA_TOPIC", TOPIC,
          "APPENDER_GROUP_ID", GROUP,
          "APPENDER_INSTANCE_ID", name,
          "BUFFER_SIZE_MB", Integer.toString(s.bufferMb()),
          "BUFFER_TIME_SECONDS", "600"));
      if (s.backlog()) {
        // stopped members send no heartbeats: they must stay in the group until continued
        settings.put("KAFKA_CLIENT_SESSION_TIMEOUT_MS", Integer.toString(s.timeoutSeconds() * 1000));
        settings.put("KAFKA_CLIENT_MAX_POLL_INTERVAL_MS", Integer.toString(s.timeoutSeconds() * 1000));
      }
      appenders.add(stack.startAppender(name, settings));
    }
    return appenders;
  }

  /** What one run measured: the send, the drain, each appender's last /stats and CPU. */
  record Measured(long accepted, long failed, double sendSeconds, double drainSeconds, double seconds, long ingesterCpu,
      Map<Integer, Long> kafkaRecords, List<JsonNode> stats, long[] appenderCpu, long[] appenderPeakRss) {
    long appenderCpuTotal() {
      return java.util.Arrays.stream(appenderCpu).sum();
    }

    Map<Integer, Long> rowsPerAppender() {
      Map<Integer, Long> rows = new TreeMap<>();
      for (int i = 0; i < stats.size(); i++) {
        rows.put(i + 1, stats.get(i).path("totals").path("rows_committed").asLong());
      }
      return rows;
    }

    Map<String, Object> pipelineReport(Plan s) {
      Map<String, Object> r = Report.map();
      r.put("records_accepted", accepted);
      r.put("records_failed", failed);
      r.put("send_seconds", Report.round(sendSeconds, 1));
      r.put("send_records_per_s", Report.round(accepted / sendSeconds, 0));
      r.put("seconds_send_end_to_committed", Report.round(drainSeconds, 1));
      // the append rate: with the appenders stopped during the send, the whole backlog drained by
      // them alone; with them running, only what was left when the send ended (not a rate)
      r.put("drain_records_per_s", s.backlog() ? Report.round(accepted / drainSeconds, 0) : null);
      r.put("seconds_first_request_to_committed", Report.round(seconds, 1));
      r.put("records_per_s_end_to_end", Report.round(accepted / seconds, 0));
      r.put("ingester_cpu_us_per_record", Report.round(ingesterCpu / 1e3 / accepted, 3));
      return r;
    }
  }

  private static Measured sendAndDrain(Plan s, BenchStack.Service ingester, List<BenchStack.Service> appenders, Admin admin,
      Path out) throws Exception {
    if (s.backlog()) {
      signal("STOP", appenders);
    }
    long[] cpu0 = new long[appenders.size()];
    for (int i = 0; i < appenders.size(); i++) {
      cpu0[i] = Proc.cpuNanos(appenders.get(i).pid());
    }
    long ingesterCpu0 = Proc.cpuNanos(ingester.pid());
    long t0 = System.nanoTime();
    List<String> sendArgs = List.of(
        "--signal", "logs",
        "--endpoint", ingester.uri() + "/v1/logs",
        "--count", Long.toString(s.count()),
        "--connections", Integer.toString(s.connections()),
        "--batch", Integer.toString(s.batch()),
        "--resources", "1",
        "--services", Integer.toString(s.services()),
        "--hot-share", Double.toString(s.hotShare()),
        "--encoding", "protobuf",
        "--run-id", "spread" + Long.toString(System.currentTimeMillis(), 36));
    Report.log("lake send --count %d -c %d --resources 1 --hot-share %s (appenders %s)", s.count(), s.connections(),
        s.hotShare(), s.backlog() ? "stopped" : "running");
    LakeSend.Result send = LakeSend.run(sendArgs, out.resolve("send/send.log"));
    double sendSeconds = (System.nanoTime() - t0) / 1e9;
    long ingesterCpu = Proc.cpuNanos(ingester.pid()) - ingesterCpu0;
    long accepted = send.accepted();
    Map<Integer, Long> kafkaRecords = endOffsets(admin, s.partitions());
    long kafkaTotal = kafkaRecords.values().stream().mapToLong(Long::longValue).sum();
    Report.log("sent: %d records accepted (%d Kafka records) in %.1f s; waiting for the appenders", accepted, kafkaTotal, sendSeconds);
    long tDrain = System.nanoTime();
    if (s.backlog()) {
      signal("CONT", appenders);
    }
    List<AppenderAdmin> admins = appenders.stream().map(a -> new AppenderAdmin(a.uri(), Signals.LOGS)).toList();
    long deadline = tDrain + s.timeoutSeconds() * 1_000_000_000L;
    List<CompletableFuture<JsonNode>> flushes = null;
    long lastLog = 0;
    while (true) {
      List<JsonNode> stats = new ArrayList<>();
      for (AppenderAdmin a : admins) {
        stats.add(a.stats());
      }
      long consumed = stats.stream().mapToLong(n -> n.path("totals").path("records_consumed").asLong()).sum();
      long committed = stats.stream().mapToLong(n -> n.path("totals").path("rows_committed").asLong()).sum();
      if (flushes == null && consumed >= kafkaTotal) {
        // everything is staged or committed: commit the rest now rather than at the age flush
        flushes = new ArrayList<>();
        for (AppenderAdmin a : admins) {
          flushes.add(CompletableFuture.supplyAsync(() -> {
            try {
              return a.flush();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
      }
      if (flushes != null && committed >= accepted && flushes.stream().allMatch(CompletableFuture::isDone)) {
        long tEnd = System.nanoTime();
        long[] cpu = new long[appenders.size()];
        long[] rss = new long[appenders.size()];
        for (int i = 0; i < appenders.size(); i++) {
          cpu[i] = Proc.cpuNanos(appenders.get(i).pid()) - cpu0[i];
          rss[i] = Proc.peakRssBytes(appenders.get(i).pid());
        }
        flushes.forEach(CompletableFuture::join); // a failed flush fails the run
        return new Measured(accepted, send.summary().path("records_failed").asLong(), sendSeconds, (tEnd - tDrain) / 1e9,
            (tEnd - t0) / 1e9, ingesterCpu, kafkaRecords, stats, cpu, rss);
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException("the appenders did not commit " + accepted + " rows in " + s.timeoutSeconds() + " s: " + stats);
      }
      if (now - lastLog > 10_000_000_000L) {
        lastLog = now;
        Report.log("appenders: %d/%d Kafka records consumed, %d/%d rows committed", consumed, kafkaTotal, committed, accepted);
      }
      Thread.sleep(200);
    }
  }

  private static Map<String, Object> appenderReport(Measured m, Map<String, List<Integer>> assignment) {
    List<Map<String, Object>> each = new ArrayList<>();
    long cpuMax = 0;
    for (int i = 0; i < m.stats().size(); i++) {
      JsonNode totals = m.stats().get(i).path("totals");
      long cpu = m.appenderCpu()[i];
      cpuMax = Math.max(cpuMax, cpu);
      long rows = totals.path("rows_committed").asLong();
      String name = "appender-" + (i + 1);
      Map<String, Object> one = Report.map();
      one.put("name", name);
      one.put("partitions", assignment.getOrDefault(name, List.of()));
      one.put("rows_committed", rows);
      one.put("kafka_records_consumed", totals.path("records_consumed").asLong());
      one.put("flushes", totals.path("flushes").asLong());
      one.put("files_written", totals.path("files_written").asLong());
      one.put("cpu_seconds", Report.round(cpu / 1e9, 1));
      one.put("cpu_us_per_row", rows == 0 ? 0 : Report.round(cpu / 1e3 / rows, 2));
      one.put("peak_rss_mib", Report.mib(m.appenderPeakRss()[i]));
      each.add(one);
    }
    Map<String, Object> r = Report.map();
    r.put("rows", LoadSpread.of(m.rowsPerAppender()).report());
    r.put("cpu_seconds_total", Report.round(m.appenderCpuTotal() / 1e9, 1));
    r.put("cpu_us_per_record", Report.round(m.appenderCpuTotal() / 1e3 / m.accepted(), 2));
    // the busiest appender's CPU: what bounds the drain when each appender has cores of its own
    r.put("cpu_seconds_busiest", Report.round(cpuMax / 1e9, 1));
    r.put("each", each);
    return r;
  }

  private static Map<String, Object> partitionReport(PartitionContents contents, Map<Integer, Long> kafkaRecords) {
    Map<String, Object> r = Report.map();
    r.put("kafka_records", LoadSpread.of(kafkaRecords).report());
    r.put("log_records", LoadSpread.of(contents.logRecords()).report());
    Map<String, Object> mib = new java.util.LinkedHashMap<>();
    contents.valueBytes().forEach((p, b) -> mib.put(Integer.toString(p), Report.mib(b)));
    r.put("value_mib", mib);
    Map<String, Object> services = new java.util.LinkedHashMap<>();
    contents.services().forEach((p, n) -> services.put(Integer.toString(p), n));
    r.put("services_per_partition", services);
    return r;
  }

  /** Sends SIGSTOP or SIGCONT to the appenders' processes. */
  static void signal(String name, List<BenchStack.Service> services) throws Exception {
    for (BenchStack.Service service : services) {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(service.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + service.pid() + " exited " + kill.exitValue());
      }
    }
  }

  /** Waits until the group is stable with {@code members} members that share all partitions. */
  static Map<String, List<Integer>> awaitStableGroup(Admin admin, int members, int partitions, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      ConsumerGroupDescription group =
          admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP);
      Map<String, List<Integer>> assignment = new TreeMap<>();
      int assigned = 0;
      for (MemberDescription m : group.members()) {
        List<Integer> ps = m.assignment().topicPartitions().stream()
            .filter(tp -> tp.topic().equals(TOPIC)).map(TopicPartition::partition).sorted().toList();
        assignment.put(m.groupInstanceId().orElse(m.consumerId()), ps);
        assigned += ps.size();
      }
      last = group.groupState() + " " + assignment;
      if (group.groupState() == GroupState.STABLE && assignment.size() == members && assigned == partitions
          && assignment.values().stream().noneMatch(List::isEmpty)) {
        return assignment;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("group " + GROUP + " not stable with " + members + " members in " + timeout + ": " + last);
  }

  static Map<Integer, Long> endOffsets(Admin admin, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      request.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
    }
    Map<Integer, Long> out = new TreeMap<>();
    admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
    return out;
  }

  record PartitionContents(Map<Integer, Long> logRecords, Map<Integer, Long> valueBytes, Map<Integer, Integer> services) {}

  /** Reads every partition to its end offset: log records, value bytes and distinct resources in each. */
  static PartitionContents partitionContents(String bootstrap, Map<Integer, Long> endOffsets) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    Map<Integer, Long> records = new TreeMap<>();
    Map<Integer, Long> bytes = new TreeMap<>();
    Map<Integer, java.util.Set<String>> keys = new TreeMap<>();
    List<TopicPartition> tps = new ArrayList<>();
    for (int p : endOffsets.keySet()) {
      tps.add(new TopicPartition(TOPIC, p));
      records.put(p, 0L);
      bytes.put(p, 0L);
      keys.put(p, new java.util.HashSet<>());
    }
    Map<Integer, Long> position = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + 300_000_000_000L;
      while (endOffsets.entrySet().stream().anyMatch(e -> position.getOrDefault(e.getKey(), 0L) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the topic to its end: at " + position + ", end " + endOffsets);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          int p = r.partition();
          position.put(p, r.offset() + 1);
          bytes.merge(p, (long) r.value().length, Long::sum);
          keys.get(p).add(new String(r.key(), java.nio.charset.StandardCharsets.US_ASCII));
          long n = 0;
          for (ResourceLogs rl : ExportLogsServiceRequest.parseFrom(r.value()).getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
              n += sl.getLogRecordsCount();
            }
          }
          records.merge(p, n, Long::sum);
        }
      }
    }
    Map<Integer, Integer> services = new TreeMap<>();
    keys.forEach((p, k) -> services.put(p, k.size()));
    return new PartitionContents(records, bytes, services);
  }
}
