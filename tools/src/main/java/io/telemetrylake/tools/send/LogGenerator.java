package io.telemetrylake.tools.send;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import com.google.protobuf.ByteString;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes realistic log batches: several services and hosts, weighted severities, HTTP-ish and
 * business messages with attributes, trace context on most records, about 300 bytes a record.
 *
 * <p>Every record carries a unique {@value #ID_ATTRIBUTE} ({@code <run>-<sequence>}), so a test or
 * an operator can check that each record landed exactly once.
 */
public final class LogGenerator implements RequestGenerator<ExportLogsServiceRequest> {
  public static final String ID_ATTRIBUTE = "lake.id";

  private static final String[] SERVICES = {
    "checkout", "payments", "frontend", "inventory", "shipping", "auth", "search", "recommendations"
  };
  private static final String[] ENVIRONMENTS = {"production", "staging"};
  private static final String[] ROUTES = {
    "/api/cart", "/api/cart/items", "/api/orders", "/api/orders/{id}", "/api/products/{id}", "/api/login", "/healthz"
  };
  private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
  // Severity numbers: INFO dominates, as in real services.
  private static final int[] SEVERITIES = {9, 9, 9, 9, 9, 9, 5, 5, 13, 17};
  private static final String[] SEVERITY_TEXT = new String[25];

  static {
    SEVERITY_TEXT[5] = "DEBUG";
    SEVERITY_TEXT[9] = "INFO";
    SEVERITY_TEXT[13] = "WARN";
    SEVERITY_TEXT[17] = "ERROR";
  }

  private final String runId;
  private final int services;
  private final double hotShare;
  private final SplittableRandom random;

  public LogGenerator(String runId, int services, long seed) {
    this(runId, services, 0, seed);
  }

  /**
   * @param hotShare the share of resources from the first service ({@code checkout}), the others
   *     sharing the rest evenly: skewed traffic with one busy service; 0 = every service alike
   */
  public LogGenerator(String runId, int services, double hotShare, long seed) {
    if (!(hotShare >= 0 && hotShare <= 1)) {
      throw new IllegalArgumentException("hotShare must be between 0 and 1, got " + hotShare);
    }
    this.runId = runId;
    this.services = Math.max(1, Math.min(services, SERVICES.length));
    this.hotShare = hotShare;
    this.random = new SplittableRandom(seed);
  }

  /** The service names this generator uses, the busy one (with a hot share) first. */
  public static List<String> serviceNames(int services) {
    return List.of(SERVICES).subList(0, Math.max(1, Math.min(services, SERVICES.length)));
  }

  /** The id of the record with this sequence number. */
  public String idOf(long sequence) {
    return runId + "-" + sequence;
  }

  /**
   * One request of {@code records} records spread over {@code resources} resources (services),
   * numbered from {@code firstSequence}.
   */
  @Override
  public ExportLogsServiceRequest request(long firstSequence, int records, int resources, long nowNanos) {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    int perResource = Math.max(1, records / Math.max(1, resources));
    long seq = firstSequence;
    int left = records;
    while (left > 0) {
      int n = Math.min(perResource, left);
      if (request.getResourceLogsCount() == resources - 1) {
        n = left;
      }
      int service = nextService();
      ScopeLogs.Builder scope =
          ScopeLogs.newBuilder()
              .setScope(InstrumentationScope.newBuilder().setName("io.telemetrylake.send").setVersion("1.0"));
      for (int i = 0; i < n; i++) {
        scope.addLogRecords(record(seq++, nowNanos));
      }
      request.addResourceLogs(ResourceLogs.newBuilder().setResource(resource(service)).addScopeLogs(scope));
      left -= n;
    }
    return request.build();
  }

  private int nextService() {
    if (hotShare == 0 || services == 1) {
      return random.nextInt(services);
    }
    return random.nextDouble() < hotShare ? 0 : 1 + random.nextInt(services - 1);
  }

  private Resource resource(int service) {
    return Resource.newBuilder()
        .addAttributes(kv("service.name", SERVICES[service]))
        .addAttributes(kv("service.version", "1." + service + ".0"))
        .addAttributes(kv("deployment.environment.name", ENVIRONMENTS[service % ENVIRONMENTS.length]))
        .addAttributes(kv("host.name", SERVICES[service] + "-" + (service % 3)))
        .build();
  }

  private LogRecord record(long sequence, long nowNanos) {
    int severity = SEVERITIES[random.nextInt(SEVERITIES.length)];
    String route = ROUTES[random.nextInt(ROUTES.length)];
    String method = METHODS[random.nextInt(METHODS.length)];
    int status = severity >= 17 ? 500 : severity >= 13 ? 429 : 200;
    int millis = 1 + random.nextInt(900);
    LogRecord.Builder record =
        LogRecord.newBuilder()
            .setTimeUnixNano(nowNanos - random.nextInt(1_000_000))
            .setObservedTimeUnixNano(nowNanos)
            .setSeverityNumberValue(severity)
            .setSeverityText(SEVERITY_TEXT[severity])
            .setBody(AnyValue.newBuilder().setStringValue(
                method + " " + route + " answered " + status + " in " + millis + " ms for user u"
                    + random.nextInt(100_000) + " (request " + Long.toHexString(random.nextLong()) + ")"))
            .addAttributes(kv(ID_ATTRIBUTE, idOf(sequence)))
            .addAttributes(kv("http.request.method", method))
            .addAttributes(kv("http.route", route))
            .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(status)))
            .addAttributes(KeyValue.newBuilder().setKey("duration_ms")
                .setValue(AnyValue.newBuilder().setIntValue(millis)));
    if (random.nextInt(10) < 8) {
      byte[] traceId = new byte[16];
      byte[] spanId = new byte[8];
      fill(traceId);
      fill(spanId);
      record.setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId)).setFlags(1);
    }
    return record.build();
  }

  private void fill(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
