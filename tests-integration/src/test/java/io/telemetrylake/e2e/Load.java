package io.telemetrylake.e2e;

import io.telemetrylake.tools.send.SendCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/**
 * A background {@code lake send} run whose acknowledged records are written down, so a test can
 * compare the table with exactly what got a 200.
 */
final class Load {
  final String runId = "f" + UUID.randomUUID().toString().substring(0, 7);
  final Path ackedFile;
  private final CompletableFuture<Integer> done;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();

  private Load(URI endpoint, Path dir, List<String> extraArgs) throws IOException {
    this.ackedFile = Files.createTempFile(dir, runId, ".acked");
    List<String> args = new ArrayList<>(List.of(
        "--endpoint", endpoint.toString(), "--run-id", runId, "--acked-ids", ackedFile.toString(),
        "--max-retries", "1000", "--timeout", "15", "--json"));
    args.addAll(extraArgs);
    PrintWriter out = new PrintWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), true);
    this.done = CompletableFuture.supplyAsync(
        // Options given by a test override the defaults above.
        () -> new CommandLine(new SendCommand()).setOverwrittenOptionsAllowed(true).setOut(out)
            .execute(args.toArray(String[]::new)));
  }

  /**
   * Starts sending to {@code endpoint} (a lake's {@code logsUri()}, or its {@code tracesUri()} with
   * {@code --signal traces}); {@code args} are {@code lake send} options (count, rate, connections ...).
   */
  static Load start(URI endpoint, Path dir, String... args) throws IOException {
    return new Load(endpoint, dir, List.of(args));
  }

  boolean isDone() {
    return done.isDone();
  }

  /** Waits for the run to end; returns {@code lake send}'s exit code (0 = every record acknowledged). */
  int await() {
    return done.join();
  }

  /** {@code lake send}'s JSON summary (statuses, latencies, counts) once the run is over. */
  String summary() {
    return output.toString(StandardCharsets.UTF_8);
  }

  /** The ids of every acknowledged record. */
  Set<String> ackedIds() throws IOException {
    Set<String> ids = new HashSet<>();
    for (String line : Files.readAllLines(ackedFile, StandardCharsets.UTF_8)) {
      String[] parts = line.trim().split(" ");
      if (parts.length != 3) {
        continue;
      }
      long first = Long.parseLong(parts[1]);
      int n = Integer.parseInt(parts[2]);
      for (long seq = first; seq < first + n; seq++) {
        ids.add(parts[0] + "-" + seq);
      }
    }
    return ids;
  }
}
