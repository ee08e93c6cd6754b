package io.telemetrylake.benchmarks.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a service's CPU time goes, from CPU samples in collapsed form ({@code [thread];root;...;leaf
 * count}): each sample is charged to the deepest frame that marks one of the pipeline's phases
 * (gzip, protobuf decode, split, producer, DuckDB append, COPY, ...), so a phase includes the library
 * code it calls; samples without such a frame are charged by thread (GC, JIT, DuckDB workers).
 * Also lists the hottest leaf frames.
 */
final class ProfileSummary {
  /** Phase markers: a frame containing one of the strings belongs to the phase. */
  private static final List<Map.Entry<String, List<String>>> MARKERS =
      List.of(
          // ingester
          Map.entry("http server (jetty/javalin)", List.of("org/eclipse/jetty/", "io/javalin/")),
          Map.entry("handler (other)", List.of("ingester/http/ExportHandler")),
          Map.entry("read body (RequestBodies)", List.of("otlp/RequestBodies.read")),
          Map.entry("zlib inflate (gzip)", List.of("java/util/zip/Inflater")),
          Map.entry("protobuf decode", List.of("otlp/OtlpLogsDecoder.decode", "record/KafkaRecordFormat.decodeValue")),
          Map.entry("OTLP/JSON decode", List.of("otlp/OtlpJsonLogsReader")),
          Map.entry("validate", List.of("otlp/LogRecordValidator")),
          Map.entry("split + re-encode", List.of("record/ResourceSplitter")),
          Map.entry("resource key (SHA-256)", List.of("record/ResourceKeys")),
          Map.entry("kafka producer send (caller thread)", List.of("producer/KafkaProducer.send", "producer/KafkaProducer.doSend")),
          Map.entry("lz4 (de)compression", List.of("net/jpountz/", "compress/Lz4", "KafkaLZ4")),
          Map.entry("kafka producer network thread", List.of("producer/internals/Sender.run")),
          Map.entry("response (OtlpResponses)", List.of("otlp/OtlpResponses")),
          Map.entry("metrics", List.of("io/prometheus/")),
          // appender
          Map.entry("kafka consumer poll", List.of("consumer/KafkaConsumer.poll", "consumer/internals/ClassicKafkaConsumer.poll", "consumer/internals/AsyncKafkaConsumer.poll")),
          Map.entry("map rows (LogRowMapper)", List.of("table/LogRowMapper")),
          Map.entry("read values from the wire (LogWireReader)", List.of("table/LogWireReader")),
          Map.entry("stage: StagingBuffer.append (Java)", List.of("stage/StagingBuffer.append", "stage/StagingBuffer.resourceIdFor", "stage/HexIds", "stage/LogStaging.append")),
          Map.entry("stage: MapJson.encode", List.of("stage/MapJson")),
          Map.entry("stage: DuckDB appender (JNI + native)", List.of("org/duckdb/DuckDBAppender")),
          Map.entry("stage: clear/checkpoint", List.of("stage/StagingBuffer.clear", "stage/StagingBuffer.dropPartitions")),
          Map.entry("flush: COPY to Parquet", List.of("stage/StagingBuffer.export")),
          Map.entry("flush: Parquet footer metrics", List.of("iceberg/parquet/ParquetUtil")),
          Map.entry("flush: upload (S3)", List.of("flush/Flusher.upload")),
          Map.entry("flush: Iceberg commit", List.of("iceberg/BatchCommitter", "flush/Flusher.settlePendingUploads")),
          Map.entry("stats/metrics publishing", List.of("consume/PollLoop.publishStats", "status/AppenderMetrics")));

