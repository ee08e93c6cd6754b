package io.telemetrylake.ingester;

import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import io.telemetrylake.ingester.kafka.Partitioning;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the ingester, read once from the environment and validated at start-up.
 *
 * <p>Kafka client properties beyond these pass through with the {@code KAFKA_CLIENT_} prefix
 * (e.g. {@code KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL}); ours win where both set the same key.
 */
public record IngesterConfig(
    String host,
    int port,
    long maxBodyBytes,
    long maxInflightBytes,
    int maxRecordBytes,
    Duration produceTimeout,
    Duration readTimeout,
    Duration bodyDeadline,
    int maxThreads,
    Duration shutdownTimeout,
    int retryAfterSeconds,
    List<String> authTokens,
    boolean metricsAuth,
    String bootstrapServers,
    String topic,
    String tracesTopic,
    int topicPartitions,
    short topicReplicationFactor,
    int topicMinInsyncReplicas,
    boolean requireDurableTopic,
    boolean createTopic,
    String compression,
    int lingerMs,
    int batchBytes,
    Partitioning.Mode partitioning,
    Map<String, String> kafkaClientProperties) {

  public static final String HOST = "INGESTER_HOST";
  public static final String PORT = "INGESTER_PORT";
  public static final String MAX_BODY_BYTES = "INGESTER_MAX_BODY_BYTES";
  public static final String MAX_INFLIGHT_BYTES = "INGESTER_MAX_INFLIGHT_BYTES";
  public static final String MAX_RECORD_BYTES = "INGESTER_MAX_RECORD_BYTES";
  public static final String PRODUCE_TIMEOUT_MS = "INGESTER_PRODUCE_TIMEOUT_MS";
  public static final String READ_TIMEOUT_SECONDS = "INGESTER_READ_TIMEOUT_SECONDS";
  public static final String BODY_DEADLINE_SECONDS = "INGESTER_BODY_DEADLINE_SECONDS";
  public static final String MAX_THREADS = "INGESTER_MAX_THREADS";
  public static final String SHUTDOWN_TIMEOUT_SECONDS = "INGESTER_SHUTDOWN_TIMEOUT_SECONDS";
  public static final String RETRY_AFTER_SECONDS = "INGESTER_RETRY_AFTER_SECONDS";
  public static final String AUTH_TOKENS = "INGESTER_AUTH_TOKENS";
  public static final String METRICS_AUTH = "INGESTER_METRICS_AUTH";
  public static final String BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
  public static final String TOPIC = "KAFKA_TOPIC";
  public static final String TRACES_TOPIC = "KAFKA_TRACES_TOPIC";
  public static final String TOPIC_PARTITIONS = "KAFKA_TOPIC_PARTITIONS";
  public static final String TOPIC_REPLICATION_FACTOR = "KAFKA_TOPIC_REPLICATION_FACTOR";
  public static final String TOPIC_MIN_INSYNC_REPLICAS = "KAFKA_TOPIC_MIN_INSYNC_REPLICAS";
  public static final String REQUIRE_DURABLE_TOPIC = "INGESTER_REQUIRE_DURABLE_TOPIC";
  public static final String TOPIC_CREATE = "KAFKA_TOPIC_CREATE";
  public static final String COMPRESSION = "INGESTER_KAFKA_COMPRESSION";
  public static final String LINGER_MS = "INGESTER_KAFKA_LINGER_MS";
  public static final String BATCH_BYTES = "INGESTER_KAFKA_BATCH_BYTES";
  public static final String PARTITIONING = "INGESTER_PARTITIONING";
  public static final String KAFKA_CLIENT_PREFIX = "KAFKA_CLIENT_";

  /** Every variable the ingester reads (the Helm chart and .env.example must match this list). */
  public static final List<String> KEYS =
      List.of(
          HOST, PORT, MAX_BODY_BYTES, MAX_INFLIGHT_BYTES, MAX_RECORD_BYTES, PRODUCE_TIMEOUT_MS,
          READ_TIMEOUT_SECONDS, BODY_DEADLINE_SECONDS, MAX_THREADS, SHUTDOWN_TIMEOUT_SECONDS,
          RETRY_AFTER_SECONDS, AUTH_TOKENS, METRICS_AUTH, BOOTSTRAP_SERVERS, TOPIC, TRACES_TOPIC,
          TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR, TOPIC_MIN_INSYNC_REPLICAS, REQUIRE_DURABLE_TOPIC,
          TOPIC_CREATE, COMPRESSION, LINGER_MS, BATCH_BYTES, PARTITIONING);

  /**
   * Spread: a busy service is shared by every appender (1.9-2.5x the append rate with one service
   * at 90 %), at the cost of file pruning by service_name on fresh data; docs/BENCHMARKS.md,
   * "Spreading a busy service".
   */
  public static final Partitioning.Mode DEFAULT_PARTITIONING = Partitioning.Mode.SPREAD;

  private static final long MIB = 1024L * 1024L;

  public static IngesterConfig from(Settings s) {
    List<String> authTokens = s.list(AUTH_TOKENS);
    // off by default: Prometheus scrapes usually carry no token, and the metrics hold no secrets
    boolean metricsAuth = s.bool(METRICS_AUTH, false);
    if (metricsAuth && authTokens.isEmpty()) {
      throw new ConfigException(METRICS_AUTH, "is true but " + AUTH_TOKENS + " is not set");
    }
    return validated(new IngesterConfig(
        s.string(HOST, "0.0.0.0"),
        s.integer(PORT, 4318, 0, 65535),
        s.longValue(MAX_BODY_BYTES, 64 * MIB, 1024, 2L * 1024 * MIB),
        s.longValue(MAX_INFLIGHT_BYTES, 256 * MIB, MIB, 64L * 1024 * MIB),
        s.integer(MAX_RECORD_BYTES, 1_000_000, 1024, 64 * 1024 * 1024),
        Duration.ofMillis(s.longValue(PRODUCE_TIMEOUT_MS, 8_000, 1_000, 120_000)),
        s.seconds(READ_TIMEOUT_SECONDS, 30, 1, 3600),
        s.seconds(BODY_DEADLINE_SECONDS, 60, 1, 3600),
        // Jetty needs a few threads of its own (acceptors, selectors) besides the request threads.
        s.integer(MAX_THREADS, 64, 16, 10_000),
        s.seconds(SHUTDOWN_TIMEOUT_SECONDS, 20, 0, 3600),
        s.integer(RETRY_AFTER_SECONDS, 2, 1, 3600),
        authTokens,
        metricsAuth,
        s.string(BOOTSTRAP_SERVERS, "127.0.0.1:9092"),
        s.string(TOPIC, Signals.LOGS.defaultTopic()),
        s.string(TRACES_TOPIC, Signals.TRACES.defaultTopic()),
        s.integer(TOPIC_PARTITIONS, 12, 1, 10_000),
        (short) s.integer(TOPIC_REPLICATION_FACTOR, -1, -1, Short.MAX_VALUE),
        s.integer(TOPIC_MIN_INSYNC_REPLICAS, -1, -1, Short.MAX_VALUE),
        s.bool(REQUIRE_DURABLE_TOPIC, false),
        s.bool(TOPIC_CREATE, true),
        s.oneOf(COMPRESSION, "lz4", "lz4", "zstd", "snappy", "gzip", "none"),
        s.integer(LINGER_MS, 5, 0, 10_000),
        s.integer(BATCH_BYTES, 512 * 1024, 16 * 1024, 64 * 1024 * 1024),
        Partitioning.Mode.of(s.oneOf(PARTITIONING, DEFAULT_PARTITIONING.settingValue(),
            Partitioning.Mode.RESOURCE.settingValue(), Partitioning.Mode.SPREAD.settingValue())),
        s.passThrough(KAFKA_CLIENT_PREFIX)));
  }

  /** The topic of a signal's records. */
  public String topicFor(Signal<?> signal) {
    return signal == Signals.TRACES ? tracesTopic : topic;
  }

  /** Every topic the ingester writes: one per signal. */
  public List<String> topics() {
    return List.of(topic, tracesTopic);
  }

  /** A topic created with fewer replicas than it needs in sync could never be written to. */
  private static IngesterConfig validated(IngesterConfig c) {
    if (c.topicReplicationFactor() > 0 && c.topicMinInsyncReplicas() > c.topicReplicationFactor()) {
      throw new ConfigException(
          TOPIC_MIN_INSYNC_REPLICAS,
          "must not exceed " + TOPIC_REPLICATION_FACTOR + " (" + c.topicReplicationFactor() + "), got "
              + c.topicMinInsyncReplicas());
    }
    if (c.topicReplicationFactor() == 0 || c.topicMinInsyncReplicas() == 0) {
      throw new ConfigException(
          c.topicReplicationFactor() == 0 ? TOPIC_REPLICATION_FACTOR : TOPIC_MIN_INSYNC_REPLICAS,
          "must be -1 (the broker's default) or at least 1, got 0");
    }
    if (c.topic().equals(c.tracesTopic())) {
      throw new ConfigException(TRACES_TOPIC, "must differ from " + TOPIC + " ('" + c.topic() + "'): each signal has its own topic");
    }
    return c;
  }

  /** Safe to log: tokens and pass-through values (which may hold credentials) are left out. */
  @Override
  public String toString() {
    return "IngesterConfig{port=" + port + ", topic=" + topic + ", tracesTopic=" + tracesTopic + ", bootstrap=" + bootstrapServers
        + ", partitions=" + topicPartitions + ", replicationFactor=" + topicReplicationFactor
        + ", minInsyncReplicas=" + topicMinInsyncReplicas + ", requireDurableTopic=" + requireDurableTopic
        + ", compression=" + compression + ", partitioning=" + partitioning.settingValue()
        + ", maxBodyBytes=" + maxBodyBytes + ", maxInflightBytes=" + maxInflightBytes
        + ", authTokens=" + authTokens.size() + ", metricsAuth=" + metricsAuth + ", kafkaClientProperties=" + kafkaClientProperties.keySet() + "}";
  }
}
