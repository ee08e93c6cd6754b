package io.telemetrylake.appender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.appender.consume.Hostname;
import io.telemetrylake.config.ConfigException;
import io.telemetrylake.config.Settings;
import io.telemetrylake.signal.Signals;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppenderConfigTest {

  private static AppenderConfig config(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return AppenderConfig.from(new Settings(env));
  }

  @Test
  void hasTheDocumentedDefaults() {
    AppenderConfig c = config();

    assertThat(c.kafkaBootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.topic()).isEqualTo("otel-logs");
    assertThat(c.groupId()).isEqualTo("telemetry-lake-appender");
    assertThat(c.dlqTopic()).isEqualTo("otel-logs-dlq");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.stagingDir()).isEqualTo(
        Path.of(System.getProperty("java.io.tmpdir"), "telemetry-lake-appender"));
    assertThat(c.bufferSizeBytes()).isEqualTo(100L << 20);
    assertThat(c.bufferTime()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.maxStagedBytes()).isEqualTo(400L << 20);
    assertThat(c.targetFileBytes()).isEqualTo(128L << 20);
    assertThat(c.authToken()).isEmpty();
    assertThat(c.catalogUri()).isEqualTo(URI.create("http://127.0.0.1:8181"));
    assertThat(c.warehouse()).isEqualTo("s3://warehouse/");
    assertThat(c.namespace()).isEqualTo("otel");
    assertThat(c.table()).isEqualTo("logs");
    assertThat(c.s3Endpoint()).isEmpty();
    assertThat(c.s3Region()).isEqualTo("us-east-1");
    assertThat(c.s3PathStyleAccess()).isFalse();
  }

  @Test
  void createsTheDlqTopicWithTheLogsTopicsReplicationSettings() {
    assertThat(config().dlqTopicSettings())
        .isEqualTo(new AppenderConfig.DlqTopicSettings((short) -1, -1, true));
    assertThat(config("KAFKA_TOPIC_REPLICATION_FACTOR", "3", "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2",
            "KAFKA_TOPIC_CREATE", "false").dlqTopicSettings())
        .isEqualTo(new AppenderConfig.DlqTopicSettings((short) 3, 2, false));
    assertThatThrownBy(() -> config("KAFKA_TOPIC_REPLICATION_FACTOR", "2", "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "3"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("KAFKA_TOPIC_MIN_INSYNC_REPLICAS: must not exceed KAFKA_TOPIC_REPLICATION_FACTOR (2), got 3");
    assertThatThrownBy(() -> config("KAFKA_TOPIC_REPLICATION_FACTOR", "0"))
        .hasMessageStartingWith("KAFKA_TOPIC_REPLICATION_FACTOR: must be -1");
  }

  @Test
  void derivesTheDlqTopicAndPathStyleFromOtherSettings() {
    AppenderConfig c = config("KAFKA_TOPIC", "logs-a", "S3_ENDPOINT", "http://127.0.0.1:9000");

    assertThat(c.dlqTopic()).isEqualTo("logs-a-dlq");
    assertThat(c.s3PathStyleAccess()).isTrue();
    assertThat(config("S3_ENDPOINT", "http://s3", "S3_PATH_STYLE_ACCESS", "false").s3PathStyleAccess())
        .isFalse();
  }

  @Test
  void passesPrefixedPropertiesThrough() {
    AppenderConfig c = config(
        "KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL",
        "KAFKA_CLIENT_MAX_POLL_RECORDS", "100",
        "ICEBERG_PROP_REST_SIGV4__ENABLED", "true");

    assertThat(c.kafkaClientProperties())
        .containsEntry("security.protocol", "SSL")
        .containsEntry("max.poll.records", "100");
    assertThat(c.catalogProperties()).containsEntry("rest.sigv4-enabled", "true");
  }

  @Test
  void rejectsBadValuesNamingTheSetting() {
    assertThatThrownBy(() -> config("BUFFER_SIZE_MB", "0"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("BUFFER_SIZE_MB: must be between 1");
    assertThatThrownBy(() -> config("BUFFER_TIME_SECONDS", "soon"))
        .hasMessageStartingWith("BUFFER_TIME_SECONDS: must be a whole number");
    assertThatThrownBy(() -> config("APPENDER_PORT", "70000"))
        .hasMessageStartingWith("APPENDER_PORT: must be between 0 and 65535");
    assertThatThrownBy(() -> config("BUFFER_SIZE_MB", "200", "APPENDER_MAX_STAGED_MB", "100"))
        .hasMessage("APPENDER_MAX_STAGED_MB: must be at least BUFFER_SIZE_MB (200), got 100");
    assertThatThrownBy(() -> config("ICEBERG_CATALOG_URI", "ftp://catalog"))
        .hasMessageStartingWith("ICEBERG_CATALOG_URI: must be an http:// or https:// URL");
    assertThatThrownBy(() -> config("S3_ENDPOINT", "not a uri"))
        .hasMessageStartingWith("S3_ENDPOINT: is not a valid URI");
    assertThatThrownBy(() -> config("KAFKA_TOPIC", "bad topic!"))
        .hasMessageStartingWith("KAFKA_TOPIC: must be letters, digits");
    assertThatThrownBy(() -> config("ICEBERG_NAMESPACE", "a..b"))
        .hasMessageStartingWith("ICEBERG_NAMESPACE: has an empty level");
    assertThatThrownBy(() -> config("S3_PATH_STYLE_ACCESS", "sometimes"))
        .hasMessageStartingWith("S3_PATH_STYLE_ACCESS: must be true or false");
  }

  @Test
  void requiresBothS3KeysOrNeither() {
    assertThatThrownBy(() -> config("S3_ACCESS_KEY_ID", "AKIA"))
        .hasMessageStartingWith("S3_SECRET_ACCESS_KEY: must be set together with S3_ACCESS_KEY_ID");
    assertThatThrownBy(() -> config("S3_SECRET_ACCESS_KEY", "s"))
        .hasMessageStartingWith("S3_ACCESS_KEY_ID: must be set together with S3_SECRET_ACCESS_KEY");
  }

  @Test
  void neverShowsSecretsInErrorsOrDescriptions() {
    assertThatThrownBy(() -> config("ICEBERG_CATALOG_URI", "http://user:hunter2@catalog:8181"))
        .hasMessageStartingWith("ICEBERG_CATALOG_URI: must not carry credentials")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> config("APPENDER_AUTH_TOKEN", "hunter2"))
        .hasMessageStartingWith("APPENDER_AUTH_TOKEN: must be at least 8 characters")
        .hasMessageNotContaining("hunter2");

    AppenderConfig c = config(
        "S3_ACCESS_KEY_ID", "AKIAEXAMPLE", "S3_SECRET_ACCESS_KEY", "hunter2-secret",
        "APPENDER_AUTH_TOKEN", "token-hunter2", "KAFKA_CLIENT_SASL_JAAS_CONFIG", "pw=hunter2");

    assertThat(c.describe()).doesNotContain("hunter2").doesNotContain("AKIAEXAMPLE")
        .contains("s3Credentials=set").contains("authToken=set").contains("sasl.jaas.config");
    assertThat(c.toString()).doesNotContain("hunter2");
  }

  @Test
  void metricsAuthIsOffByDefaultAndNeedsTheAdminToken() {
    assertThat(config().metricsAuth()).isFalse();
    assertThat(config("APPENDER_AUTH_TOKEN", "token-12345", "APPENDER_METRICS_AUTH", "true").metricsAuth())
        .isTrue();
    assertThatThrownBy(() -> config("APPENDER_METRICS_AUTH", "true"))
        .hasMessageStartingWith("APPENDER_METRICS_AUTH: is true but APPENDER_AUTH_TOKEN is not set");
    assertThatThrownBy(() -> config("APPENDER_AUTH_TOKEN", "token-12345", "APPENDER_METRICS_AUTH", "yes-please"))
        .hasMessageStartingWith("APPENDER_METRICS_AUTH");
  }

  @Test
  void instanceIdDefaultsToTheHostNameSoAStatefulSetPodKeepsItAcrossRestarts() {
    assertThat(config().instanceId()).isEqualTo(Hostname.get());
    assertThat(config("APPENDER_INSTANCE_ID", "appender-2").instanceId()).isEqualTo("appender-2");
    assertThat(config("APPENDER_INSTANCE_ID", "appender-2").describe()).contains("instance=appender-2");
  }

  @Test
  void rejectsAnInstanceIdKafkaWouldRefuse() {
    assertThatThrownBy(() -> config("APPENDER_INSTANCE_ID", "pod/1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("APPENDER_INSTANCE_ID: must be letters, digits");
    assertThatThrownBy(() -> config("APPENDER_INSTANCE_ID", "a".repeat(250)))
        .hasMessageStartingWith("APPENDER_INSTANCE_ID: must be at most 249 characters");
  }

  @Test
  void runsBothSignalsByDefaultEachWithItsOwnTopicGroupTableDlqAndStaging() {
    AppenderConfig c = config("APPENDER_STAGING_DIR", "/var/lib/appender", "APPENDER_DUCKDB_MEMORY_MB", "1024");

    assertThat(c.signals()).containsExactly(Signals.LOGS, Signals.TRACES);
    assertThat(c.signal()).isEqualTo(Signals.LOGS);
    assertThat(c.tracesTopic()).isEqualTo("otel-traces");
    assertThat(c.tracesTable()).isEqualTo("traces");
    assertThat(c.tracesDlqTopic()).isEqualTo("otel-traces-dlq");
    AppenderConfig traces = c.forSignal(Signals.TRACES);
    assertThat(traces.signal()).isEqualTo(Signals.TRACES);
    assertThat(traces.topic()).isEqualTo("otel-traces");
    assertThat(traces.groupId()).isEqualTo("telemetry-lake-appender-traces");
    assertThat(traces.dlqTopic()).isEqualTo("otel-traces-dlq");
    assertThat(traces.table()).isEqualTo("traces");
    assertThat(traces.stagingDir()).isEqualTo(Path.of("/var/lib/appender/traces"));
    assertThat(traces.namespace()).isEqualTo(c.namespace());
    assertThat(traces.instanceId()).isEqualTo(c.instanceId());
    // the logs view keeps the settings as they are
    assertThat(c.forSignal(Signals.LOGS)).isSameAs(c);
    assertThat(c.topic()).isEqualTo("otel-logs");
    assertThat(c.stagingDir()).isEqualTo(Path.of("/var/lib/appender"));
    // the DuckDB memory is one budget for the instance all signals share, not split between them
    assertThat(c.duckdbMemoryMb()).isEqualTo(1024);
    assertThat(traces.duckdbMemoryMb()).isEqualTo(1024);
    assertThat(traces.forSignal(Signals.TRACES).duckdbMemoryMb()).isEqualTo(1024);
    assertThat(config("APPENDER_DUCKDB_MEMORY_MB", "100").duckdbMemoryMb()).isEqualTo(100);
  }

  @Test
  void takesTheTracesSettingsFromTheirOwnVariables() {
    AppenderConfig traces = config(
        "KAFKA_TRACES_TOPIC", "spans-a", "ICEBERG_TRACES_TABLE", "spans_a",
        "APPENDER_TRACES_DLQ_TOPIC", "spans-dead", "APPENDER_GROUP_ID", "g1").forSignal(Signals.TRACES);

    assertThat(traces.topic()).isEqualTo("spans-a");
    assertThat(traces.table()).isEqualTo("spans_a");
    assertThat(traces.dlqTopic()).isEqualTo("spans-dead");
    assertThat(traces.groupId()).isEqualTo("g1-traces");
    assertThat(config("KAFKA_TRACES_TOPIC", "spans-b").forSignal(Signals.TRACES).dlqTopic()).isEqualTo("spans-b-dlq");
  }

  @Test
  void parsesSignalsInAnySpellingIntoOneOrder() {
    AppenderConfig traces = config("SIGNALS", "traces", "APPENDER_DUCKDB_MEMORY_MB", "1024");

    assertThat(traces.signals()).containsExactly(Signals.TRACES);
    // the process's own view is the traces pipeline's, with all the memory
    assertThat(traces.signal()).isEqualTo(Signals.TRACES);
    assertThat(traces.topic()).isEqualTo("otel-traces");
    assertThat(traces.table()).isEqualTo("traces");
    assertThat(traces.duckdbMemoryMb()).isEqualTo(1024);
    assertThat(traces.describe()).contains("signal=traces", "signals=[traces]", "topic=otel-traces");
    assertThatThrownBy(() -> traces.forSignal(Signals.LOGS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in SIGNALS");

    assertThat(config("SIGNALS", "logs").signals()).containsExactly(Signals.LOGS);
    assertThat(config("SIGNALS", "logs").duckdbMemoryMb()).isEqualTo(1024);
    assertThat(config("SIGNALS", " Traces , LOGS ,traces").signals()).containsExactly(Signals.LOGS, Signals.TRACES);
    assertThat(config("SIGNALS", "traces,logs").signal()).isEqualTo(Signals.LOGS);
  }

  @Test
  void refusesAnUnknownSignalNamingTheSetting() {
    assertThatThrownBy(() -> config("SIGNALS", "logs,metrics"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SIGNALS: must list signals out of [logs, traces], got 'metrics'");
  }

  @Test
  void refusesATracesTopicOrTableThatIsTheLogsOne() {
    assertThatThrownBy(() -> config("KAFKA_TRACES_TOPIC", "otel-logs"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("KAFKA_TRACES_TOPIC: must differ from KAFKA_TOPIC ('otel-logs')");
    assertThatThrownBy(() -> config("KAFKA_TOPIC", "spans", "KAFKA_TRACES_TOPIC", "spans", "SIGNALS", "traces"))
        .hasMessageStartingWith("KAFKA_TRACES_TOPIC: must differ from KAFKA_TOPIC");
    assertThatThrownBy(() -> config("ICEBERG_TRACES_TABLE", "logs"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ICEBERG_TRACES_TABLE: must differ from ICEBERG_TABLE ('logs')");
    assertThatThrownBy(() -> config("KAFKA_TRACES_TOPIC", "bad topic!"))
        .hasMessageStartingWith("KAFKA_TRACES_TOPIC: must be letters, digits");
    assertThatThrownBy(() -> config("ICEBERG_TRACES_TABLE", "a/b"))
        .hasMessageStartingWith("ICEBERG_TRACES_TABLE: must be letters, digits");
    assertThatThrownBy(() -> config("APPENDER_TRACES_DLQ_TOPIC", "dead letters"))
        .hasMessageStartingWith("APPENDER_TRACES_DLQ_TOPIC: must be letters, digits");
  }

  @Test
  void refusesADeadLetterTopicThatIsAConsumedTopicOrTheOtherSignalsDeadLetterTopic() {
    assertThatThrownBy(() -> config("APPENDER_TRACES_DLQ_TOPIC", "otel-logs-dlq"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("APPENDER_TRACES_DLQ_TOPIC: must differ from APPENDER_DLQ_TOPIC ('otel-logs-dlq'):"
            + " each signal has its own dead-letter topic");
    assertThatThrownBy(() -> config("APPENDER_DLQ_TOPIC", "dead", "APPENDER_TRACES_DLQ_TOPIC", "dead", "SIGNALS", "traces"))
        .hasMessageStartingWith("APPENDER_TRACES_DLQ_TOPIC: must differ from APPENDER_DLQ_TOPIC ('dead')");
    // poison records sent to a consumed topic come back as input: the other signal's, or its own for ever
    assertThatThrownBy(() -> config("APPENDER_DLQ_TOPIC", "otel-traces"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("APPENDER_DLQ_TOPIC: must differ from KAFKA_TRACES_TOPIC ('otel-traces'):"
            + " dead letters must not go to a topic the appender consumes");
    assertThatThrownBy(() -> config("APPENDER_TRACES_DLQ_TOPIC", "otel-logs"))
        .hasMessageStartingWith("APPENDER_TRACES_DLQ_TOPIC: must differ from KAFKA_TOPIC ('otel-logs')");
    assertThatThrownBy(() -> config("APPENDER_DLQ_TOPIC", "otel-logs"))
        .hasMessageStartingWith("APPENDER_DLQ_TOPIC: must differ from KAFKA_TOPIC ('otel-logs')");
    assertThatThrownBy(() -> config("APPENDER_TRACES_DLQ_TOPIC", "otel-traces"))
        .hasMessageStartingWith("APPENDER_TRACES_DLQ_TOPIC: must differ from KAFKA_TRACES_TOPIC");
    // the traces topic named like the logs topic's default DLQ
    assertThatThrownBy(() -> config("KAFKA_TRACES_TOPIC", "otel-logs-dlq"))
        .hasMessageStartingWith("APPENDER_DLQ_TOPIC: must differ from KAFKA_TRACES_TOPIC ('otel-logs-dlq')");
  }
}
