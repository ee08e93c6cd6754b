package io.telemetrylake.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.devstack.RestartPolicy.Role;
import io.telemetrylake.devstack.ServiceStatus.Readiness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor with real child JVMs ({@link TestChildMain}) that get killed from outside. */
class SupervisorTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final ByteArrayOutputStream console = new ByteArrayOutputStream();
  private final List<String> stops = new CopyOnWriteArrayList<>();
  private final List<ManagedServer> started = new CopyOnWriteArrayList<>();
  private final Supervisor supervisor =
      new Supervisor(
          new RestartPolicy(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(60), 2),
          new PrintStream(console, true, StandardCharsets.UTF_8),
          stops::add,
          Clock.systemUTC());

  @AfterEach
  void stopChildren() {
    supervisor.close();
    started.forEach(ManagedServer::stop);
  }

  @Test
  void aServiceKilledFromOutsideIsReportedWithItsLogAndRestartedAndStatusCountsIt() {
    ManagedServer service = start("ingester", new Definition("ingester"));
    supervisor.watch(service, Role.SERVICE);
    long firstPid = service.pid().orElseThrow();

    ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> console().contains("ingester is running again"));
    assertThat(console())
        .contains(
            "lake up: ingester (pid " + firstPid + ") ended with exit code 137 (killed by SIGKILL) after ")
        .contains("last 1 lines of " + service.logFile() + ":\n  | blocking until stdin closes")
        .contains("lake up: restarting ingester in 50 ms (restart 1)");
    assertThat(service.pid().orElseThrow()).isNotEqualTo(firstPid);
    ServiceStatus row = supervisor.status().get(0);
    assertThat(row.ready()).isEqualTo(Readiness.YES);
    assertThat(row.restarts()).isEqualTo(1);
    assertThat(row.pid()).isEqualTo(service.pid());
    assertThat(row.note()).startsWith("last exit 137 (killed by SIGKILL), ");
    assertThat(stops).isEmpty();
  }

  @Test
  void aServerThatEndsStopsTheStackAndIsNotRestarted() {
    ManagedServer server = start("s3", new Definition("s3"));
    supervisor.watch(server, Role.SERVER);
    long pid = server.pid().orElseThrow();

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> !stops.isEmpty());
    assertThat(stops).containsExactly("the stack cannot run without s3");
    assertThat(console())
        .contains("lake up: s3 (pid " + pid + ") ended with exit code 137 (killed by SIGKILL)")
        .contains("  | blocking until stdin closes")
        .contains("lake up: the stack cannot run without s3; stopping everything")
        .doesNotContain("restarting");
    assertThat(supervisor.status().get(0).ready()).isEqualTo(Readiness.STOPPED);
  }

  @Test
  void aServiceThatCannotStartAgainIsGivenUpOnAfterItsRestartsInARow() {
    Definition definition = new Definition("appender");
    ManagedServer service = start("appender", definition);
    supervisor.watch(service, Role.SERVICE);
    definition.args = List.of("exit", "1", "staging disk full");

    ProcessHandle.of(service.pid().orElseThrow()).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> !stops.isEmpty());
    assertThat(stops)
        .containsExactly("appender ended 3 times in a row within 60 s of its start: giving up on it");
    assertThat(console())
        .contains("lake up: restarting appender in 50 ms (restart 1)")
        .contains("lake up: appender did not start again: appender exited with code 1 before it was ready")
        .contains("staging disk full")
        .contains("lake up: restarting appender in 100 ms (restart 2; 2 in a row within 60 s of the start, at most 2)")
        .contains("giving up on it; stopping everything");
  }

  @Test
  void stopsAndKillsAskedForAreNoSurprise() {
    ManagedServer service = start("maintenance", new Definition("maintenance"));
    supervisor.watch(service, Role.SERVICE);
    long stoppedPid = service.pid().orElseThrow();

    service.stop();
    service.start();
    service.kill();
    service.start();
    long pid = service.pid().orElseThrow();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    // the only report is of the process killed from outside
    await().atMost(WAIT).until(() -> console().contains("is running again"));
    assertThat(console()).doesNotContain("(pid " + stoppedPid + ")").contains("(pid " + pid + ") ended");
    assertThat(console().split("ended with exit code", -1)).hasSize(2);
  }

  private String console() {
    return console.toString(StandardCharsets.UTF_8);
  }

  private ManagedServer start(String name, Definition definition) {
    try {
      Path testClasses =
          Path.of(TestChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      ManagedServer server =
          new ManagedServer(
              definition,
              List.of(testClasses),
              dir.resolve("run"),
              dir.resolve("logs/" + name + ".log"),
              Duration.ofSeconds(30),
              ClassDataSharing.disabled());
      started.add(server);
      server.start();
      return server;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Ready once the child has printed that it blocks; runs {@code args} (changeable). */
  private final class Definition implements ServerDefinition {
    private final String name;
    volatile List<String> args = List.of("block");

    Definition(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String address() {
      return "fake:" + name;
    }

    @Override
    public List<Integer> ports() {
      return List.of();
    }

    @Override
    public ChildSpec prepare() {
      return new ChildSpec(name, List.of("-Xmx32m"), TestChildMain.class.getName(), args);
    }

    @Override
    public void probe() throws IOException {
      Path log = dir.resolve("logs/" + name + ".log");
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (!text.substring(Math.max(0, text.lastIndexOf("---- "))).contains("blocking")) {
        throw new IOException("not ready");
      }
    }
  }
}
