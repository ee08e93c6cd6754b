package io.telemetrylake.appender.flush;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * A FileIO on the local disk (locations are plain paths), so tests can list what was written, and
 * can make uploads fail like an unreachable S3. Loaded by the in-memory catalog through {@code
 * io-impl}, hence the static switch.
 */
public final class LocalFileIO implements FileIO {
  public static volatile boolean failWrites;
  /** When set, writes wait for it (a slow S3): a flush is caught in the middle of its upload. */
  public static volatile java.util.concurrent.CountDownLatch holdWrites;
  /** Writes waiting for {@link #holdWrites} now. */
  public static final java.util.concurrent.atomic.AtomicInteger heldWrites =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The catalog hands out {@code file:} URIs; the local helpers want paths. */
  private static String local(String location) {
    return location.startsWith("file:") ? java.net.URI.create(location).getPath() : location;
  }

  @Override
  public InputFile newInputFile(String path) {
    return org.apache.iceberg.Files.localInput(local(path));
  }

  @Override
  public OutputFile newOutputFile(String path) {
    if (failWrites) {
      throw new UncheckedIOException(new IOException("simulated S3 outage: cannot write " + path));
    }
    java.util.concurrent.CountDownLatch hold = holdWrites;
    if (hold != null) {
      heldWrites.incrementAndGet();
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException("interrupted while held"));
      } finally {
        heldWrites.decrementAndGet();
      }
    }
    try {
      Files.createDirectories(Path.of(local(path)).getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DelegatingOutput(org.apache.iceberg.Files.localOutput(local(path)), path);
  }

  @Override
  public void deleteFile(String path) {
    if (failWrites) {
      throw new UncheckedIOException(new IOException("simulated S3 outage: cannot delete " + path));
    }
    try {
      Files.deleteIfExists(Path.of(local(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reports the location as given (with its scheme), as S3FileIO would. */
  private record DelegatingOutput(OutputFile local, String location) implements OutputFile {
    @Override
    public org.apache.iceberg.io.PositionOutputStream create() {
      return local.create();
    }

    @Override
    public org.apache.iceberg.io.PositionOutputStream createOrOverwrite() {
      return local.createOrOverwrite();
    }

    @Override
    public InputFile toInputFile() {
      return local.toInputFile();
    }
  }

  /** Every Parquet data file under {@code dir}. */
  public static List<String> dataFiles(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(".parquet") && p.toString().contains("/data/"))
          .map(Path::toString).sorted().toList();
    }
  }
}
