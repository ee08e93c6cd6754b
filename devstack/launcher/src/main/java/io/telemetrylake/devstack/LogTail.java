package io.telemetrylake.devstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines a child wrote to its log in its latest run. Logs are appended across restarts
 * (one {@code ---- <time> devstack starts <name>} header per start) and may be large: only the
 * end of the file is read.
 */
final class LogTail {

  static final String START_HEADER = "---- ";
  static final String START_MARK = " devstack starts ";
  private static final int MAX_BYTES = 64 * 1024;

  private LogTail() {}

  /** At most {@code lines} lines after the latest start header; empty when there is no log. */
  static List<String> lastLines(Path log, int lines) throws IOException {
    byte[] bytes;
    boolean fromStart;
    try (SeekableByteChannel channel = Files.newByteChannel(log)) {
      long size = channel.size();
      int length = (int) Math.min(size, MAX_BYTES);
      fromStart = length == size;
      channel.position(size - length);
      ByteBuffer buffer = ByteBuffer.allocate(length);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // read until the buffer is full
      }
      bytes = Arrays.copyOf(buffer.array(), buffer.position());
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<String> all = new ArrayList<>(List.of(new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1)));
    if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
      all.remove(all.size() - 1);
    }
    if (!fromStart && !all.isEmpty()) {
      all.remove(0); // cut in the middle
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      String line = all.get(i);
      if (line.startsWith(START_HEADER) && line.contains(START_MARK)) {
        all = all.subList(i + 1, all.size());
        break;
      }
    }
    return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
  }
}
