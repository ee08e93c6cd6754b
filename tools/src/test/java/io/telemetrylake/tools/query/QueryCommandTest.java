package io.telemetrylake.tools.query;

import io.telemetrylake.table.TraceTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.config.Settings;
import io.telemetrylake.table.LogTable;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QueryCommandTest {

  @Test
  void mapsEveryTableColumnToADuckDbType() {
    LogTable.SCHEMA.columns().forEach(f -> assertThat(LakeReader.duckDbType(f.type())).isNotBlank());
    assertThat(LakeReader.duckDbType(LogTable.SCHEMA.findType(LogTable.LOG_ATTRIBUTES))).isEqualTo("MAP(VARCHAR, VARCHAR)");
    assertThat(LakeReader.duckDbType(LogTable.SCHEMA.findType(LogTable.TIMESTAMP))).isEqualTo("TIMESTAMPTZ");
  }

  @Test
  void readsInstantsAndAges() {
    assertThat(QueryCommand.micros("2026-01-01T00:00:00Z")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000);
    long twoHoursAgo = (Instant.now().toEpochMilli() - 7_200_000L) * 1000;
    assertThat(QueryCommand.micros("2h")).isBetween(twoHoursAgo - 5_000_000L, twoHoursAgo + 5_000_000L);
    assertThatThrownBy(() -> QueryCommand.micros("yesterday")).hasMessageContaining("yesterday");
  }

  @Test
  void buildsCatalogPropertiesFromTheServiceSettings() {
    Map<String, String> props = QueryCommand.catalogProperties(new Settings(Map.of(
        "ICEBERG_CATALOG_URI", "http://catalog:8181", "S3_ENDPOINT", "http://s3:9000",
        "S3_ACCESS_KEY_ID", "id", "ICEBERG_PROP_CLIENT_ASSUME__ROLE_ARN", "arn")));

    assertThat(props).containsEntry("uri", "http://catalog:8181").containsEntry("s3.endpoint", "http://s3:9000")
        .containsEntry("s3.path-style-access", "true").containsEntry("s3.access-key-id", "id")
        .containsEntry("client.assume-role.arn", "arn");
  }

  @Test
  void filtersPushTheServiceAndTimeRangeToIceberg() {
    QueryCommand q = new QueryCommand();
    q.service = "checkout";
    q.since = "2026-01-01T00:00:00Z";

    assertThat(q.rowFilter().expression().toString())
        .isEqualTo("(ref(name=\"service_name\") == \"checkout\" and ref(name=\"timestamp\") >= 1767225600000000)");
  }

  @Test
  void mapsTheTracesColumnsIncludingListsOfStructs() {
    TraceTable.SCHEMA.columns().forEach(f -> assertThat(LakeReader.duckDbType(f.type())).isNotBlank());
    assertThat(LakeReader.duckDbType(TraceTable.SCHEMA.findType("events"))).isEqualTo(
        "STRUCT(\"timestamp\" TIMESTAMPTZ, \"name\" VARCHAR, \"attributes\" MAP(VARCHAR, VARCHAR),"
            + " \"dropped_attributes_count\" INTEGER)[]");
  }

  @Test
  void readsTheSignalAndDefaultsToLogs() {
    QueryCommand byDefault = new QueryCommand();
    new CommandLine(byDefault).parseArgs();
    QueryCommand traces = new QueryCommand();
    new CommandLine(traces).parseArgs("--signal", "Traces");
    Settings env = new Settings(Map.of("ICEBERG_TABLE", "e2e_1"));

    assertThat(byDefault.signal).isEqualTo(QuerySignal.LOGS);
    assertThat(byDefault.signal.tableName(env)).isEqualTo("e2e_1");
    assertThat(traces.signal).isEqualTo(QuerySignal.TRACES);
    assertThat(traces.signal.view()).isEqualTo("traces");
    assertThat(traces.signal.tableName(env)).isEqualTo("traces");
  }

  @Test
  void rejectsAnUnknownSignal() {
    assertThatThrownBy(() -> new CommandLine(new QueryCommand()).parseArgs("--signal", "metrics"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--signal': expected logs or traces, got 'metrics'");
  }

  @Test
  void readsTheTraceIdInAnyCaseAsLowerCaseHex() {
    QueryCommand q = new QueryCommand();
    new CommandLine(q).parseArgs("--trace-id", "4BF92F3577B34DA6a3ce929d0e0e4736");

    assertThat(q.traceId).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(q.rowFilter().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void rejectsHexTraceIdOfWrongLength() {
    assertThatThrownBy(() -> new CommandLine(new QueryCommand()).parseArgs("--trace-id", "4bf92f3577b34da6"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Invalid value for option '--trace-id': a trace id is 32 hex digits (16 bytes),"
            + " got '4bf92f3577b34da6' (16 characters)");
  }

  @Test
  void rejectsATraceIdThatIsNotHex() {
    // the length is right; base64 (what protobuf's JsonFormat would print) and 'g' are not hex
    assertThatThrownBy(() -> new CommandLine(new QueryCommand()).parseArgs("--trace-id", "4bf92f3577b34da6a3ce929d0e0e473g"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("a trace id is 32 hex digits");
    assertThatThrownBy(() -> new CommandLine(new QueryCommand()).parseArgs("--trace-id", "S/kvNXezTaajzpKdDg5HNg=="))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("a trace id is 32 hex digits");
  }

  @Test
  void filtersByTraceIdInIcebergAndInTheView() {
    QueryCommand q = new QueryCommand();
    new CommandLine(q).parseArgs("--signal", "traces", "--service", "checkout", "--until", "2026-01-01T00:00:00Z",
        "--trace-id", "0AF7651916CD43DD8448EB211C80319C");
    RowFilter filter = q.rowFilter();

    assertThat(filter.expression().toString()).isEqualTo("((ref(name=\"service_name\") == \"checkout\""
        + " and ref(name=\"timestamp\") < 1767225600000000) and ref(name=\"trace_id\") == \"0af7651916cd43dd8448eb211c80319c\")");
    assertThat(filter.sqlWhere()).isEqualTo(" WHERE service_name = 'checkout'"
        + " AND \"timestamp\" < make_timestamptz(1767225600000000::BIGINT)"
        + " AND trace_id = '0af7651916cd43dd8448eb211c80319c'");
    assertThat(new RowFilter(null, null, null, "0af7651916cd43dd8448eb211c80319c").expression().toString())
        .isEqualTo("ref(name=\"trace_id\") == \"0af7651916cd43dd8448eb211c80319c\"");
  }
}
