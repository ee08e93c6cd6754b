package io.telemetrylake.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileSummaryTest {
  @Test
  void chargesASampleToItsDeepestPhaseFrame() {
    String inflate = "[qtp1-12 tid=5];org/eclipse/jetty/util/thread/QueuedThreadPool.run;"
        + "io/telemetrylake/ingester/http/ExportHandler.handle;io/telemetrylake/otlp/RequestBodies.read;"
        + "java/util/zip/GZIPInputStream.read;java/util/zip/Inflater.inflateBytesBytes;inflate";
    String split = "[qtp1-13 tid=6];org/eclipse/jetty/util/thread/QueuedThreadPool.run;"
        + "io/telemetrylake/ingester/http/ExportHandler.handle;io/telemetrylake/record/ResourceSplitter.split;"
        + "com/google/protobuf/CodedOutputStream$ArrayEncoder.writeStringNoTag";

    assertThat(ProfileSummary.phaseOf(inflate)).isEqualTo("zlib inflate (gzip)");
    assertThat(ProfileSummary.phaseOf(split)).isEqualTo("split + re-encode");
  }

  @Test
  void chargesSamplesWithoutPhaseFramesByThread() {
    assertThat(ProfileSummary.phaseOf("[GC Thread#0 tid=7];thread_native_entry;PSPromotionManager::drain_stacks"))
        .isEqualTo("GC");
    assertThat(ProfileSummary.phaseOf("[C2 CompilerThread0 tid=8];thread_native_entry;Compile::Code_Gen"))
        .isEqualTo("JIT compiler");
    assertThat(ProfileSummary.phaseOf("[main tid=1];java/lang/Thread.run")).isEqualTo("other");
  }

  @Test
  void sumsPhasesAndLeavesLargestFirst() {
    Map<String, Long> stacks = new LinkedHashMap<>();
    stacks.put("[t];io/telemetrylake/table/LogRowMapper.forEachRow;java/lang/String.<init>", 3L);
    stacks.put("[t];io/telemetrylake/appender/stage/StagingBuffer.append;org/duckdb/DuckDBAppender.append;duckdb::Append", 7L);

    ProfileSummary summary = ProfileSummary.of(stacks);

    assertThat(summary.totalSamples()).isEqualTo(10);
    assertThat(summary.byPhase()).containsExactly(
        Map.entry("stage: DuckDB appender (JNI + native)", 7L), Map.entry("map rows (LogRowMapper)", 3L));
    assertThat(summary.byLeaf().keySet()).containsExactly("duckdb::Append", "java/lang/String.<init>");
  }
}
