package io.telemetrylake.engines;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.table.LogRow;
import io.telemetrylake.table.LogRowMapper;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One batch of OTLP logs that the test sends and commits as one flush: {@code perService} records
 * for each service, one second apart from {@code start}, each with a unique {@value #ID} and a
 * known {@value #K} attribute. The expected table rows come from the project's own row mapping.
 */
record LogBatch(String name, List<String> services, Instant start, int perService) {
  /** The attribute that identifies a record in the table. */
  static final String ID = "lake.id";
  /** The attribute the map-access checks read. */
  static final String K = "k";

  LogBatch {
    services = List.copyOf(services);
  }

  static String id(String batch, String service, int n) {
    return batch + "-" + service + "-" + n;
  }

  static String k(String id) {
    return "v-" + id;
  }

  int size() {
    return services.size() * perService;
  }

  ExportLogsServiceRequest request() {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    for (int s = 0; s < services.size(); s++) {
      String service = services.get(s);
      ScopeLogs.Builder scope = ScopeLogs.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("engines-it").setVersion("1.0")
              .addAttributes(string("scope.kind", "test")));
      for (int n = 0; n < perService; n++) {
        String id = id(name, service, n);
        Instant time = start.plusSeconds((long) s * perService + n);
        LogRecord.Builder record = LogRecord.newBuilder()
            .setTimeUnixNano(nanos(time))
            .setObservedTimeUnixNano(nanos(time.plus(Duration.ofMillis(3))))
            .setSeverityNumberValue(SeverityNumber.SEVERITY_NUMBER_INFO_VALUE + 4 * (n % 3))
            .setSeverityText(List.of("INFO", "WARN", "ERROR").get(n % 3))
            .setBody(AnyValue.newBuilder().setStringValue(service + " did thing " + n))
            .addAttributes(string(ID, id))
            .addAttributes(string(K, k(id)))
            .addAttributes(KeyValue.newBuilder().setKey("n").setValue(AnyValue.newBuilder().setIntValue(n)));
        if (n % 2 == 0) {
          // half the records belong to a trace, so the id columns hold values and nulls
          record.setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(0x4bf92f3577b34da6L).putLong(n + 1L).array()))
              .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0x00f067aa0ba902b7L + n).array()))
              .setFlags(1);
        }
        scope.addLogRecords(record);
      }
      request.addResourceLogs(ResourceLogs.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(string("service.name", service))
              .addAttributes(string("host.name", "host-" + service))
              .addAttributes(string("deployment.environment.name", "test")))
          .addScopeLogs(scope));
    }
    return request.build();
  }

  /** The rows the table must hold for this batch (every record has a time: no fallback is used). */
  List<LogRow> rows() {
    return LogRowMapper.toRows(request(), 0);
  }

  /** The {@value #ID}s of the batch's records of one service. */
  List<String> ids(String service) {
    return java.util.stream.IntStream.range(0, perService).mapToObj(n -> id(name, service, n)).toList();
  }

  List<String> ids() {
    return services.stream().flatMap(s -> ids(s).stream()).toList();
  }

  static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
