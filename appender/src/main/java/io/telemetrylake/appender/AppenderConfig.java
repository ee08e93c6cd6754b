package io.telemetrylake.appender;

import io.telemetrylake.appender.consume.Hostname;
import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import io.telemetrylake.signal.Signal;
import io.telemetrylake.signal.Signals;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every setting of the appender, read once from the environment and validated at once: a bad value
 * stops start-up with one line naming the variable (never its value when it is a secret). The
 * README lists the same variables with their defaults.
 *
 * @param instanceId the consumer's {@code group.instance.id} (static membership): a restart with
 *     the same id gets its partitions back at once instead of after the session timeout
 * @param dlqTopicSettings how the DLQ topic is created at start-up (the logs topic's settings)
 * @param kafkaClientProperties {@code KAFKA_CLIENT_*} passed to the consumer and the DLQ producer
 * @param catalogProperties {@code ICEBERG_PROP_*} passed to the REST catalog (and its FileIO)
 */
public record AppenderConfig(
    String kafkaBootstrapServers,
    String topic,
    String groupId,
    String instanceId,
    String dlqTopic,
    DlqTopicSettings dlqTopicSettings,
    int port,
    String bindAddress,
    Path stagingDir,
    long duckdbMemoryMb,
    long bufferSizeBytes,
    Duration bufferTime,
    long maxStagedBytes,
    long targetFileBytes,
    Optional<String> authToken,
    boolean metricsAuth,
    Duration shutdownTimeout,
    URI catalogUri,
    String warehouse,
    String namespace,
    String table,
    Optional<URI> s3Endpoint,
    String s3Region,
    Optional<String> s3AccessKeyId,
    Optional<String> s3SecretAccessKey,
    boolean s3PathStyleAccess,
    Map<String, String> kafkaClientProperties,
    Map<String, String> catalogProperties,
    Signal<?> signal,
    List<Signal<?>> signals,
    String tracesTopic,
    String tracesTable,
    String tracesDlqTopic) {

  static final long MIB = 1024L * 1024L;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");
  /** Kafka refuses longer group instance ids. */
  static final int MAX_INSTANCE_ID_LENGTH = 249;

  public AppenderConfig {
    kafkaClientProperties = Map.copyOf(kafkaClientProperties);
    catalogProperties = Map.copyOf(catalogProperties);
    signals = List.copyOf(signals);
  }

  /**
   * The settings of one signal's pipeline in this process. The logs pipeline keeps the settings as
   * they are (its topic, group, table, DLQ and staging directory are those of earlier versions);
   * traces take {@code KAFKA_TRACES_TOPIC}, {@code ICEBERG_TRACES_TABLE}, {@code
   * APPENDER_TRACES_DLQ_TOPIC}, the group {@code <APPENDER_GROUP_ID>-traces} (its own group, so
   * a rebalance of one signal never stops the other) and {@code <staging>/traces}. The DuckDB
   * memory is split between the signals.
   */
  public AppenderConfig forSignal(Signal<?> which) {
    if (!signals.contains(which)) {
      throw new IllegalArgumentException("signal " + which.name() + " is not in SIGNALS " + signals);
    }
    if (which == signal) {
      return this; // already this signal's view: asking again must not derive twice
    }
    if (signal != Signals.LOGS) {
      // SIGNALS is kept in Signals.ALL's order, so a traces view only exists when logs is absent
      throw new IllegalStateException("a " + signal.name() + " view cannot derive " + which.name());
    }
    boolean traces = which == Signals.TRACES;
    return new AppenderConfig(
        kafkaBootstrapServers,
        traces ? tracesTopic : topic,
        traces ? groupId + "-traces" : groupId,
        instanceId,
        traces ? tracesDlqTopic : dlqTopic,
        dlqTopicSettings,
        port,
        bindAddress,
        traces ? stagingDir.resolve("traces") : stagingDir,
        duckdbMemoryMb,
        bufferSizeBytes,
        bufferTime,
        maxStagedBytes,
        targetFileBytes,
        authToken,
        metricsAuth,
        shutdownTimeout,
        catalogUri,
        warehouse,
        namespace,
        traces ? tracesTable : table,
        s3Endpoint,
        s3Region,
        s3AccessKeyId,
        s3SecretAccessKey,
        s3PathStyleAccess,
        kafkaClientProperties,
        catalogProperties,
        which,
        signals,
        tracesTopic,
        tracesTable,
        tracesDlqTopic);
  }

  /**
   * The DLQ topic is created like the logs topic, from the same shared settings: one partition
   * (poison records are rare), the replication factor and min.insync.replicas of the logs topic.
   *
   * @param replicationFactor -1: the broker's default
   * @param minInsyncReplicas -1: the broker's default
   * @param create false: the topic must exist (start-up fails otherwise)
   */
  public record DlqTopicSettings(short replicationFactor, int minInsyncReplicas, boolean create) {}

  public static AppenderConfig fromEnvironment() {
    return from(Settings.fromEnvironment());
  }

  public static AppenderConfig from(Settings s) {
    String topic = name(s, "KAFKA_TOPIC", Signals.LOGS.defaultTopic());
    String tracesTopic = name(s, "KAFKA_TRACES_TOPIC", Signals.TRACES.defaultTopic());
    List<Signal<?>> signals = signals(s);
    if (topic.equals(tracesTopic)) {
      throw new ConfigException("KAFKA_TRACES_TOPIC", "must differ from KAFKA_TOPIC ('" + topic + "'): each signal has its own topic");
    }
    String dlqTopic = name(s, "APPENDER_DLQ_TOPIC", topic + "-dlq");
    String tracesDlqTopic = name(s, "APPENDER_TRACES_DLQ_TOPIC", tracesTopic + "-dlq");
    checkDeadLetterTopics(topic, tracesTopic, dlqTopic, tracesDlqTopic);
    String table = name(s, "ICEBERG_TABLE", Signals.LOGS.defaultTable());
    String tracesTable = name(s, "ICEBERG_TRACES_TABLE", Signals.TRACES.defaultTable());
    if (table.equals(tracesTable)) {
      throw new ConfigException("ICEBERG_TRACES_TABLE", "must differ from ICEBERG_TABLE ('" + table + "')");
    }
    long bufferMb = s.longValue("BUFFER_SIZE_MB", 100, 1, 64 * 1024);
    long maxStagedMb = s.longValue("APPENDER_MAX_STAGED_MB", 4 * bufferMb, 1, 256 * 1024);
    if (maxStagedMb < bufferMb) {
      throw new ConfigException(
          "APPENDER_MAX_STAGED_MB",
          "must be at least BUFFER_SIZE_MB (" + bufferMb + "), got " + maxStagedMb);
    }
    Optional<URI> s3Endpoint = s.optional("S3_ENDPOINT").map(v -> httpUri("S3_ENDPOINT", v));
    Optional<String> accessKey = s.optional("S3_ACCESS_KEY_ID");
    Optional<String> secretKey = s.optional("S3_SECRET_ACCESS_KEY");
    if (accessKey.isPresent() != secretKey.isPresent()) {
      String missing = accessKey.isPresent() ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID";
      throw new ConfigException(
          missing, "must be set together with " + (accessKey.isPresent() ? "S3_ACCESS_KEY_ID" : "S3_SECRET_ACCESS_KEY"));
    }
    Optional<String> token = s.optional("APPENDER_AUTH_TOKEN");
    if (token.isPresent() && token.get().length() < 8) {
      throw new ConfigException("APPENDER_AUTH_TOKEN", "must be at least 8 characters long");
    }
    // off by default: Prometheus scrapes usually carry no token, and the metrics hold no secrets
    boolean metricsAuth = s.bool("APPENDER_METRICS_AUTH", false);
    if (metricsAuth && token.isEmpty()) {
      throw new ConfigException("APPENDER_METRICS_AUTH", "is true but APPENDER_AUTH_TOKEN is not set");
    }
    String warehouse = s.string("ICEBERG_WAREHOUSE", "s3://warehouse/");
    return new AppenderConfig(
        s.string("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        topic,
        name(s, "APPENDER_GROUP_ID", "telemetry-lake-appender"),
        instanceId(s),
        dlqTopic,
        dlqTopicSettings(s),
        s.integer("APPENDER_PORT", 8080, 0, 65535),
        s.string("APPENDER_BIND_ADDRESS", "0.0.0.0"),
        path(s, "APPENDER_STAGING_DIR",
            Path.of(System.getProperty("java.io.tmpdir"), "telemetry-lake-appender")),
        // one DuckDB instance for every signal's staging buffers: one budget, not a share each
        s.longValue("APPENDER_DUCKDB_MEMORY_MB", 1024, 64, 1024 * 1024),
        bufferMb * MIB,
        s.seconds("BUFFER_TIME_SECONDS", 300, 1, 7 * 24 * 3600),
        maxStagedMb * MIB,
        s.longValue("APPENDER_TARGET_FILE_MB", 128, 1, 4096) * MIB,
        token,
        metricsAuth,
        s.seconds("APPENDER_SHUTDOWN_TIMEOUT_SECONDS", 30, 1, 3600),
        httpUri("ICEBERG_CATALOG_URI", s.string("ICEBERG_CATALOG_URI", "http://127.0.0.1:8181")),
        warehouse,
        namespace(s),
        table,
        s3Endpoint,
        s.string("S3_REGION", "us-east-1"),
        accessKey,
        secretKey,
        s.bool("S3_PATH_STYLE_ACCESS", s3Endpoint.isPresent()),
        s.passThrough("KAFKA_CLIENT_"),
        s.passThrough("ICEBERG_PROP_"),
        // the settings as read are the logs pipeline's; forSignal() derives the others from them
        Signals.LOGS,
        signals,
        tracesTopic,
        tracesTable,
        tracesDlqTopic)
        .forSignal(signals.get(0));
  }

  /**
   * A dead-letter topic must be none of the topics the appender consumes (its poison records
   * would come back as input, for ever or as the other signal's poison), and each signal has its
   * own: the names must all differ, whichever signals this process runs.
   */
  private static void checkDeadLetterTopics(String topic, String tracesTopic, String dlq, String tracesDlq) {
    Map<String, String> sources = new java.util.LinkedHashMap<>();
    sources.put("KAFKA_TOPIC", topic);
    sources.put("KAFKA_TRACES_TOPIC", tracesTopic);
    Map<String, String> deadLetters = new java.util.LinkedHashMap<>();
    deadLetters.put("APPENDER_DLQ_TOPIC", dlq);
    deadLetters.put("APPENDER_TRACES_DLQ_TOPIC", tracesDlq);
    for (Map.Entry<String, String> d : deadLetters.entrySet()) {
      for (Map.Entry<String, String> source : sources.entrySet()) {
        if (d.getValue().equals(source.getValue())) {
          throw new ConfigException(d.getKey(), "must differ from " + source.getKey() + " ('" + source.getValue()
              + "'): dead letters must not go to a topic the appender consumes");
        }
      }
    }
    if (dlq.equals(tracesDlq)) {
      throw new ConfigException("APPENDER_TRACES_DLQ_TOPIC",
          "must differ from APPENDER_DLQ_TOPIC ('" + dlq + "'): each signal has its own dead-letter topic");
    }
  }

  /** {@code SIGNALS}: which signals this process consumes, e.g. {@code logs,traces} (the default). */
  private static List<Signal<?>> signals(Settings s) {
    List<String> names = s.list("SIGNALS");
    if (names.isEmpty()) {
      return Signals.ALL;
    }
    List<Signal<?>> chosen = new java.util.ArrayList<>();
    for (String name : names) {
      Signal<?> signal = Signals.byName(name.trim().toLowerCase(java.util.Locale.ROOT))
          .orElseThrow(() -> new ConfigException("SIGNALS",
              "must list signals out of " + Signals.ALL.stream().map(Signal::name).toList() + ", got '" + name + "'"));
      if (!chosen.contains(signal)) {
        chosen.add(signal);
      }
    }
    // one order whatever the spelling: the first signal's view is the process's (ports, logs)
    chosen.sort(java.util.Comparator.comparingInt(Signals.ALL::indexOf));
    return chosen;
  }

  /** The table identifier's namespace levels ({@code a.b} is a two-level namespace). */
  public String[] namespaceLevels() {
    return namespace.split("\\.");
  }

  /** What start-up logs: every setting except secrets, whose presence only is shown. */
  public String describe() {
    return "signal="
        + signal.name()
        + " signals="
        + signals.stream().map(Signal::name).toList()
        + " topic="
        + topic
        + " group="
        + groupId
        + " instance="
        + instanceId
        + " dlq="
        + dlqTopic
        + " dlqTopicSettings="
        + dlqTopicSettings
        + " bootstrap="
        + kafkaBootstrapServers
        + " listen="
        + bindAddress
        + ":"
        + port
        + " staging="
        + stagingDir
        + " duckdbMemory="
        + duckdbMemoryMb
        + "MB"
        + " buffer="
        + bufferSizeBytes / MIB
        + "MB/"
        + bufferTime.toSeconds()
        + "s maxStaged="
        + maxStagedBytes / MIB
        + "MB targetFile="
        + targetFileBytes / MIB
        + "MB catalog="
        + catalogUri
        + " warehouse="
        + warehouse
        + " table="
        + namespace
        + "."
        + table
        + " s3Endpoint="
        + s3Endpoint.map(URI::toString).orElse("(aws)")
        + " s3Region="
        + s3Region
        + " s3Credentials="
        + (s3AccessKeyId.isPresent() ? "set" : "default chain")
        + " authToken="
        + (authToken.isPresent() ? "set" : "none")
        + " metricsAuth="
        + metricsAuth
        + " kafkaClientProperties="
        + kafkaClientProperties.keySet()
        + " catalogProperties="
        + catalogProperties.keySet();
  }

  @Override
  public String toString() {
    // records print every component; this one holds secrets
    return "AppenderConfig[" + describe() + "]";
  }

  private static DlqTopicSettings dlqTopicSettings(Settings s) {
    short replication = (short) s.integer("KAFKA_TOPIC_REPLICATION_FACTOR", -1, -1, Short.MAX_VALUE);
    int minIsr = s.integer("KAFKA_TOPIC_MIN_INSYNC_REPLICAS", -1, -1, Short.MAX_VALUE);
    if (replication == 0 || minIsr == 0) {
      throw new ConfigException(
          replication == 0 ? "KAFKA_TOPIC_REPLICATION_FACTOR" : "KAFKA_TOPIC_MIN_INSYNC_REPLICAS",
          "must be -1 (the broker's default) or at least 1, got 0");
    }
    if (replication > 0 && minIsr > replication) {
      throw new ConfigException(
          "KAFKA_TOPIC_MIN_INSYNC_REPLICAS",
          "must not exceed KAFKA_TOPIC_REPLICATION_FACTOR (" + replication + "), got " + minIsr);
    }
    return new DlqTopicSettings(replication, minIsr, s.bool("KAFKA_TOPIC_CREATE", true));
  }

  private static String name(Settings s, String key, String defaultValue) {
    String value = s.string(key, defaultValue);
    if (!NAME.matcher(value).matches()) {
      throw new ConfigException(
          key, "must be letters, digits, '.', '_' or '-', got '" + value + "'");
    }
    return value;
  }

  /**
   * Unique per appender process in the group; the same across restarts of that process. The host
   * name is that on Kubernetes (a StatefulSet's pod name) and in containers; several appenders on
   * one host must each set their own.
   */
  private static String instanceId(Settings s) {
    String value = name(s, "APPENDER_INSTANCE_ID", Hostname.get());
    if (value.length() > MAX_INSTANCE_ID_LENGTH) {
      throw new ConfigException(
          "APPENDER_INSTANCE_ID", "must be at most " + MAX_INSTANCE_ID_LENGTH + " characters long");
    }
    return value;
  }

  private static String namespace(Settings s) {
    String value = name(s, "ICEBERG_NAMESPACE", "otel");
    if (value.startsWith(".") || value.endsWith(".") || value.contains("..")) {
      throw new ConfigException("ICEBERG_NAMESPACE", "has an empty level: '" + value + "'");
    }
    return value;
  }

  private static Path path(Settings s, String key, Path defaultValue) {
    Optional<String> raw = s.optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      return Path.of(raw.get()).toAbsolutePath().normalize();
    } catch (RuntimeException e) {
      throw new ConfigException(key, "is not a valid path: '" + raw.get() + "'");
    }
  }

  private static URI httpUri(String key, String value) {
    // a URL with user:password@ would put a secret into logs and /stats: refuse it, unseen
    String shown = value.contains("@") ? "(a value with '@' that is not shown)" : "'" + value + "'";
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException(key, "is not a valid URI: " + shown);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new ConfigException(key, "must be an http:// or https:// URL, got " + shown);
    }
    if (uri.getUserInfo() != null) {
      throw new ConfigException(
          key, "must not carry credentials (user:password@); use the credential settings");
    }
    return uri;
  }
}
