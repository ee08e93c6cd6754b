package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedServerTest {

  @TempDir Path dir;

  @Test
  void serverThatNeverAnswersFailsWithItsNameAndLogAndIsStopped() throws Exception {
    ManagedServer server = server(new Definition(List.of("block"), false), Duration.ofSeconds(1));

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fake was not ready within 1 s")
        .hasMessageContaining(dir.resolve("logs/fake.log").toString())
        .hasMessageContaining("blocking until stdin closes");
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void serverThatExitsDuringStartUpIsReportedWithExitCodeAndLogTail() throws Exception {
    ManagedServer server =
        server(
            new Definition(List.of("exit", "3", "boom: bad config"), false),
            Duration.ofSeconds(30));

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fake exited with code 3 before it was ready")
        .hasMessageContaining("boom: bad config");
  }

  @Test
  void readyServerStopsAndStartsAgain() throws Exception {
    ManagedServer server = server(new Definition(List.of("block"), true), Duration.ofSeconds(30));

    server.start();
    long firstPid = server.pid().orElseThrow();
    server.stop();
    boolean runningAfterStop = server.isRunning();
    server.start();

    assertThat(runningAfterStop).isFalse();
    assertThat(server.isRunning()).isTrue();
    assertThat(server.pid().orElseThrow()).isNotEqualTo(firstPid);
    assertThat(server.startupTime()).isPresent();
    server.kill();
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void pausedServerIsFrozenUntilResumedAndAKilledOneReportsItsExitCode() throws Exception {
    ManagedServer server = server(new Definition(List.of("block"), true), Duration.ofSeconds(30));
    server.start();
    long pid = server.pid().orElseThrow();

    server.pause();
    char paused = processState(pid);
    server.resume();
    char resumed = processState(pid);
    OptionalInt whileRunning = server.exitCode();
    server.kill();

    assertThat(paused).as("state in /proc while paused").isEqualTo('T');
    assertThat(resumed).as("state in /proc once resumed").isNotEqualTo('T');
    assertThat(whileRunning).isEmpty();
    assertThat(server.exitCode()).hasValue(137);
  }

  /** The state letter of /proc/PID/stat (R, S, T = stopped, ...). */
  private static char processState(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  private ManagedServer server(Definition definition, Duration timeout) throws URISyntaxException {
    Path testClasses =
        Path.of(TestChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return new ManagedServer(
        definition,
        List.of(testClasses),
        dir.resolve("run"),
        dir.resolve("logs/fake.log"),
        timeout,
        ClassDataSharing.disabled());
  }

  /** Ready once the child has printed its first line when {@code answers}, never otherwise. */
  private final class Definition implements ServerDefinition {
    private final List<String> args;
    private final boolean answers;

    Definition(List<String> args, boolean answers) {
      this.args = args;
      this.answers = answers;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public String address() {
      return "fake:0";
    }

    @Override
    public List<Integer> ports() {
      return List.of();
    }

    @Override
    public ChildSpec prepare() {
      return new ChildSpec(name(), List.of("-Xmx32m"), TestChildMain.class.getName(), args);
    }

    @Override
    public void probe() throws IOException {
      Path log = dir.resolve("logs/fake.log");
      // the log is appended across starts: only the lines after the latest start header count
      String text = Files.exists(log) ? Files.readString(log) : "";
      boolean printed = text.substring(Math.max(0, text.lastIndexOf("---- "))).contains("blocking");
      if (!answers || !printed) {
        throw new IOException("not ready");
      }
    }
  }
}
