package io.telemetrylake.devstack.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Entry point of the Kafka child process: formats the KRaft storage on first use, then runs the
 * broker. Usage: {@code KafkaMain <server.properties> <cluster-id>}.
 *
 * <p>Runs in the child JVM on the broker's own classpath; the launcher never loads this class.
 */
public final class KafkaMain {

  private KafkaMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: KafkaMain <server.properties> <cluster-id>");
    }
    // Before any Kafka class is touched: log4j reads this on its first use.
    URL logConfig = KafkaMain.class.getResource("/telemetry-lake/devstack/kafka-log4j2.xml");
    if (logConfig != null && System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", logConfig.toString());
    }
    exitWhenParentDies();

    String serverProperties = args[0];
    if (!isFormatted(Path.of(serverProperties))) {
      int code =
          kafka.tools.StorageTool.execute(
              new String[] {"format", "-t", args[1], "-c", serverProperties, "--ignore-formatted"},
              System.out);
      if (code != 0) {
        System.err.println("kafka storage format failed with exit code " + code);
        System.exit(code);
      }
    }
    kafka.Kafka.main(new String[] {serverProperties});
  }

  /** Formatting writes meta.properties into the log directory; keep the cluster id from then on. */
  private static boolean isFormatted(Path serverProperties) throws IOException {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(serverProperties, StandardCharsets.UTF_8)) {
      props.load(in);
    }
    String logDirs = props.getProperty("log.dirs");
    if (logDirs == null) {
      throw new IllegalArgumentException("log.dirs missing in " + serverProperties);
    }
    for (String dir : logDirs.split(",")) {
      if (!Files.exists(Path.of(dir.trim(), "meta.properties"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The launcher keeps our stdin open for as long as it lives, so end-of-file means it is gone
   * (even after SIGKILL). Exit gracefully so Kafka closes its logs, and halt if that hangs.
   */
  private static void exitWhenParentDies() {
    Thread watch =
        new Thread(
            () -> {
              drain(System.in);
              System.err.println("devstack launcher is gone (stdin closed): exiting");
              Thread halt =
                  new Thread(
                      () -> {
                        sleepQuietly(20_000);
                        Runtime.getRuntime().halt(3);
                      },
                      "parent-watch-halt");
              halt.setDaemon(true);
              halt.start();
              System.exit(3);
            },
            "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }

  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // nothing is sent on purpose; only end-of-file matters
      }
    } catch (IOException e) {
      // a broken pipe means the same as end-of-file
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
