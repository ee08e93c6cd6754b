package io.telemetrylake.appender.flush;

import io.telemetrylake.appender.iceberg.CommitUnknownException;
import io.telemetrylake.appender.iceberg.Fence;
import io.telemetrylake.appender.iceberg.BatchCommitter;
import io.telemetrylake.appender.stage.Batch;
import io.telemetrylake.appender.stage.ExportedFile;
import io.telemetrylake.appender.stage.Slot;
import io.telemetrylake.appender.stage.StagingBuffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.ParquetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the staged rows into one Iceberg commit: COPY to local Parquet files, upload each through
 * the table's FileIO, build DataFiles with metrics from the Parquet footers, commit them with the
 * batch's offsets ({@link BatchCommitter}). Runs on the poll loop's flush thread, or on the
 * poll-loop thread itself for flushes that must finish before it goes on; one flush at a time.
 *
 * <p>Files are listed in the {@link UploadJournal} before the first upload and leave it once they
 * are committed or deleted, so a failure at any point (S3 down, catalog down, a crash) never
 * leaves orphans behind for long: {@link #settlePendingUploads} runs before every flush and at
 * start-up.
 */
public final class Flusher {
  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

  private final BatchCommitter committer;
  private final UploadJournal journal;
  private final long targetFileBytes;
  private final FlushHooks hooks;
  private final Clock clock;
  private final String appenderId;
  private RuntimeException lastDeleteFailure;

  public Flusher(
      BatchCommitter committer,
      UploadJournal journal,
      long targetFileBytes,
      FlushHooks hooks,
      Clock clock,
      String appenderId) {
    this.committer = committer;
    this.journal = journal;
    this.targetFileBytes = targetFileBytes;
    this.hooks = hooks;
    this.clock = clock;
    this.appenderId = appenderId;
  }

  /**
   * Commits every row of one staged batch with the batch's offsets.
   *
   * @param expected what this appender believes the table records for the batch's partitions
   * @return committed, fenced or empty
   * @throws RuntimeException when S3, the catalog or DuckDB failed: nothing was committed (or
   *     the outcome is settled later through the journal); the staged rows stay
   */
  public FlushOutcome flush(FlushTrigger trigger, Slot staged, Map<Integer, Long> expected) {
    StagingBuffer staging = staged.buffer();
    Batch batch = staged.batch();
    if (batch.isEmpty()) {
      return new FlushOutcome.Empty();
    }
    settlePendingUploads();
    Table table = committer.table();
    String commitId = UUID.randomUUID().toString();
    Map<String, Long> phases = new LinkedHashMap<>();
    phases.put("stage", batch.stageNanos() / 1_000_000);
    long t0 = System.nanoTime();
    try {
      List<ExportedFile> exported = staging.export(commitId, targetFileBytes, table.schema());
      long t1 = System.nanoTime();
      phases.put("copy", (t1 - t0) / 1_000_000);

      List<Upload> uploads = plan(table, staging.definition().sortOrder(), commitId, exported);
      journal.add(
          UploadJournal.Entry.beforeRequest(
              commitId,
              clock.millis(),
              uploads.stream().map(Upload::location).toList(),
              table.uuid().toString()));
      hooks.beforeUpload();
      long bytes = upload(table.io(), commitId, uploads);
      long t2 = System.nanoTime();
      phases.put("upload", (t2 - t1) / 1_000_000);
      hooks.afterUpload();

      BatchCommitter.Outcome outcome = commit(trigger, batch, expected, commitId, uploads);
      phases.put("commit", (System.nanoTime() - t2) / 1_000_000);
      if (outcome instanceof BatchCommitter.Fenced fenced) {
        deleteUploaded(table.io(), commitId);
        return new FlushOutcome.Fenced(fenced.moved(), fenced.recorded());
      }
      BatchCommitter.Committed committed = (BatchCommitter.Committed) outcome;
      journal.remove(commitId);
      return new FlushOutcome.Committed(
          committed.snapshotId(),
          committed.offsets(),
          uploads.size(),
          bytes,
          committed.conflictRetries(),
          phases);
    } finally {
      staging.deleteExport(commitId);
    }
  }

  private BatchCommitter.Outcome commit(
      FlushTrigger trigger,
      Batch batch,
      Map<Integer, Long> expected,
      String commitId,
      List<Upload> uploads) {
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put("telemetry-lake.trigger", trigger.label());
    summary.put("telemetry-lake.records", Long.toString(batch.records()));
    summary.put("telemetry-lake.appender", appenderId);
    try {
      return committer.commit(
          uploads.stream().map(Upload::dataFile).toList(),
          batch.nextOffsets(),
          expected,
          commitId,
          summary,
          (tableUuid, baseSnapshotId) -> recordRequest(commitId, tableUuid, baseSnapshotId));
    } catch (CommitUnknownException e) {
      // the files may be referenced by the table now: keep them (journal) until that is settled
      throw e;
    } catch (RuntimeException e) {
      deleteUploaded(committer.table().io(), commitId);
      throw e;
    }
  }

  /** Written before the request goes out, so a later settle knows what it asserted. */
  private void recordRequest(String commitId, String tableUuid, Long baseSnapshotId) {
    for (UploadJournal.Entry e : journal.entries()) {
      if (e.commitId().equals(commitId)) {
        journal.replace(e.sending(tableUuid, baseSnapshotId));
      }
    }
  }

  /** One file to upload: where it goes and its Iceberg description. */
  private record Upload(ExportedFile local, String location, DataFile dataFile) {}

  private List<Upload> plan(Table table, SortOrder written, String commitId, List<ExportedFile> exported) {
    PartitionSpec spec = table.spec();
    MetricsConfig metricsConfig = MetricsConfig.forTable(table);
    // declare the sort order only when the table's is the one the COPY sorts by
    SortOrder sortOrder =
        table.sortOrder().sameOrder(written) ? table.sortOrder() : SortOrder.unsorted();
    List<Upload> uploads = new ArrayList<>();
    int n = 0;
    for (ExportedFile f : exported) {
      PartitionData partition = new PartitionData(spec.partitionType());
      partition.set(0, f.day());
      String location =
          table
              .locationProvider()
              .newDataLocation(spec, partition, commitId + "-" + (n++) + ".parquet");
      long size;
      try {
        size = Files.size(f.path());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      DataFile dataFile =
          DataFiles.builder(spec)
              .withPath(location)
              .withFormat(FileFormat.PARQUET)
              .withFileSizeInBytes(size)
              .withPartition(partition)
              .withMetrics(
                  ParquetUtil.fileMetrics(
                      org.apache.iceberg.Files.localInput(f.path().toFile()), metricsConfig))
              .withSortOrder(sortOrder)
              .build();
      uploads.add(new Upload(f, location, dataFile));
    }
    return uploads;
  }

  private long upload(FileIO io, String commitId, List<Upload> uploads) {
    long bytes = 0;
    try {
      for (Upload u : uploads) {
        try (OutputStream out = io.newOutputFile(u.location()).createOrOverwrite()) {
          Files.copy(u.local().path(), out);
        }
        bytes += u.dataFile().fileSizeInBytes();
      }
      return bytes;
    } catch (IOException | RuntimeException e) {
      deleteUploaded(io, commitId);
      if (e instanceof IOException io2) {
        throw new UncheckedIOException("upload failed: " + e.getMessage(), io2);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Deletes an attempt's files that are known not to be committed. What cannot be deleted now
   * (S3 down) stays in the journal and is retried by {@link #settlePendingUploads}.
   */
  private void deleteUploaded(FileIO io, String commitId) {
    for (UploadJournal.Entry e : journal.entries()) {
      if (e.commitId().equals(commitId)) {
        List<String> left = deleteAll(io, e.locations());
        if (left.isEmpty()) {
          journal.remove(commitId);
        } else {
          journal.replace(e.withLocations(left));
        }
      }
    }
  }

  /** Deletes what it can; returns the locations left, and remembers the last failure. */
  private List<String> deleteAll(FileIO io, List<String> locations) {
    List<String> left = new ArrayList<>();
    for (String location : locations) {
      try {
        io.deleteFile(location);
      } catch (RuntimeException e) {
        left.add(location);
        lastDeleteFailure = e;
      }
    }
    if (!left.isEmpty()) {
      LOG.warn("could not delete {} file(s) of a failed flush attempt yet; will retry", left.size());
    }
    return left;
  }

  /**
   * Settles attempts left open by failures or a crash ({@link PendingAttempt}): files of a commit
   * found in the table stay, files of attempts that provably cannot land any more are deleted,
   * attempts whose request may still be applied stay open. Needs the catalog and S3; throws when
   * they are down.
   */
  public void settlePendingUploads() {
    if (journal.isEmpty()) {
      return;
    }
    Table table = committer.table();
    table.refresh();
    for (UploadJournal.Entry e : journal.entries()) {
      PendingAttempt.Decision d = PendingAttempt.decide(e, table);
      switch (d.verdict()) {
        case COMMITTED -> {
          LOG.info("flush attempt {} turned out committed ({}); keeping its files", e.commitId(), d.reason());
          journal.remove(e.commitId());
        }
        case OPEN -> LOG.info("flush attempt {} is still undecided ({}); keeping its {} file(s)",
            e.commitId(), d.reason(), e.locations().size());
        case UNPROVABLE -> {
          LOG.warn("cannot tell whether flush attempt {} committed ({}); leaving {} file(s) to"
              + " orphan-file clean-up", e.commitId(), d.reason(), e.locations().size());
          journal.remove(e.commitId());
        }
        case CANNOT_LAND -> deleteAttempt(table.io(), e, d.reason());
      }
    }
  }

  private void deleteAttempt(FileIO io, UploadJournal.Entry e, String reason) {
    List<String> left = deleteAll(io, e.locations());
    if (!left.isEmpty()) {
      journal.replace(e.withLocations(left));
      throw new UncheckedIOException(
          new IOException(
              "cannot delete files of the failed flush attempt " + e.commitId() + ": "
                  + (lastDeleteFailure == null ? "?" : lastDeleteFailure.getMessage()),
              lastDeleteFailure));
    }
    LOG.info("deleted {} file(s) of the flush attempt {} ({})", e.locations().size(), e.commitId(), reason);
    journal.remove(e.commitId());
  }
}
