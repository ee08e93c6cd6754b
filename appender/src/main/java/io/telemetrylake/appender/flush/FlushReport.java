package io.telemetrylake.appender.flush;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a flush did: the answer of POST /flush and {@code last_flush} of /stats.
 *
 * @param outcome committed, empty (nothing staged), fenced (another appender owns the rows) or
 *     failed
 * @param records Kafka records covered (DLQ'd ones included)
 * @param bytes Parquet bytes written
 * @param snapshotId the Iceberg snapshot, when committed
 * @param offsets per partition the next offset now recorded in the table, when committed
 * @param fencedPartitions partitions dropped because another appender had committed them
 * @param phasesMs stage, copy, upload, commit durations in milliseconds
 * @param error why it failed (no secrets: messages of our own and of the clients)
 */
public record FlushReport(
    FlushTrigger trigger,
    Outcome outcome,
    long rows,
    long records,
    int files,
    long bytes,
    long durationMs,
    Long snapshotId,
    Map<Integer, Long> offsets,
    List<Integer> fencedPartitions,
    Map<String, Long> phasesMs,
    String error,
    long finishedAtMillis) {

  /** How a flush ended. */
  public enum Outcome {
    COMMITTED,
    EMPTY,
    FENCED,
    FAILED;

    @com.fasterxml.jackson.annotation.JsonValue
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public FlushReport {
    offsets = offsets == null ? Map.of() : Map.copyOf(offsets);
    fencedPartitions = fencedPartitions == null ? List.of() : List.copyOf(fencedPartitions);
    phasesMs = phasesMs == null ? Map.of() : Map.copyOf(phasesMs);
  }

  public static FlushReport empty(FlushTrigger trigger, long now) {
    return new FlushReport(trigger, Outcome.EMPTY, 0, 0, 0, 0, 0, null, null, null, null, null, now);
  }

  /**
   * This flush followed by {@code next} as one answer (an explicit flush can commit two batches:
   * the one a background flush left behind, then the rest). The outcome and error are the last
   * one's; counts add up, so a failure after a commit still shows what was committed.
   */
  public FlushReport then(FlushReport next) {
    if (outcome == Outcome.EMPTY) {
      return next;
    }
    if (next.outcome == Outcome.EMPTY) {
      return this;
    }
    Map<Integer, Long> mergedOffsets = new TreeMap<>(offsets);
    mergedOffsets.putAll(next.offsets);
    List<Integer> mergedFenced = new ArrayList<>(fencedPartitions);
    next.fencedPartitions.stream().filter(p -> !mergedFenced.contains(p)).forEach(mergedFenced::add);
    Map<String, Long> mergedPhases = new LinkedHashMap<>(phasesMs);
    next.phasesMs.forEach((k, v) -> mergedPhases.merge(k, v, Long::sum));
    return new FlushReport(
        next.trigger,
        next.outcome,
        rows + next.rows,
        records + next.records,
        files + next.files,
        bytes + next.bytes,
        durationMs + next.durationMs,
        next.snapshotId != null ? next.snapshotId : snapshotId,
        mergedOffsets,
        mergedFenced,
        mergedPhases,
        next.error,
        next.finishedAtMillis);
  }

  /** A commit of {@code rows} rows of {@code records} Kafka records, with the offsets now recorded. */
  public static FlushReport committed(
      FlushTrigger trigger,
      FlushOutcome.Committed c,
      long rows,
      long records,
      Map<Integer, Long> offsets,
      List<Integer> fencedPartitions,
      long durationMs,
      long now) {
    return new FlushReport(
        trigger, Outcome.COMMITTED, rows, records, c.files(), c.bytes(), durationMs, c.snapshotId(),
        offsets, fencedPartitions, c.phasesMs(), null, now);
  }

  /** Nothing committed: these partitions' rows were committed by another appender and dropped. */
  public static FlushReport fenced(
      FlushTrigger trigger, List<Integer> fencedPartitions, long durationMs, long now) {
    return new FlushReport(
        trigger, Outcome.FENCED, 0, 0, 0, 0, durationMs, null, null, fencedPartitions, null,
        "rows of partitions " + fencedPartitions + " were committed by another appender; dropped",
        now);
  }

  public static FlushReport failed(FlushTrigger trigger, String error, long durationMs, long now) {
    return new FlushReport(
        trigger, Outcome.FAILED, 0, 0, 0, 0, durationMs, null, null, null, null, error, now);
  }
}
