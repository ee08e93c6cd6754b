package io.telemetrylake.tools.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogGeneratorTest {

  @Test
  void numbersRecordsWithUniqueIdsAcrossRequests() {
    LogGenerator generator = new LogGenerator("run1", 8, 42);
    Set<String> ids = new HashSet<>();
    for (int r = 0; r < 10; r++) {
      for (LogRow row : LogRowMapper.toRows(generator.request(r * 500L, 500, 3, 1_000_000_000_000L), 0)) {
        ids.add(row.logAttributes().get(LogGenerator.ID_ATTRIBUTE));
      }
    }
    assertThat(ids).hasSize(5_000).contains("run1-0", "run1-4999");
  }

  @Test
  void spreadsRecordsOverTheRequestedResources() {
    ExportLogsServiceRequest request = new LogGenerator("r", 8, 1).request(0, 500, 3, 1L);

    assertThat(request.getResourceLogsCount()).isEqualTo(3);
    assertThat(request.getResourceLogsList().stream().mapToInt(rl -> rl.getScopeLogs(0).getLogRecordsCount()).sum())
        .isEqualTo(500);
  }

  @Test
  void givesTheFirstServiceItsHotShareOfTheResourcesAndTheOthersTheRestEvenly() {
    LogGenerator generator = new LogGenerator("r", 4, 0.9, 3);
    Map<String, Integer> perService = new HashMap<>();
    for (int r = 0; r < 10_000; r++) {
      ExportLogsServiceRequest request = generator.request(r, 1, 1, 1L);
      perService.merge(request.getResourceLogs(0).getResource().getAttributes(0).getValue().getStringValue(), 1, Integer::sum);
    }

    assertThat(LogGenerator.serviceNames(4)).containsExactly("checkout", "payments", "frontend", "inventory");
    assertThat(perService.get("checkout")).isBetween(8_850, 9_150);
    assertThat(perService).containsOnlyKeys(LogGenerator.serviceNames(4));
    assertThat(List.of(perService.get("payments"), perService.get("frontend"), perService.get("inventory")))
        .allSatisfy(n -> assertThat(n).isBetween(270, 400));
  }

  @Test
  void withoutAHotShareEveryServiceIsAlike() {
    LogGenerator generator = new LogGenerator("r", 4, 3);
    Map<String, Integer> perService = new HashMap<>();
    for (int r = 0; r < 10_000; r++) {
      ExportLogsServiceRequest request = generator.request(r, 1, 1, 1L);
      perService.merge(request.getResourceLogs(0).getResource().getAttributes(0).getValue().getStringValue(), 1, Integer::sum);
    }

    assertThat(perService).hasSize(4).allSatisfy((service, n) -> assertThat(n).isBetween(2_300, 2_700));
  }

  @Test
  void refusesAHotShareOutsideZeroToOne() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LogGenerator("r", 4, 1.1, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hotShare must be between 0 and 1, got 1.1");
  }

  @Test
  void makesRecordsOfRealisticSize() {
    ExportLogsServiceRequest request = new LogGenerator("r", 8, 1).request(0, 500, 1, 1L);
    List<LogRecord> records = request.getResourceLogs(0).getScopeLogs(0).getLogRecordsList();
    double average = records.stream().mapToInt(LogRecord::getSerializedSize).average().orElseThrow();

    assertThat(average).isBetween(200.0, 400.0);
    assertThat(records).allSatisfy(r -> assertThat(r.getBody().getStringValue()).isNotEmpty());
  }
}
