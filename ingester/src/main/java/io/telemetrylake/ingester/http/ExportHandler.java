package io.telemetrylake.ingester.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import com.google.protobuf.Message;
import io.telemetrylake.ingester.IngesterConfig;
import io.telemetrylake.ingester.kafka.InflightBudget;
import io.telemetrylake.ingester.kafka.RecordProducer;
import io.telemetrylake.ingester.metrics.IngesterMetrics;
import io.telemetrylake.otlp.OtlpDecodeException;
import io.telemetrylake.otlp.OtlpEncoding;
import io.telemetrylake.otlp.OtlpResponses;
import io.telemetrylake.otlp.RequestBodies;
import io.telemetrylake.otlp.Validated;
import io.telemetrylake.record.KafkaRecord;
import io.telemetrylake.record.ResourceSplitter;
import io.telemetrylake.signal.Signal;
import java.io.IOException;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/logs}, {@code POST /v1/traces}: one handler per {@link Signal}, the same path for
 * all: decode, validate, split per resource, produce to the signal's topic, and answer 200 only
 * once Kafka has acknowledged every record. Signals share the in-flight budget and the producer.
 *
 * <p>Status codes follow the OTLP/HTTP spec and what real SDKs do with them: 400/413/415 are final
 * for the client, 429/503 with {@code Retry-After} make it retry. Overload and Kafka trouble are
 * therefore never 500.
 */
public final class ExportHandler<Q extends Message> implements Handler {
  private static final Logger LOG = LoggerFactory.getLogger(ExportHandler.class);

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

  private final Signal<Q> signal;
  private final String topic;
  private final IngesterConfig config;
  private final RecordProducer producer;
  private final InflightBudget budget;
  private final IngesterMetrics metrics;
  private final ResourceSplitter<Q, ?, ?, ?> splitter;
  private final BearerAuth auth;
  private final Lifecycle lifecycle;
  private final ThrottledLog kafkaErrors = new ThrottledLog(LOG, 10_000);
  private final BodyDeadline deadline;
  private final long bodyLimit;

