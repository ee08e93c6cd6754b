package io.telemetrylake.devstack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to start a {@link DevStack}.
 *
 * @param dataDir where every server keeps its data, configuration and log ({@code
 *     logs/<name>.log}); reused by the next start unless {@code wipe} is set
 * @param kafkaPort the (first) broker's PLAINTEXT port on 127.0.0.1; 0 picks free ones. With
 *     several brokers, broker {@code n} listens on {@code kafkaPort + n - 1}
 * @param kafkaBrokers 1 (one combined KRaft node, no replication) or 3 (three combined KRaft
 *     nodes, replication factor 3 and min.insync.replicas 2 for every topic)
 * @param s3Port s3proxy's port; 0 picks a free one
 * @param catalogPort the REST catalog's port; 0 picks a free one
 * @param wipe delete everything in {@code dataDir} before starting
 * @param readyTimeout how long each server may take to become ready
 */
public record DevStackConfig(
    Path dataDir,
    int kafkaPort,
    int kafkaBrokers,
    int s3Port,
    int catalogPort,
    boolean wipe,
    Duration readyTimeout) {

  /** Generous: two cores shared with a build can make a JVM start slowly. */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);

  public DevStackConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    dataDir = dataDir.toAbsolutePath().normalize();
    checkPort("kafkaPort", kafkaPort);
    if (kafkaBrokers != 1 && kafkaBrokers != 3) {
      throw new IllegalArgumentException("kafkaBrokers must be 1 or 3, got " + kafkaBrokers);
    }
    checkPort("s3Port", s3Port);
    checkPort("catalogPort", catalogPort);
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    if (readyTimeout.isNegative() || readyTimeout.isZero()) {
      throw new IllegalArgumentException("readyTimeout must be positive, got " + readyTimeout);
    }
  }

  /** Replicas of every topic: all brokers. */
  public int replicationFactor() {
    return kafkaBrokers;
  }

  /** In-sync replicas a write needs: a majority, so one broker may be lost without losing data. */
  public int minInsyncReplicas() {
    return kafkaBrokers / 2 + 1;
  }

  /** One broker, free ports, no wipe, the default timeout. */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  private static void checkPort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " must be between 0 and 65535, got " + port);
    }
  }

  /** Builder with the defaults of {@link #builder(Path)}. */
  public static final class Builder {
    private final Path dataDir;
    private int kafkaPort;
    private int kafkaBrokers = 1;
    private int s3Port;
    private int catalogPort;
    private boolean wipe;
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    public Builder kafkaPort(int port) {
      this.kafkaPort = port;
      return this;
    }

    public Builder kafkaBrokers(int brokers) {
      this.kafkaBrokers = brokers;
      return this;
    }

    public Builder s3Port(int port) {
      this.s3Port = port;
      return this;
    }

    public Builder catalogPort(int port) {
      this.catalogPort = port;
      return this;
    }

    public Builder wipe(boolean wipe) {
      this.wipe = wipe;
      return this;
    }

    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    public DevStackConfig build() {
      return new DevStackConfig(
          dataDir, kafkaPort, kafkaBrokers, s3Port, catalogPort, wipe, readyTimeout);
    }
  }
}