  /** For samples without a marker frame: by thread name (or native library), else "other". */
  private static final List<Map.Entry<String, List<String>>> THREADS =
      List.of(
          Map.entry("GC", List.of("GC Thread", "VM Thread", "ParGC", "G1 ", "PSYoung", "PSParallel")),
          Map.entry("JIT compiler", List.of("CompilerThread", "C2 ", "C1 ")),
          Map.entry("kafka producer network thread", List.of("kafka-producer-network-thread")),
          Map.entry("kafka consumer (background)", List.of("kafka-coordinator-heartbeat-thread", "consumer_background")),
          // DuckDB's worker threads are native threads the JVM never named: "java"
          Map.entry("duckdb worker threads", List.of("duckdb", "[java tid=")),
          Map.entry("http server (jetty/javalin)", List.of("qtp", "JettyServerThreadPool")));

  private final Map<String, Long> stacks;
  private final long total;

  private ProfileSummary(Map<String, Long> stacks) {
    this.stacks = stacks;
    this.total = stacks.values().stream().mapToLong(Long::longValue).sum();
  }

  static ProfileSummary of(Map<String, Long> collapsedStacks) {
    return new ProfileSummary(collapsedStacks);
  }

  static Map<String, Long> readCollapsed(Path file) throws IOException {
    Map<String, Long> stacks = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int space = line.lastIndexOf(' ');
      if (space > 0) {
        stacks.merge(line.substring(0, space), Long.parseLong(line.substring(space + 1).trim()), Long::sum);
      }
    }
    return stacks;
  }

  /** jdk.ExecutionSample events of a JFR recording in collapsed form (Java frames only). */
  static Map<String, Long> readJfr(Path file) throws IOException {
    Map<String, Long> stacks = new LinkedHashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      StringBuilder s = new StringBuilder("[").append(thread).append(']');
      for (int i = frames.size() - 1; i >= 0; i--) {
        RecordedFrame f = frames.get(i);
        s.append(';').append(f.getMethod().getType().getName().replace('.', '/')).append('.').append(f.getMethod().getName());
      }
      stacks.merge(s.toString(), 1L, Long::sum);
    }
    return stacks;
  }

  long totalSamples() {
    return total;
  }

  /** Samples per phase, largest first. */
  Map<String, Long> byPhase() {
    Map<String, Long> out = new LinkedHashMap<>();
    stacks.forEach((stack, count) -> out.merge(phaseOf(stack), count, Long::sum));
    return sorted(out);
  }

  /** Samples per leaf frame, largest first. */
  Map<String, Long> byLeaf() {
    Map<String, Long> out = new LinkedHashMap<>();
    stacks.forEach((stack, count) -> out.merge(stack.substring(stack.lastIndexOf(';') + 1), count, Long::sum));
    return sorted(out);
  }

  static String phaseOf(String stack) {
    String[] frames = stack.split(";");
    for (int i = frames.length - 1; i >= 1; i--) {
      for (Map.Entry<String, List<String>> m : MARKERS) {
        for (String s : m.getValue()) {
          if (frames[i].contains(s)) {
            return m.getKey();
          }
        }
      }
    }
    for (Map.Entry<String, List<String>> t : THREADS) {
      for (String s : t.getValue()) {
        if (stack.contains(s)) {
          return t.getKey();
        }
      }
    }
    return "other";
  }

  String render(String name, double cpuMicrosPerRecord) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "profile of %s: %d CPU samples%n", name, total));
    out.append(String.format(Locale.ROOT, "%-42s %7s %12s%n", "phase (deepest marker frame)", "share", "us/record"));
    byPhase().forEach((phase, n) -> out.append(String.format(Locale.ROOT, "%-42s %6.1f%% %12.3f%n",
        phase, 100.0 * n / total, cpuMicrosPerRecord * n / total)));
    out.append(String.format(Locale.ROOT, "%nhottest leaf frames%n"));
    byLeaf().entrySet().stream().limit(25).forEach(e -> out.append(String.format(Locale.ROOT, "%6.1f%%  %s%n",
        100.0 * e.getValue() / total, e.getKey())));
    return out.toString();
  }

  private static Map<String, Long> sorted(Map<String, Long> in) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(in.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    Map<String, Long> out = new LinkedHashMap<>();
    entries.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
