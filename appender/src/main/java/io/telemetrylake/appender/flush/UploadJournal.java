package io.telemetrylake.appender.flush;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Data files uploaded (or about to be) by flush attempts whose commit is not known to have
 * succeeded. Written to a small JSON file in the staging directory before the first upload, so
 * that files of a crashed or failed attempt can be deleted later (after a restart too) instead of
 * lingering in the warehouse as orphans. The staging database is wiped at start-up; this file is
 * not.
 */
public final class UploadJournal {
  static final String FILE_NAME = "pending-uploads.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final List<Entry> entries;

  /**
   * One attempt's files, and what is needed to tell later whether its commit can still land.
   *
   * @param createdAtMillis when the attempt started
   * @param tableUuid the table the files were written for; null in entries written before this
   *     field existed, whose outcome can then never be proven (their files are never deleted)
   * @param request the commit request last sent for the attempt; null while none was sent
   */
  public record Entry(
      String commitId,
      long createdAtMillis,
      List<String> locations,
      String tableUuid,
      Request request) {
    public Entry {
      locations = List.copyOf(locations);
    }

    /** A new attempt whose commit request is not sent yet. */
    public static Entry beforeRequest(
        String commitId, long createdAtMillis, List<String> locations, String tableUuid) {
      return new Entry(commitId, createdAtMillis, locations, tableUuid, null);
    }

    /** The same attempt, about to send a commit request built on {@code baseSnapshotId}. */
    public Entry sending(String uuid, Long baseSnapshotId) {
      return new Entry(commitId, createdAtMillis, locations, uuid, new Request(baseSnapshotId));
    }

    /** The same attempt with fewer files left to delete. */
    public Entry withLocations(List<String> left) {
      return new Entry(commitId, createdAtMillis, left, tableUuid, request);
    }
  }

  /**
   * A commit request that may have reached the catalog. It asserts that the main branch is at
   * {@code baseSnapshotId} (null: the table had no snapshot), so it can only ever be applied
   * while main is there.
   */
  public record Request(Long baseSnapshotId) {}

  private UploadJournal(Path file, List<Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  public static UploadJournal open(Path stagingDir) {
    Path file = stagingDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(stagingDir);
      if (!Files.exists(file)) {
        return new UploadJournal(file, new ArrayList<>());
      }
      List<Entry> entries = JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() {});
      return new UploadJournal(file, new ArrayList<>(entries));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the upload journal " + file, e);
    }
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Records an attempt's files before any of them is uploaded. */
  public void add(Entry entry) {
    entries.add(entry);
    save();
  }

  /** The attempt is settled: its files are in the table, or deleted. */
  public void remove(String commitId) {
    if (entries.removeIf(e -> e.commitId().equals(commitId))) {
      save();
    }
  }

  /** Replaces the attempt's entry (fewer locations left, or the request about to be sent). */
  public void replace(Entry entry) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).commitId().equals(entry.commitId())) {
        entries.set(i, entry);
      }
    }
    save();
  }

  private void save() {
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(entries));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the upload journal " + file, e);
    }
  }
}
