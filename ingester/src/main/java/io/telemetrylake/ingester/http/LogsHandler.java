package io.telemetrylake.ingester.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.telemetrylake.ingester.IngesterConfig;
import io.telemetrylake.ingester.kafka.InflightBudget;
import io.telemetrylake.ingester.kafka.LogProducer;
import io.telemetrylake.ingester.metrics.IngesterMetrics;
import io.telemetrylake.otlp.LogRecordValidator;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpLogsDecoder;
import io.telemetrylake.otlp.OtlpResponses;
import io.telemetrylake.otlp.RequestBodies;
import io.telemetrylake.record.KafkaLogRecord;
import io.telemetrylake.record.ResourceSplitter;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/logs}: decode, validate, split per resource, produce, and answer 200 only once
 * Kafka has acknowledged every record.
 *
 * <p>Status codes follow the OTLP/HTTP spec and what real SDKs do with them: 400/413/415 are final
 * for the client, 429/503 with {@code Retry-After} make it retry. Overload and Kafka trouble are
 * therefore never 500.
 */
public final class LogsHandler implements Handler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogsHandler.class);

  // google.rpc.Code values for the Status body of error responses.
  private static final int INVALID_ARGUMENT = 3;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int OUT_OF_RANGE = 11;
  private static final int UNAVAILABLE = 14;
  private static final int UNAUTHENTICATED = 16;

  /**
   * Memory a request needs per byte of its decoded body while it is read: the buffers, then the
   * joined copy.
   */
  static final long READ_MEMORY_FACTOR = 2;

  /**
   * Memory a request needs per byte of its decoded body at its peak: the body, the decoded
   * protobuf objects (about 5x the protobuf bytes for realistic records, measured with lake send's
   * generator: many small objects) and the per-resource copies (1x). JSON bodies are larger than
   * their protobuf, so they need less per byte.
   */
  static final long REQUEST_MEMORY_FACTOR = 7;

  private final IngesterConfig config;
  private final LogProducer producer;
  private final InflightBudget budget;
  private final IngesterMetrics metrics;
  private final ResourceSplitter splitter;
  private final BearerAuth auth;
  private final Lifecycle lifecycle;
  private final ThrottledLog kafkaErrors = new ThrottledLog(LOG, 10_000);
  private final BodyDeadline deadline;
  private final long bodyLimit;

  public LogsHandler(
      IngesterConfig config, LogProducer producer, InflightBudget budget, IngesterMetrics metrics, Lifecycle lifecycle) {
    this.config = config;
    this.producer = producer;
    this.budget = budget;
    this.metrics = metrics;
    this.lifecycle = lifecycle;
    this.splitter = new ResourceSplitter(config.maxRecordBytes());
    this.auth = new BearerAuth(config.authTokens());
    this.deadline = new BodyDeadline(config.bodyDeadline());
    // A body whose memory could never fit in the budget is refused for good (413), not retried.
    this.bodyLimit = Math.min(config.maxBodyBytes(), budget.maxBytes() / REQUEST_MEMORY_FACTOR);
    if (bodyLimit < config.maxBodyBytes()) {
      LOG.info("request bodies are limited to {} bytes ({} / {}: the memory a request needs), below {}={}",
          bodyLimit, IngesterConfig.MAX_INFLIGHT_BYTES, REQUEST_MEMORY_FACTOR, IngesterConfig.MAX_BODY_BYTES, config.maxBodyBytes());
    }
  }

  @Override
  public void handle(Context ctx) {
    long start = System.nanoTime();
    if (!lifecycle.enter()) {
      retryLater(ctx, OtlpEncoding.JSON, 503, UNAVAILABLE, "the ingester is shutting down", start);
      return;
    }
    boolean async = false;
    try {
      async = handleAdmitted(ctx, start);
    } finally {
      if (!async) {
        lifecycle.exit();
      }
    }
  }

  /** Returns true when the response will be completed asynchronously (after Kafka answers). */
  private boolean handleAdmitted(Context ctx, long start) {
    Optional<OtlpEncoding> maybeEncoding = OtlpEncoding.fromContentType(ctx.header("Content-Type"));
    OtlpEncoding encoding = maybeEncoding.orElse(OtlpEncoding.JSON);
    if (!auth.allows(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer");
      respondStatus(ctx, encoding, 401, UNAUTHENTICATED, "missing or invalid bearer token", start);
      return false;
    }
    if (maybeEncoding.isEmpty()) {
      respondStatus(ctx, encoding, 415, INVALID_ARGUMENT,
          "unsupported Content-Type; use application/x-protobuf or application/json", start);
      return false;
    }

    InflightBudget.Reservation reservation = budget.open();
    boolean handedOff = false;
    try {
      handedOff = readAndProduce(ctx, encoding, reservation, start);
      return handedOff;
    } finally {
      if (!handedOff) {
        reservation.close();
      }
    }
  }

  /** Returns true when the reservation passed to Kafka's callback (which answers and releases it). */
  private boolean readAndProduce(Context ctx, OtlpEncoding encoding, InflightBudget.Reservation reservation, long start) {
    ExportLogsServiceRequest request;
    byte[] body;
    int bodyBytes;
    try (BodyDeadline.Bounded in = deadline.start(ctx.req().getInputStream(), () -> abort(ctx))) {
      // Every buffer of the body is reserved before it is allocated, and what the body becomes
      // (decoded objects, split copies) before it is decoded: memory is bounded before it is used.
      body = RequestBodies.read(in, ctx.header("Content-Encoding"), ctx.req().getContentLengthLong(), bodyLimit,
          bytes -> reservation.tryResize(READ_MEMORY_FACTOR * bytes));
      in.done();
      bodyBytes = body.length;
      if (!reservation.tryResize(REQUEST_MEMORY_FACTOR * bodyBytes)) {
        metrics.rejected("overload", 0, bodyBytes);
        retryLater(ctx, encoding, 429, RESOURCE_EXHAUSTED, "too much data in flight; retry later", start);
        return false;
      }
      request = OtlpLogsDecoder.decode(body, encoding);
    } catch (OtlpDecodeException e) {
      int status =
          switch (e.reason()) {
            case MALFORMED -> 400;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_CONTENT_ENCODING -> 415;
          };
      metrics.rejected("undecodable", 0, 0);
      respondStatus(ctx, encoding, status, status == 413 ? OUT_OF_RANGE : INVALID_ARGUMENT, e.getMessage(), start);
      return false;
    } catch (RequestBodies.RefusedException e) {
      metrics.rejected("overload", 0, 0);
      retryLater(ctx, encoding, 429, RESOURCE_EXHAUSTED, "too much data in flight; retry later", start);
      return false;
    } catch (IOException e) {
      // The client went away, trickled bytes past the idle timeout, or missed the body deadline.
      respondStatus(ctx, encoding, 408, UNAVAILABLE, "could not read the request body: " + e.getMessage(), start);
      return false;
    }

    int totalRecords = countRecords(request);
    LogRecordValidator.Validated validated = LogRecordValidator.validate(request);
    // Unchanged protobuf requests are split from their own bytes: no second serialization.
    byte[] encoded = encoding == OtlpEncoding.PROTOBUF && validated.request() == request ? body : null;
    ResourceSplitter.Split split = splitter.split(validated.request(), encoded);
    int rejected = validated.rejectedLogRecords() + split.rejectedLogRecords();
    String message = joinMessages(validated.errorMessage(), split.errorMessage());
    if (rejected > 0) {
      metrics.rejected("invalid", rejected, 0);
    }
    List<KafkaLogRecord> records = split.records();
    if (records.isEmpty()) {
      respondSuccess(ctx, encoding, rejected, message, start);
      return false;
    }

    long bytes = 0;
    for (KafkaLogRecord record : records) {
      bytes += record.value().length + record.key().length;
    }
    // From here on only the records stay alive (until Kafka acknowledges them): keep just those.
    if (!reservation.tryResize(bytes)) {
      metrics.rejected("overload", totalRecords - rejected, bodyBytes);
      retryLater(ctx, encoding, 429, RESOURCE_EXHAUSTED, "too much data in flight to Kafka; retry later", start);
      return false;
    }

    long admitted = bytes;
    int accepted = totalRecords - rejected;
    long produceStart = System.nanoTime();
    CompletableFuture<Void> acked =
        producer.send(records).orTimeout(config.produceTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ctx.future(
        () ->
            acked.handle(
                (ok, error) -> {
                  try {
                    reservation.close();
                    if (error == null) {
                      metrics.accepted(accepted, admitted, System.nanoTime() - produceStart);
                      respondSuccess(ctx, encoding, rejected, message, start);
                    } else {
                      kafkaErrors.warn("Kafka did not acknowledge a request; answering 503: {}", describe(error));
                      metrics.rejected("kafka", accepted, admitted);
                      retryLater(ctx, encoding, 503, UNAVAILABLE, "Kafka is not available; retry later", start);
                    }
                    return null;
                  } finally {
                    lifecycle.exit();
                  }
                }));
    return true;
  }

  /** Closes the connection of a request whose body is still being read at its deadline. */
  private void abort(Context ctx) {
    org.eclipse.jetty.server.Request.getBaseRequest(ctx.req()).getHttpChannel()
        .abort(new TimeoutException("request body not received within " + deadline.deadline().toSeconds() + " s"));
  }

  /** Stops the deadline timer. */
  @Override
  public void close() {
    deadline.close();
  }

  private void respondSuccess(Context ctx, OtlpEncoding encoding, long rejected, String message, long start) {
    ctx.status(200).contentType(encoding.contentType()).result(OtlpResponses.success(encoding, rejected, message));
    metrics.request(200, System.nanoTime() - start);
  }

  private void retryLater(Context ctx, OtlpEncoding encoding, int status, int code, String message, long start) {
    ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
    respondStatus(ctx, encoding, status, code, message, start);
  }

  private void respondStatus(Context ctx, OtlpEncoding encoding, int status, int code, String message, long start) {
    ctx.status(status).contentType(encoding.contentType()).result(OtlpResponses.status(encoding, code, message));
    metrics.request(status, System.nanoTime() - start);
  }

  private static int countRecords(ExportLogsServiceRequest request) {
    int n = 0;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        n += sl.getLogRecordsCount();
      }
    }
    return n;
  }

  private static String joinMessages(String a, String b) {
    if (a == null || a.isEmpty()) {
      return b == null ? "" : b;
    }
    if (b == null || b.isEmpty()) {
      return a;
    }
    return a + "; " + b;
  }

  private static String describe(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