  /**
   * @param deadline shared by the signals' handlers: one timer thread for all bodies
   * @param bodyLimit the largest decoded body taken ({@link ExportHandlers#bodyLimit})
   */
  ExportHandler(
      Signal<Q> signal,
      IngesterConfig config,
      RecordProducer producer,
      InflightBudget budget,
      IngesterMetrics metrics,
      Lifecycle lifecycle,
      BodyDeadline deadline,
      long bodyLimit) {
    this.signal = signal;
    this.topic = config.topicFor(signal);
    this.config = config;
    this.producer = producer;
    this.budget = budget;
    this.metrics = metrics;
    this.lifecycle = lifecycle;
    this.splitter = signal.splitter(config.maxRecordBytes());
    this.auth = new BearerAuth(config.authTokens());
    this.deadline = deadline;
    this.bodyLimit = bodyLimit;
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
    Q request;
    byte[] body;
    int bodyBytes;
    try (BodyDeadline.Bounded in = deadline.start(ctx.req().getInputStream(), () -> abort(ctx))) {
      // Every buffer of the body is reserved before it is allocated, and what the body becomes
      // (decoded objects, split copies) before it is decoded: memory is bounded before it is used.
      body = RequestBodies.read(in, contentEncoding(ctx), ctx.req().getContentLengthLong(), bodyLimit,
          bytes -> reservation.tryResize(READ_MEMORY_FACTOR * bytes));
      in.done();
      bodyBytes = body.length;
      if (!reservation.tryResize(REQUEST_MEMORY_FACTOR * bodyBytes)) {
        metrics.rejected(signal, "overload", 0, bodyBytes);
        retryLater(ctx, encoding, 429, RESOURCE_EXHAUSTED, "too much data in flight; retry later", start);
        return false;
      }
      request = signal.decodeBody(body, encoding);
    } catch (OtlpDecodeException e) {
      int status =
          switch (e.reason()) {
            case MALFORMED -> 400;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_CONTENT_ENCODING -> 415;
          };
      metrics.rejected(signal, "undecodable", 0, 0);
      respondStatus(ctx, encoding, status, status == 413 ? OUT_OF_RANGE : INVALID_ARGUMENT, e.getMessage(), start);
      return false;
    } catch (RequestBodies.RefusedException e) {
      metrics.rejected(signal, "overload", 0, 0);
      retryLater(ctx, encoding, 429, RESOURCE_EXHAUSTED, "too much data in flight; retry later", start);
      return false;
    } catch (IOException e) {
      // The client went away, trickled bytes past the idle timeout, or missed the body deadline.
      respondStatus(ctx, encoding, 408, UNAVAILABLE, "could not read the request body: " + e.getMessage(), start);
      return false;
    }

    int totalRecords = signal.countItems(request);
    Validated<Q> validated = signal.validate(request);
    // Unchanged protobuf requests are split from their own bytes: no second serialization.
    byte[] encoded = encoding == OtlpEncoding.PROTOBUF && validated.request() == request ? body : null;
    ResourceSplitter.Split split = splitter.split(validated.request(), encoded);
    int rejected = validated.rejectedItems() + split.rejectedItems();
    String message = joinMessages(validated.errorMessage(), split.errorMessage());
    if (rejected > 0) {
      metrics.rejected(signal, "invalid", rejected, 0);
    }
    List<KafkaRecord> records = split.records();
    if (records.isEmpty()) {
      respondSuccess(ctx, encoding, rejected, message, start);
      return false;
    }

    long bytes = 0;
    for (KafkaRecord record : records) {
      bytes += record.value().length + record.key().length;
    }
    // From here on only the records stay alive (until Kafka acknowledges them): keep just those.
    if (!reservation.tryResize(bytes)) {
      metrics.rejected(signal, "overload", totalRecords - rejected, bodyBytes);
      retryLater(ctx, encoding, 429, RESOURCE_EXHAUSTED, "too much data in flight to Kafka; retry later", start);
      return false;
    }

    long admitted = bytes;
    int accepted = totalRecords - rejected;
    long produceStart = System.nanoTime();
    CompletableFuture<Void> acked =
        producer.send(topic, records).orTimeout(config.produceTimeout().toMillis(), TimeUnit.MILLISECONDS);
    ctx.future(
        () ->
            acked.handle(
                (ok, error) -> {
                  try {
                    reservation.close();
                    if (error == null) {
                      metrics.accepted(signal, accepted, admitted, System.nanoTime() - produceStart);
                      respondSuccess(ctx, encoding, rejected, message, start);
                    } else {
                      kafkaErrors.warn("Kafka did not acknowledge a request; answering 503: {}", describe(error));
                      metrics.rejected(signal, "kafka", accepted, admitted);
                      retryLater(ctx, encoding, 503, UNAVAILABLE, "Kafka is not available; retry later", start);
                    }
                    return null;
                  } finally {
                    lifecycle.exit();
                  }
                }));
    return true;
  }

  /**
   * Every {@code Content-Encoding} line of the request joined into one list, as HTTP defines
   * repeated header lines: two lines are two codings, which {@link RequestBodies} refuses with
   * 415, rather than the first line alone, which would decode the body wrongly.
   */
  private static String contentEncoding(Context ctx) {
    Enumeration<String> lines = ctx.req().getHeaders("Content-Encoding");
    if (lines == null || !lines.hasMoreElements()) {
      return null;
    }
    String first = lines.nextElement();
    if (!lines.hasMoreElements()) {
      return first;
    }
    StringBuilder all = new StringBuilder(first);
    while (lines.hasMoreElements()) {
      all.append(", ").append(lines.nextElement());
    }
    return all.toString();
  }

  /** Closes the connection of a request whose body is still being read at its deadline. */
  private void abort(Context ctx) {
    org.eclipse.jetty.server.Request.getBaseRequest(ctx.req()).getHttpChannel()
        .abort(new TimeoutException("request body not received within " + deadline.deadline().toSeconds() + " s"));
  }

  public Signal<Q> signal() {
    return signal;
  }


  private void respondSuccess(Context ctx, OtlpEncoding encoding, long rejected, String message, long start) {
    ctx.status(200).contentType(encoding.contentType()).result(OtlpResponses.success(encoding, signal.rejectedField(), rejected, message));
    metrics.request(signal, 200, System.nanoTime() - start);
  }

  private void retryLater(Context ctx, OtlpEncoding encoding, int status, int code, String message, long start) {
    ctx.header("Retry-After", Integer.toString(config.retryAfterSeconds()));
    respondStatus(ctx, encoding, status, code, message, start);
  }

  private void respondStatus(Context ctx, OtlpEncoding encoding, int status, int code, String message, long start) {
    ctx.status(status).contentType(encoding.contentType()).result(OtlpResponses.status(encoding, code, message));
    metrics.request(signal, status, System.nanoTime() - start);
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
