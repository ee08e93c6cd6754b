package io.telemetrylake.tools.send;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.SpanFlags;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes realistic trace batches: distributed traces through several services, each a root SERVER
 * span with INTERNAL work, database CLIENT calls and HTTP CLIENT calls into other services (whose
 * SERVER spans are the CLIENT spans' children, with a remote parent), laid out so that every child
 * runs inside its parent. HTTP and database attributes after the semantic conventions, an
 * {@code exception} event on failed spans (about {@value #ERROR_PERCENT}% fail on their own, and
 * some callers fail with them), a few other events, links from retried requests to the attempt
 * before, random 16-byte trace ids and 8-byte span ids.
 *
 * <p>A request holds whole traces (the last one cut short to make the count exact, parents always
 * kept), its spans grouped by service (resource) and instrumentation scope. Every span carries a
 * unique {@value #ID_ATTRIBUTE} ({@code <run>-<sequence>}), like {@link LogGenerator}'s records.
 */
public final class SpanGenerator implements RequestGenerator<ExportTraceServiceRequest> {
  public static final String ID_ATTRIBUTE = LogGenerator.ID_ATTRIBUTE;

  /** Share of spans, in percent, that fail on their own. */
  static final int ERROR_PERCENT = 3;

  static final String RESOURCE_SCHEMA_URL = "https://opentelemetry.io/schemas/1.26.0";
  static final String SCOPE_SCHEMA_URL = "https://opentelemetry.io/schemas/1.24.0";

  private static final int SAMPLED = 0x01;
  private static final int HAS_IS_REMOTE = SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK_VALUE;
  private static final int IS_REMOTE = SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK_VALUE;
  private static final long MS = 1_000_000L;
  private static final int MAX_DEPTH = 3;
  private static final String INSTRUMENTATION_VERSION = "2.10.0-alpha";

  /** A database a service talks to: its system, namespace, and the operations done on it. */
  private record Db(String system, String namespace, String host, String scope, String[][] operations,
      String exceptionType, String exceptionMessage) {}

  /** A service: its routes (method, route template), its database, its internal steps. */
  private record Service(String name, String[][] routes, Db db, String[] steps) {}

  /** A span to link to. */
  private record SpanRef(ByteString traceId, ByteString spanId, String traceState) {}

  private static final Db POSTGRES_ORDERS = new Db("postgresql", "orders", "orders-db", "io.opentelemetry.jdbc",
      new String[][] {
        {"SELECT", "orders", "SELECT id, status, total FROM orders WHERE id = ?"},
        {"INSERT", "orders", "INSERT INTO orders (id, customer_id, total) VALUES (?, ?, ?)"},
        {"UPDATE", "order_items", "UPDATE order_items SET quantity = ? WHERE order_id = ? AND sku = ?"}},
      "org.postgresql.util.PSQLException", "ERROR: canceling statement due to statement timeout");
  private static final Db POSTGRES_PAYMENTS = new Db("postgresql", "payments", "payments-db", "io.opentelemetry.jdbc",
      new String[][] {
        {"SELECT", "payments", "SELECT id, state FROM payments WHERE order_id = ?"},
        {"INSERT", "payments", "INSERT INTO payments (id, order_id, amount, state) VALUES (?, ?, ?, ?)"}},
      "org.postgresql.util.PSQLException", "ERROR: could not serialize access due to concurrent update");
  private static final Db REDIS = new Db("redis", "0", "cache", "io.opentelemetry.lettuce-5.1",
      new String[][] {{"GET", null, "GET session:?"}, {"SET", null, "SET cart:? ? EX ?"}, {"HGETALL", null, "HGETALL stock:?"}},
      "io.lettuce.core.RedisCommandTimeoutException", "Command timed out after 1 second(s)");
  private static final Db MONGO = new Db("mongodb", "shipping", "shipping-db", "io.opentelemetry.mongo-3.1",
      new String[][] {{"find", "shipments", null}, {"insert", "shipments", null}},
      "com.mongodb.MongoTimeoutException", "Timed out after 30000 ms while waiting to connect");
  private static final Db ELASTICSEARCH = new Db("elasticsearch", "products", "search-es", "io.opentelemetry.elasticsearch-rest-7.0",
      new String[][] {{"search", "products", null}},
      "org.elasticsearch.client.ResponseException", "method [POST], status line [HTTP/1.1 429 Too Many Requests]");

  private static final Service[] SERVICES = {
    new Service("frontend", new String[][] {{"GET", "/"}, {"GET", "/api/products/{id}"}, {"POST", "/api/cart/items"}},
        REDIS, new String[] {"render page", "resolve session", "load feature flags"}),
    new Service("checkout", new String[][] {{"POST", "/api/checkout"}, {"GET", "/api/orders/{id}"}},
        POSTGRES_ORDERS, new String[] {"validate cart", "price order", "reserve items"}),
    new Service("payments", new String[][] {{"POST", "/api/payments"}, {"GET", "/api/payments/{id}"}},
        POSTGRES_PAYMENTS, new String[] {"authorize card", "check fraud score"}),
    new Service("inventory", new String[][] {{"GET", "/api/stock/{sku}"}, {"PUT", "/api/stock/{sku}"}},
        REDIS, new String[] {"compute availability"}),
    new Service("shipping", new String[][] {{"POST", "/api/shipments"}, {"GET", "/api/shipments/{id}/quote"}},
        MONGO, new String[] {"quote carriers", "build label"}),
    new Service("auth", new String[][] {{"POST", "/api/login"}, {"GET", "/api/session"}},
        REDIS, new String[] {"verify password", "issue token"}),
    new Service("search", new String[][] {{"GET", "/api/search"}},
        ELASTICSEARCH, new String[] {"parse query", "rank results"}),
    new Service("recommendations", new String[][] {{"GET", "/api/recommendations"}},
        REDIS, new String[] {"score candidates", "filter seen items"}),
  };
  private static final String[] ENVIRONMENTS = {"production", "staging"};

  /** Own failures of server and internal work: exception type and message. */
  private static final String[][] APP_EXCEPTIONS = {
    {"java.lang.IllegalStateException", "cart is empty"},
    {"java.lang.NullPointerException", "Cannot invoke \"Order.id()\" because \"order\" is null"},
    {"java.util.concurrent.TimeoutException", "deadline exceeded after 2000 ms"},
    {"java.lang.IllegalArgumentException", "unknown currency: XTS"},
  };

  private final String runId;
  private final int services;
  private final SplittableRandom random;
  // The last roots made, for links from retries.
  private final List<SpanRef> recentRoots = new ArrayList<>();

  public SpanGenerator(String runId, int services, long seed) {
    this.runId = runId;
    this.services = Math.max(1, Math.min(services, SERVICES.length));
    this.random = new SplittableRandom(seed);
  }

  /** The id of the span with this sequence number. */
  public String idOf(long sequence) {
    return runId + "-" + sequence;
  }

  /**
   * One request of exactly {@code spans} spans, whole traces through at most {@code resources}
   * services (one resource each), numbered from {@code firstSequence}.
   */
  @Override
  public ExportTraceServiceRequest request(long firstSequence, int spans, int resources, long nowNanos) {
    Batch batch = new Batch(firstSequence, spans, pickServices(resources));
    while (batch.left > 0) {
      trace(batch, nowNanos);
    }
    return batch.build();
  }

  private int[] pickServices(int resources) {
    int n = Math.max(1, Math.min(resources, services));
    int[] all = new int[services];
    for (int i = 0; i < services; i++) {
      all[i] = i;
    }
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(services - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] picked = new int[n];
    System.arraycopy(all, 0, picked, 0, n);
    return picked;
  }

  /** The spans of one request, grouped by service and scope as an SDK or a Collector would send them. */
  private final class Batch {
    final int[] pool;
    long sequence;
    int left;
    final Map<Integer, Map<String, List<Span.Builder>>> spans = new LinkedHashMap<>();

    Batch(long firstSequence, int count, int[] pool) {
      this.sequence = firstSequence;
      this.left = count;
      this.pool = pool;
    }

    /** A new span of the trace in a service and scope, with its id attribute; counts against the budget. */
    Span.Builder add(Trace trace, int service, String scope, ByteString parent) {
      left--;
      trace.left--;
      Span.Builder span = Span.newBuilder()
          .setTraceId(trace.id)
          .setSpanId(ByteString.copyFrom(randomId(8)))
          .setTraceState(trace.state)
          .addAttributes(kv(ID_ATTRIBUTE, idOf(sequence++)));
      if (!parent.isEmpty()) {
        span.setParentSpanId(parent);
      }
      spans.computeIfAbsent(service, s -> new LinkedHashMap<>()).computeIfAbsent(scope, s -> new ArrayList<>()).add(span);
      return span;
    }

    ExportTraceServiceRequest build() {
      ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
      spans.forEach((service, scopes) -> {
        ResourceSpans.Builder resource = ResourceSpans.newBuilder()
            .setResource(resource(service))
            .setSchemaUrl(RESOURCE_SCHEMA_URL);
        scopes.forEach((scope, list) -> {
          ScopeSpans.Builder scopeSpans = ScopeSpans.newBuilder()
              .setScope(InstrumentationScope.newBuilder().setName(scope).setVersion(scopeVersion(service, scope)))
              .setSchemaUrl(SCOPE_SCHEMA_URL);
          list.forEach(scopeSpans::addSpans);
          resource.addScopeSpans(scopeSpans);
        });
        request.addResourceSpans(resource);
      });
      return request.build();
    }
  }

  /** One trace being made: its id, trace state and how many more spans it may have. */
  private static final class Trace {
    final ByteString id;
    final String state;
    int left;

    Trace(ByteString id, String state, int left) {
      this.id = id;
      this.state = state;
      this.left = left;
    }
  }

  private void trace(Batch batch, long nowNanos) {
    int size = Math.min(batch.left, 2 + random.nextInt(14));
    String state = random.nextInt(10) == 0 ? "rojo=00f067aa0ba902b7" : "";
    Trace trace = new Trace(ByteString.copyFrom(randomId(16)), state, size);
    long duration = (2 + random.nextInt(300)) * MS * (random.nextInt(20) == 0 ? 5 : 1);
    long end = nowNanos - random.nextLong(1_000 * MS);
    int service = batch.pool[random.nextInt(batch.pool.length)];
    List<Integer> path = new ArrayList<>();
    path.add(service);
    Span.Builder root = server(batch, trace, service, path, ByteString.EMPTY, end - duration, end, 0);
    if (random.nextInt(20) == 0 && !recentRoots.isEmpty()) {
      SpanRef previous = recentRoots.get(random.nextInt(recentRoots.size()));
      root.addAttributes(kv("http.request.resend_count", 1))
          .addLinks(Span.Link.newBuilder()
              .setTraceId(previous.traceId())
              .setSpanId(previous.spanId())
              .setTraceState(previous.traceState())
              .addAttributes(kv("link.reason", "retry of an earlier attempt")));
    }
    if (recentRoots.size() == 16) {
      recentRoots.remove(0);
    }
    recentRoots.add(new SpanRef(trace.id, root.getSpanId(), trace.state));
  }

  /** A SERVER span of a service and its children; fails when it fails on its own or, sometimes, with a callee. */
  private Span.Builder server(Batch batch, Trace trace, int service, List<Integer> path, ByteString parent,
      long start, long end, int depth) {
    Service s = SERVICES[service];
    String[] route = s.routes()[random.nextInt(s.routes().length)];
    Span.Builder span = batch.add(trace, service, "io.opentelemetry.tomcat-10.0", parent)
        .setName(route[0] + " " + route[1])
        .setKind(SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(end)
        .setFlags(SAMPLED | HAS_IS_REMOTE | (parent.isEmpty() ? 0 : IS_REMOTE))
        .addAttributes(kv("http.request.method", route[0]))
        .addAttributes(kv("url.path", route[1].replace("{id}", Long.toString(1000 + random.nextInt(90_000)))
            .replace("{sku}", "SKU-" + (100 + random.nextInt(900)))))
        .addAttributes(kv("url.scheme", "http"))
        .addAttributes(kv("http.route", route[1]))
        .addAttributes(kv("server.address", s.name()))
        .addAttributes(kv("server.port", 8080))
        .addAttributes(kv("client.address", "10.0." + random.nextInt(8) + "." + (2 + random.nextInt(250))))
        .addAttributes(kv("network.protocol.version", "1.1"))
        .addAttributes(kv("user_agent.original", parent.isEmpty() ? "Mozilla/5.0 (X11; Linux x86_64)" : "Java-http-client/17"));
    boolean calleeFailed = children(batch, trace, service, path, span, start, end, depth);
    boolean failed = random.nextInt(100) < ERROR_PERCENT || (calleeFailed && random.nextBoolean());
    if (failed) {
      fail(span, APP_EXCEPTIONS[random.nextInt(APP_EXCEPTIONS.length)], start, end);
    }
    span.addAttributes(kv("http.response.status_code", failed ? 500 : route[0].equals("POST") ? 201 : 200));
    return span;
  }

  /** Children of a span, one after the other inside it; true when one of them failed. */
  private boolean children(Batch batch, Trace trace, int service, List<Integer> path, Span.Builder parent,
      long start, long end, int depth) {
    if (depth >= MAX_DEPTH || trace.left <= 0) {
      return false;
    }
    int k = 1 + random.nextInt(3);
    long slot = (end - start) / k;
    boolean failed = false;
    for (int i = 0; i < k && trace.left > 0; i++) {
      long slotStart = start + i * slot;
      long length = Math.max(1, slot * (40 + random.nextInt(56)) / 100);
      long childStart = slotStart + random.nextLong(Math.max(1, slot - length + 1));
      long childEnd = Math.min(childStart + length, end);
      int other = callee(batch, path);
      int choice = random.nextInt(10);
      if (other >= 0 && choice < 4) {
        failed |= httpCall(batch, trace, service, other, path, parent.getSpanId(), childStart, childEnd, depth);
      } else if (choice < 7) {
        failed |= dbCall(batch, trace, service, parent.getSpanId(), childStart, childEnd);
      } else {
        failed |= internal(batch, trace, service, path, parent.getSpanId(), childStart, childEnd, depth);
      }
    }
    return failed;
  }

  /** A service of the request not yet on the call path, or -1. */
  private int callee(Batch batch, List<Integer> path) {
    List<Integer> free = new ArrayList<>();
    for (int s : batch.pool) {
      if (!path.contains(s)) {
        free.add(s);
      }
    }
    return free.isEmpty() ? -1 : free.get(random.nextInt(free.size()));
  }

  private boolean httpCall(Batch batch, Trace trace, int service, int callee, List<Integer> path, ByteString parent,
      long start, long end, int depth) {
    Service target = SERVICES[callee];
    String[] route = target.routes()[random.nextInt(target.routes().length)];
    Span.Builder client = batch.add(trace, service, "io.opentelemetry.java-http-client", parent)
        .setName(route[0])
        .setKind(SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(end)
        .setFlags(SAMPLED | HAS_IS_REMOTE)
        .addAttributes(kv("http.request.method", route[0]))
        .addAttributes(kv("url.full", "http://" + target.name() + ":8080" + route[1]))
        .addAttributes(kv("server.address", target.name()))
        .addAttributes(kv("server.port", 8080));
    boolean failed = false;
    if (trace.left > 0) {
      // the network on either side: the server's span sits inside the client's
      long margin = (end - start) / 10;
      path.add(callee);
      Span.Builder server = server(batch, trace, callee, path, client.getSpanId(), start + margin, end - margin, depth + 1);
      path.remove(path.size() - 1);
      failed = server.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;
    }
    client.addAttributes(kv("http.response.status_code", failed ? 500 : route[0].equals("POST") ? 201 : 200));
    if (failed) {
      client.addAttributes(kv("error.type", "500"))
          .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
              .setMessage(route[0] + " " + target.name() + route[1] + " answered 500"));
    }
    return failed;
  }

  private boolean dbCall(Batch batch, Trace trace, int service, ByteString parent, long start, long end) {
    Db db = SERVICES[service].db();
    String[] op = db.operations()[random.nextInt(db.operations().length)];
    Span.Builder span = batch.add(trace, service, db.scope(), parent)
        .setName(op[1] == null ? op[0] : op[0] + " " + op[1])
        .setKind(SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(end)
        .setFlags(SAMPLED | HAS_IS_REMOTE)
        .addAttributes(kv("db.system", db.system()))
        .addAttributes(kv("db.namespace", db.namespace()))
        .addAttributes(kv("db.operation.name", op[0]))
        .addAttributes(kv("server.address", db.host()));
    if (op[1] != null) {
      span.addAttributes(kv("db.collection.name", op[1]));
    }
    if (op[2] != null) {
      span.addAttributes(kv("db.query.text", op[2]));
    }
    boolean failed = random.nextInt(100) < ERROR_PERCENT;
    if (failed) {
      fail(span, new String[] {db.exceptionType(), db.exceptionMessage()}, start, end);
    }
    return failed;
  }

  private boolean internal(Batch batch, Trace trace, int service, List<Integer> path, ByteString parent,
      long start, long end, int depth) {
    Service s = SERVICES[service];
    String step = s.steps()[random.nextInt(s.steps().length)];
    Span.Builder span = batch.add(trace, service, "com.example." + s.name(), parent)
        .setName(step)
        .setKind(SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(end)
        .setFlags(SAMPLED | HAS_IS_REMOTE)
        .addAttributes(kv("code.function.name", "com.example." + s.name() + "." + camel(step)))
        .addAttributes(kv("thread.name", "http-nio-8080-exec-" + (1 + random.nextInt(10))));
    if (random.nextInt(5) == 0) {
      span.addEvents(Span.Event.newBuilder()
          .setTimeUnixNano(start + random.nextLong(Math.max(1, end - start)))
          .setName("cache.miss")
          .addAttributes(kv("cache.key", s.name() + ":" + Long.toHexString(random.nextLong() >>> 16))));
    }
    if (random.nextInt(50) == 0) {
      span.setDroppedAttributesCount(1 + random.nextInt(3));
    }
    boolean failed = children(batch, trace, service, path, span, start, end, depth + 1);
    if (random.nextInt(100) < ERROR_PERCENT || failed) {
      fail(span, APP_EXCEPTIONS[random.nextInt(APP_EXCEPTIONS.length)], start, end);
      return true;
    }
    return false;
  }

  /** Status ERROR with the exception's message, and the {@code exception} event an SDK records. */
  private void fail(Span.Builder span, String[] exception, long start, long end) {
    span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage(exception[1]))
        .addEvents(Span.Event.newBuilder()
            .setTimeUnixNano(end - random.nextLong(Math.max(1, (end - start) / 10)))
            .setName("exception")
            .addAttributes(kv("exception.type", exception[0]))
            .addAttributes(kv("exception.message", exception[1]))
            .addAttributes(kv("exception.stacktrace", exception[0] + ": " + exception[1]
                + "\n\tat com.example.Handler.handle(Handler.java:" + (20 + random.nextInt(200)) + ")"
                + "\n\tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:197)")));
  }

  private Resource resource(int service) {
    Service s = SERVICES[service];
    return Resource.newBuilder()
        .addAttributes(kv("service.name", s.name()))
        .addAttributes(kv("service.version", "1." + service + ".0"))
        .addAttributes(kv("service.namespace", "shop"))
        .addAttributes(kv("deployment.environment.name", ENVIRONMENTS[service % ENVIRONMENTS.length]))
        .addAttributes(kv("host.name", s.name() + "-" + (service % 3)))
        .addAttributes(kv("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(kv("telemetry.sdk.language", "java"))
        .addAttributes(kv("telemetry.sdk.version", "1.44.1"))
        .build();
  }

  private static String scopeVersion(int service, String scope) {
    return scope.startsWith("io.opentelemetry.") ? INSTRUMENTATION_VERSION : "1." + service + ".0";
  }

  private static String camel(String words) {
    StringBuilder b = new StringBuilder();
    for (String w : words.split(" ")) {
      b.append(b.length() == 0 ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1));
    }
    return b.toString();
  }

  /** A random trace or span id: n random bytes, not all zero (the invalid id). */
  private byte[] randomId(int n) {
    byte[] b = new byte[n];
    boolean zero = true;
    while (zero) {
      for (int i = 0; i < n; i++) {
        b[i] = (byte) random.nextInt(256);
        zero &= b[i] == 0;
      }
    }
    return b;
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue kv(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
