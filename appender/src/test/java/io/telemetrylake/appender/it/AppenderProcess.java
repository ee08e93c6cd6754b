package io.telemetrylake.appender.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The appender as a real process, started the way the run command does: {@code java -cp
 * target/classes:$(cat target/appender.classpath) io.telemetrylake.appender.AppenderMain}. For
 * what only a process has: signals, exit codes, kill -9.
 */
final class AppenderProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int port;

  private AppenderProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static AppenderProcess start(Map<String, String> env, Path log) {
    int port = freePort();
    String classpath;
    try {
      classpath = Path.of("target/classes").toAbsolutePath() + ":"
          + Files.readString(Path.of("target/appender.classpath")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("build the module first (target/appender.classpath)", e);
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, "io.telemetrylake.appender.AppenderMain"));
    pb.environment().putAll(env);
    pb.environment().put("APPENDER_PORT", Integer.toString(port));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      AppenderProcess p = new AppenderProcess(pb.start(), log, port);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
        if (!p.process.isAlive()) {
          throw new IllegalStateException("appender exited with " + p.process.exitValue() + ":\n" + p.log());
        }
        try {
          return Lake.http("GET", port, "/healthz", null).statusCode() == 200;
        } catch (UncheckedIOException e) {
          return false;
        }
      });
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, then the exit code. */
  int terminate(Duration timeout) {
    process.destroy();
    return waitFor(timeout);
  }

  int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("appender did not exit within " + timeout + ":\n" + log());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
