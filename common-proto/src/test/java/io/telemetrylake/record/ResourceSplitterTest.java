package io.telemetrylake.record;

import io.telemetrylake.signal.Signals;
import static io.telemetrylake.otlp.SampleRequests.attribute;
import static io.telemetrylake.otlp.SampleRequests.record;
import static io.telemetrylake.otlp.SampleRequests.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.SampleRequests;
import io.telemetrylake.record.ResourceSplitter.Split;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResourceSplitterTest {
  private static final int NO_LIMIT = Integer.MAX_VALUE;

  // ---- helpers ------------------------------------------------------------------------------

  private static ResourceLogs only(KafkaRecord record) throws OtlpDecodeException {
    ExportLogsServiceRequest value = KafkaRecordFormat.decodeValue(record.value());
    assertThat(value.getResourceLogsCount()).isEqualTo(1);
    return value.getResourceLogs(0);
  }

  private static List<LogRecord> records(ResourceLogs resourceLogs) {
    List<LogRecord> records = new ArrayList<>();
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      records.addAll(scopeLogs.getLogRecordsList());
    }
    return records;
  }

  private static ScopeLogs scope(String name, LogRecord... records) {
    return ScopeLogs.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName(name))
        .setSchemaUrl("scope_schema_" + name)
        .addAllLogRecords(List.of(records))
        .build();
  }

  private static ResourceLogs resourceLogs(String service, ScopeLogs... scopes) {
    return ResourceLogs.newBuilder()
        .setResource(resource(attribute("service.name", service)))
        .setSchemaUrl("resource_schema")
        .addAllScopeLogs(List.of(scopes))
        .build();
  }

  private static ExportLogsServiceRequest request(ResourceLogs... resources) {
    return ExportLogsServiceRequest.newBuilder().addAllResourceLogs(List.of(resources)).build();
  }

  private static LogRecord sized(String name, int bodyBytes) {
    return record(name + ":" + "x".repeat(bodyBytes));
  }

  /**
   * Checks everything a split must guarantee: sizes, keys, counts, no record lost, duplicated or
   * reordered, every part carrying its resource and scope, and no empty scopes.
   */
  private static void assertValidSplit(ExportLogsServiceRequest request, Split split, int max)
      throws OtlpDecodeException {
    Map<String, List<LogRecord>> sentByResource = new LinkedHashMap<>();
    int sent = 0;
    for (KafkaRecord record : split.records()) {
      assertThat(record.value().length).isLessThanOrEqualTo(max);
      ResourceLogs part = only(record);
      assertThat(record.key()).isEqualTo(ResourceKeys.keyOf(part.getResource()));
      assertThat(record.itemCount()).isEqualTo(records(part).size()).isPositive();
      assertThat(part.getScopeLogsList()).allSatisfy(s -> assertThat(s.getLogRecordsCount()).isPositive());
      sent += record.itemCount();
      sentByResource
          .computeIfAbsent(part.getResource().toString() + part.getSchemaUrl(), k -> new ArrayList<>())
          .addAll(records(part));
    }
    assertThat(sent + split.rejectedItems()).isEqualTo(SampleRequests.recordCount(request));
    for (ResourceLogs original : request.getResourceLogsList()) {
      List<LogRecord> sentRecords =
          sentByResource.getOrDefault(
              original.getResource().toString() + original.getSchemaUrl(), List.of());
      List<LogRecord> originalRecords = records(original);
      // Sent records are the original ones in order, minus the rejected ones.
      if (!sentRecords.isEmpty()) {
        assertThat(originalRecords).containsSubsequence(sentRecords);
      }
    }
    if (split.rejectedItems() == 0) {
      assertThat(split.errorMessage()).isEmpty();
    } else {
      assertThat(split.errorMessage()).isNotEmpty();
    }
  }

  // ---- one record per resource --------------------------------------------------------------

  @Test
  void producesOneRecordPerResource() throws Exception {
    ExportLogsServiceRequest rich = SampleRequests.rich();

    Split split = Signals.LOGS.splitter(NO_LIMIT).split(rich);

    assertThat(split.records()).hasSize(2); // the third resource has no records
    assertThat(split.records()).extracting(KafkaRecord::itemCount).containsExactly(3, 2);
    assertThat(split.rejectedItems()).isZero();
    assertThat(split.errorMessage()).isEmpty();
    assertThat(only(split.records().get(1))).isEqualTo(rich.getResourceLogs(1));
    assertValidSplit(rich, split, NO_LIMIT);
  }

  @Test
  void valueHoldsTheResourceAsItCameMinusEmptyScopes() throws Exception {
    ResourceLogs first = SampleRequests.rich().getResourceLogs(0);

    ResourceLogs sent = only(Signals.LOGS.splitter(NO_LIMIT).split(request(first)).records().get(0));

    assertThat(first.getScopeLogs(2).getLogRecordsCount()).isZero();
    assertThat(sent)
        .isEqualTo(first.toBuilder().removeScopeLogs(2).build());
  }

  @Test
  void valueIsByteIdenticalToTheCollectorsOtlpProtoEncoding() {
    ResourceLogs resourceLogs = SampleRequests.rich().getResourceLogs(1);

    byte[] value = Signals.LOGS.splitter(NO_LIMIT).split(request(resourceLogs)).records().get(0).value();

    // plog.ProtoMarshaler in the Collector marshals LogsData; ExportLogsServiceRequest has the
    // same single field, so both encodings are the same bytes.
    assertThat(value)
        .isEqualTo(LogsData.newBuilder().addResourceLogs(resourceLogs).build().toByteArray())
        .isEqualTo(request(resourceLogs).toByteArray());
  }

  @Test
  void keysRecordsByResource() {
    ExportLogsServiceRequest request =
        request(resourceLogs("checkout", scope("s", record("a"))), resourceLogs("payments", scope("s", record("b"))));

    Split split = Signals.LOGS.splitter(NO_LIMIT).split(request);

    assertThat(split.records().get(0).key())
        .isEqualTo(ResourceKeys.keyOf(resource(attribute("service.name", "checkout"))));
    assertThat(split.records().get(1).key())
        .isEqualTo(ResourceKeys.keyOf(resource(attribute("service.name", "payments"))));
    assertThat(split.records().get(0).key()).isNotEqualTo(split.records().get(1).key());
  }

  @Test
  void sameAttributesInADifferentOrderGiveTheSameKey() {
    Resource one = resource(attribute("service.name", "checkout"), attribute("host.name", "h1"));
    Resource other = resource(attribute("host.name", "h1"), attribute("service.name", "checkout"));
    ExportLogsServiceRequest request =
        request(
            ResourceLogs.newBuilder().setResource(one).addScopeLogs(scope("s", record("a"))).build(),
            ResourceLogs.newBuilder().setResource(other).addScopeLogs(scope("s", record("b"))).build());

    Split split = Signals.LOGS.splitter(NO_LIMIT).split(request);

    assertThat(split.records()).hasSize(2);
    assertThat(split.records().get(0).key()).isEqualTo(split.records().get(1).key());
  }

  @Test
  void skipsResourcesAndScopesWithoutRecords() throws Exception {
    ExportLogsServiceRequest request =
        request(
            resourceLogs("no scopes"),
            resourceLogs("empty scopes", scope("a"), scope("b")),
            resourceLogs("mixed", scope("empty"), scope("full", record("x")), scope("empty too")));

    Split split = Signals.LOGS.splitter(NO_LIMIT).split(request);

    assertThat(split.records()).hasSize(1);
    assertThat(only(split.records().get(0)).getScopeLogsList())
        .extracting(s -> s.getScope().getName())
        .containsExactly("full");
  }

  @Test
  void emptyRequestProducesNothing() {
    Split split = Signals.LOGS.splitter(100).split(ExportLogsServiceRequest.getDefaultInstance());

    assertThat(split.records()).isEmpty();
    assertThat(split.rejectedItems()).isZero();
  }

  // ---- size limit ---------------------------------------------------------------------------

  @Test
  void valueOfExactlyTheLimitIsNotSplit() throws Exception {
    ExportLogsServiceRequest request =
        request(resourceLogs("svc", scope("a", sized("1", 100)), scope("b", sized("2", 100))));
    int size = request.getSerializedSize();

    Split atLimit = Signals.LOGS.splitter(size).split(request);
    Split belowLimit = Signals.LOGS.splitter(size - 1).split(request);

    assertThat(atLimit.records()).hasSize(1);
    assertThat(atLimit.records().get(0).value()).hasSize(size);
    assertThat(belowLimit.records()).hasSize(2);
    assertValidSplit(request, belowLimit, size - 1);
  }

  @Test
  void splitsByScopeWhenAboveTheLimit() throws Exception {
    ExportLogsServiceRequest request =
        request(
            resourceLogs(
                "svc",
                scope("a", sized("a1", 300), sized("a2", 300)),
                scope("b", sized("b1", 300)),
                scope("c", sized("c1", 300), sized("c2", 300))));

    Split split = Signals.LOGS.splitter(1000).split(request);

    assertThat(split.records()).hasSize(3);
    assertThat(split.records())
        .extracting(r -> only(r).getScopeLogsList().stream().map(s -> s.getScope().getName()).toList())
        .containsExactly(List.of("a"), List.of("b"), List.of("c"));
    assertThat(split.records()).extracting(KafkaRecord::itemCount).containsExactly(2, 1, 2);
    assertThat(split.records()).extracting(KafkaRecord::key).containsOnly(split.records().get(0).key());
    assertValidSplit(request, split, 1000);
  }

  @Test
  void packsSmallScopesTogether() throws Exception {
    ExportLogsServiceRequest request =
        request(
            resourceLogs(
                "svc",
                scope("a", sized("a1", 200)),
                scope("b", sized("b1", 200)),
                scope("c", sized("c1", 800))));

    Split split = Signals.LOGS.splitter(1000).split(request);

    assertThat(split.records())
        .extracting(r -> only(r).getScopeLogsList().stream().map(s -> s.getScope().getName()).toList())
        .containsExactly(List.of("a", "b"), List.of("c"));
    assertValidSplit(request, split, 1000);
  }

  @Test
  void splitsAScopeByRecordsWhenItAloneIsTooLarge() throws Exception {
    List<LogRecord> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(sized("r" + i, 150));
    }
    ExportLogsServiceRequest request =
        request(resourceLogs("svc", scope("big", many.toArray(LogRecord[]::new))));

    Split split = Signals.LOGS.splitter(600).split(request);

    assertThat(split.records().size()).isGreaterThan(2);
    for (KafkaRecord record : split.records()) {
      ResourceLogs part = only(record);
      assertThat(part.getResource()).isEqualTo(request.getResourceLogs(0).getResource());
      assertThat(part.getSchemaUrl()).isEqualTo("resource_schema");
      assertThat(part.getScopeLogs(0).getScope().getName()).isEqualTo("big");
      assertThat(part.getScopeLogs(0).getSchemaUrl()).isEqualTo("scope_schema_big");
    }
    assertThat(split.records().stream().flatMap(r -> {
      try {
        return records(only(r)).stream();
      } catch (OtlpDecodeException e) {
        throw new AssertionError(e);
      }
    }).toList()).isEqualTo(many);
    assertValidSplit(request, split, 600);
  }

  @Test
  void rejectsASingleRecordLargerThanTheLimitAndCountsIt() throws Exception {
    ExportLogsServiceRequest request =
        request(resourceLogs("svc", scope("s", sized("small", 10), sized("huge", 5000), sized("small2", 10))));

    Split split = Signals.LOGS.splitter(1000).split(request);

    assertThat(split.rejectedItems()).isEqualTo(1);
    assertThat(split.errorMessage())
        .startsWith("rejected 1 log record(s) too large for one Kafka record")
        .contains("at most 1000 bytes");
    assertThat(split.records()).extracting(KafkaRecord::itemCount).containsExactly(2);
    assertThat(records(only(split.records().get(0))))
        .extracting(r -> r.getBody().getStringValue().substring(0, 6))
        .containsExactly("small:", "small2");
    assertValidSplit(request, split, 1000);
  }

  @Test
  void rejectsEveryRecordWhenTheResourceAloneExceedsTheLimit() throws Exception {
    ResourceLogs huge =
        ResourceLogs.newBuilder()
            .setResource(resource(attribute("blob", "y".repeat(2000))))
            .addScopeLogs(scope("s", record("a"), record("b")))
            .build();
    ExportLogsServiceRequest request = request(huge, resourceLogs("fine", scope("s", record("c"))));

    Split split = Signals.LOGS.splitter(1000).split(request);

    assertThat(split.rejectedItems()).isEqualTo(2);
    assertThat(split.records()).hasSize(1);
    assertValidSplit(request, split, 1000);
  }

  @Test
  void keepsEveryPartWithinTheLimitForRandomRequests() throws Exception {
    Random random = new Random(20_261_122);
    for (int round = 0; round < 300; round++) {
      List<ResourceLogs> resources = new ArrayList<>();
      int resourceCount = 1 + random.nextInt(3);
      for (int r = 0; r < resourceCount; r++) {
        List<ScopeLogs> scopes = new ArrayList<>();
        int scopeCount = random.nextInt(4);
        for (int s = 0; s < scopeCount; s++) {
          List<LogRecord> records = new ArrayList<>();
          int recordCount = random.nextInt(6);
          for (int i = 0; i < recordCount; i++) {
            // Sizes around the 127/128 and 16383/16384 varint boundaries matter most.
            int body = random.nextBoolean() ? random.nextInt(300) : random.nextInt(20_000);
            records.add(sized(round + "." + r + "." + s + "." + i, body));
          }
          scopes.add(scope("s" + s, records.toArray(LogRecord[]::new)));
        }
        resources.add(resourceLogs("svc" + r, scopes.toArray(ScopeLogs[]::new)));
      }
      ExportLogsServiceRequest request = request(resources.toArray(ResourceLogs[]::new));
      int max = 150 + random.nextInt(40_000);

      Split split = Signals.LOGS.splitter(max).split(request);

      assertValidSplit(request, split, max);
    }
  }

  // ---- from the arriving bytes --------------------------------------------------------------

  private static void assertSameRecords(Split actual, Split expected) {
    assertThat(actual.records()).hasSameSizeAs(expected.records());
    for (int i = 0; i < expected.records().size(); i++) {
      assertThat(actual.records().get(i).key()).isEqualTo(expected.records().get(i).key());
      assertThat(actual.records().get(i).value()).isEqualTo(expected.records().get(i).value());
      assertThat(actual.records().get(i).itemCount()).isEqualTo(expected.records().get(i).itemCount());
    }
    assertThat(actual.rejectedItems()).isEqualTo(expected.rejectedItems());
    assertThat(actual.errorMessage()).isEqualTo(expected.errorMessage());
  }

  @Test
  void splitFromTheArrivingBytesGivesTheSameValuesAsReEncoding() throws Exception {
    ExportLogsServiceRequest rich = SampleRequests.rich();

    Split fromBytes = Signals.LOGS.splitter(NO_LIMIT).split(rich, rich.toByteArray());

    assertSameRecords(fromBytes, Signals.LOGS.splitter(NO_LIMIT).split(rich));
    assertValidSplit(rich, fromBytes, NO_LIMIT);
  }

  @Test
  void splitFromTheArrivingBytesMatchesReEncodingForRandomRequestsAndLimits() throws Exception {
    Random random = new Random(20_261_123);
    for (int round = 0; round < 200; round++) {
      List<ResourceLogs> resources = new ArrayList<>();
      int resourceCount = 1 + random.nextInt(3);
      for (int r = 0; r < resourceCount; r++) {
        List<ScopeLogs> scopes = new ArrayList<>();
        int scopeCount = random.nextInt(4);
        for (int s = 0; s < scopeCount; s++) {
          List<LogRecord> records = new ArrayList<>();
          int recordCount = random.nextInt(6);
          for (int i = 0; i < recordCount; i++) {
            int body = random.nextBoolean() ? random.nextInt(300) : random.nextInt(20_000);
            records.add(sized(round + "." + r + "." + s + "." + i, body));
          }
          scopes.add(scope("s" + s, records.toArray(LogRecord[]::new)));
        }
        resources.add(resourceLogs("svc" + r, scopes.toArray(ScopeLogs[]::new)));
      }
      ExportLogsServiceRequest request = request(resources.toArray(ResourceLogs[]::new));
      int max = 150 + random.nextInt(40_000);

      Split fromBytes = Signals.LOGS.splitter(max).split(request, request.toByteArray());

      assertValidSplit(request, fromBytes, max);
      assertSameRecords(fromBytes, Signals.LOGS.splitter(max).split(request));
    }
  }

  @Test
  void valueFromTheArrivingBytesKeepsTheResourceAsTheClientEncodedIt() throws Exception {
    ResourceLogs resourceLogs =
        ResourceLogs.newBuilder()
            .setResource(resource(attribute("service.name", "checkout")))
            .addScopeLogs(scope("s", record("a"), record("b")))
            .build();
    // A client may encode a default value explicitly (here schema_url = "", field 3): protobuf
    // drops it when re-encoding, the copied bytes keep it, and both decode to the same message.
    byte[] canonical = resourceLogs.toByteArray();
    byte[] clientResource = java.util.Arrays.copyOf(canonical, canonical.length + 2);
    clientResource[canonical.length] = 0x1A;
    clientResource[canonical.length + 1] = 0x00;
    byte[] body = new byte[2 + clientResource.length];
    body[0] = 0x0A;
    body[1] = (byte) clientResource.length;
    System.arraycopy(clientResource, 0, body, 2, clientResource.length);
    ExportLogsServiceRequest decoded = ExportLogsServiceRequest.parseFrom(body);

    Split split = Signals.LOGS.splitter(NO_LIMIT).split(decoded, body);

    assertThat(split.records()).hasSize(1);
    assertThat(split.records().get(0).value()).isEqualTo(body);
    assertThat(only(split.records().get(0))).isEqualTo(resourceLogs);
    assertThat(split.records().get(0).key()).isEqualTo(ResourceKeys.keyOf(resourceLogs.getResource()));
  }

  @Test
  void ignoresBytesThatDoNotLineUpWithTheRequest() throws Exception {
    ExportLogsServiceRequest rich = SampleRequests.rich();
    byte[] otherRequest = request(resourceLogs("other", scope("s", record("x")))).toByteArray();

    assertSameRecords(Signals.LOGS.splitter(NO_LIMIT).split(rich, otherRequest), Signals.LOGS.splitter(NO_LIMIT).split(rich));
    assertSameRecords(
        Signals.LOGS.splitter(NO_LIMIT).split(rich, new byte[] {0x0A, 0x7F, 0x01}), Signals.LOGS.splitter(NO_LIMIT).split(rich));
    assertThat(ResourceSplitter.resourceSlices(new byte[] {0x0A, 0x7F, 0x01}, 1, 0x0A)).isNull();
  }

  @Test
  void splitsFurtherFromTheArrivingBytesWhenAResourceIsTooLarge() throws Exception {
    ExportLogsServiceRequest request =
        request(resourceLogs("big", scope("a", sized("1", 600)), scope("b", sized("2", 600))));

    Split fromBytes = Signals.LOGS.splitter(1000).split(request, request.toByteArray());

    assertThat(fromBytes.records()).hasSize(2);
    assertValidSplit(request, fromBytes, 1000);
    assertSameRecords(fromBytes, Signals.LOGS.splitter(1000).split(request));
  }

  @Test
  void rejectsNonPositiveLimit() {
    assertThatThrownBy(() -> Signals.LOGS.splitter(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxValueBytes");
  }
}
