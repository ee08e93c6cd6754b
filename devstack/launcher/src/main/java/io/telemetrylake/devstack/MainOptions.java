package io.telemetrylake.devstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** DevStackMain's command line and environment, turned into a {@link DevStackConfig}. */
final class MainOptions {

  static final String DATA_DIR_ENV = "LAKE_DATA_DIR";
  static final String KAFKA_PORT_ENV = "LAKE_KAFKA_PORT";
  static final String S3_PORT_ENV = "LAKE_S3_PORT";
  static final String CATALOG_PORT_ENV = "LAKE_CATALOG_PORT";
  static final String KAFKA_BROKERS_ENV = "LAKE_KAFKA_BROKERS";
  static final String STATUS_PORT_ENV = "LAKE_STATUS_PORT";

  /** Conventional ports, so a developer's tools find the stack without reading its output. */
  static final int DEFAULT_KAFKA_PORT = 9092;

  static final int DEFAULT_S3_PORT = 9000;
  static final int DEFAULT_CATALOG_PORT = 8181;

  static final String USAGE =
      "usage: lake up [--wipe] [--servers-only]\n"
          + "  --wipe           delete the data directory's contents first\n"
          + "  --servers-only   start Kafka, S3 and the catalog but not the ingester and appender\n"
          + "environment: "
          + DATA_DIR_ENV
          + " (default <repo>/.lake), "
          + KAFKA_PORT_ENV
          + " ("
          + DEFAULT_KAFKA_PORT
          + "), "
          + S3_PORT_ENV
          + " ("
          + DEFAULT_S3_PORT
          + "), "
          + CATALOG_PORT_ENV
          + " ("
          + DEFAULT_CATALOG_PORT
          + "); a port of 0 picks a free one; "
          + KAFKA_BROKERS_ENV
          + " 1 (default) or 3: a 3-broker KRaft cluster (replication 3, min.insync.replicas 2) whose"
          + " brokers listen on "
          + KAFKA_PORT_ENV
          + ", +1, +2; "
          + STATUS_PORT_ENV
          + " (0 = a free one): where ./lake status asks\n"
          + "A service (ingester, appender, maintenance) that ends is restarted: "
          + RestartPolicy.STANDARD.describe()
          + ". When Kafka, S3 or the catalog ends, or a service is given up on, everything stops and"
          + " lake up exits 1.";

  private MainOptions() {}

  /**
   * @param args command-line arguments
   * @param env environment variables
   * @param startDir where to look for the repository (then its parents)
   * @throws IllegalArgumentException with a message for the user on a bad argument or variable
   */
  static DevStackConfig parse(String[] args, Map<String, String> env, Path startDir) {
    boolean wipe = false;
    for (String arg : args) {
      if (arg.equals("--wipe")) {
        wipe = true;
      } else {
        throw new IllegalArgumentException("unknown argument " + arg + "\n" + USAGE);
      }
    }
    String dataDirValue = env.get(DATA_DIR_ENV);
    Path dataDir =
        dataDirValue == null || dataDirValue.isBlank()
            ? repoRoot(startDir).resolve(".lake")
            : startDir.resolve(dataDirValue);
    return DevStackConfig.builder(dataDir)
        .kafkaPort(port(env, KAFKA_PORT_ENV, DEFAULT_KAFKA_PORT))
        .kafkaBrokers(brokers(env))
        .s3Port(port(env, S3_PORT_ENV, DEFAULT_S3_PORT))
        .catalogPort(port(env, CATALOG_PORT_ENV, DEFAULT_CATALOG_PORT))
        .wipe(wipe)
        .build();
  }

  static int brokers(Map<String, String> env) {
    String value = env.get(KAFKA_BROKERS_ENV);
    if (value == null || value.isBlank()) {
      return 1;
    }
    if (value.strip().equals("1") || value.strip().equals("3")) {
      return Integer.parseInt(value.strip());
    }
    throw new IllegalArgumentException(KAFKA_BROKERS_ENV + " must be 1 or 3, got '" + value + "'");
  }

  static int port(Map<String, String> env, String name, int defaultPort) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return defaultPort;
    }
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be a port number (0-65535), got '" + value + "'");
  }

  /**
   * The nearest directory at or above {@code start} whose pom.xml is this project's parent pom; the
   * start directory itself when there is none.
   */
  static Path repoRoot(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      Path pom = dir.resolve("pom.xml");
      if (Files.isRegularFile(pom) && isParentPom(pom)) {
        return dir;
      }
    }
    return start.toAbsolutePath().normalize();
  }

  private static boolean isParentPom(Path pom) {
    try {
      // a module's pom names the parent pom too, inside <parent>: look past that block
      return Files.readString(pom, StandardCharsets.UTF_8)
          .replaceAll("(?s)<parent>.*?</parent>", "")
          .contains("<artifactId>telemetry-lake-parent</artifactId>");
    } catch (IOException e) {
      return false;
    }
  }
}
