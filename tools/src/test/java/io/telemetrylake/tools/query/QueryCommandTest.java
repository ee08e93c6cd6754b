package io.telemetrylake.tools.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.telemetrylake.config.Settings;
import io.telemetrylake.table.LogTable;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
