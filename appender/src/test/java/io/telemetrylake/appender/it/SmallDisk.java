package io.telemetrylake.appender.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a directory, to give a process a disk that fills up. Needs root (as on
 * these machines and CI); where {@code mount} is refused the test is skipped, saying why.
 */
final class SmallDisk implements AutoCloseable {
  private final Path dir;

  private SmallDisk(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (mount's syntax, e.g. {@code 40m}) on {@code dir}. */
  static SmallDisk mount(Path dir, String size) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Result r = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    Assumptions.assumeTrue(
        r.code() == 0,
        () -> "skipped: cannot mount a " + size + " tmpfs on " + dir + " (needs root): " + r.output());
    return new SmallDisk(dir);
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    Result r = run("umount", dir.toString());
    if (r.code() != 0) {
      // something still holds a file there: detach now, the kernel frees it once released
      Result lazy = run("umount", "-l", dir.toString());
      if (lazy.code() != 0) {
        throw new IllegalStateException("cannot unmount " + dir + ": " + r.output() + lazy.output());
      }
    }
  }

  private record Result(int code, String output) {}

  private static Result run(String... command) {
    try {
      Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, String.join(" ", command) + " timed out");
      }
      return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()).trim());
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
