package io.telemetrylake.tools.send;

import io.telemetrylake.otlp.OtlpEncoding;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * Posts one encoded request like an OpenTelemetry SDK exporter: retries 429/502/503/504 and
 * connection failures, waiting {@code Retry-After} when given, otherwise backing off exponentially.
 */
final class Sender {
  private final HttpClient http;
  private final SendSignal<?> signal;
  private final URI endpoint;
  private final OtlpEncoding encoding;
  private final boolean gzip;
  private final String token;
  private final Duration timeout;
  private final int maxRetries;
  private final SendStats stats;

  Sender(SendSignal<?> signal, URI endpoint, OtlpEncoding encoding, boolean gzip, String token, Duration timeout, int maxRetries, SendStats stats) {
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    this.signal = signal;
    this.endpoint = endpoint;
    this.encoding = encoding;
    this.gzip = gzip;
    this.token = token;
    this.timeout = timeout;
    this.maxRetries = maxRetries;
    this.stats = stats;
  }

  /** Outcome of one request after retries. */
  record Outcome(boolean acknowledged, long rejectedRecords) {}

  Outcome send(byte[] body) throws InterruptedException {
    stats.requests.incrementAndGet();
    Duration backoff = Duration.ofMillis(500);
    for (int attempt = 0; ; attempt++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(endpoint)
              .timeout(timeout)
              .header("Content-Type", encoding.contentType())
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (gzip) {
        request.header("Content-Encoding", "gzip");
      }
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      stats.attempts.incrementAndGet();
      stats.wireBytes.addAndGet(body.length);
      long start = System.nanoTime();
      Optional<Duration> wait;
      try {
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        stats.attempt(Integer.toString(status), System.nanoTime() - start);
        if (status == 200) {
          return new Outcome(true, signal.rejected(response.body(), encoding));
        }
        if (status != 429 && status != 502 && status != 503 && status != 504) {
          return new Outcome(false, 0);
        }
        wait = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), ZonedDateTime.now());
      } catch (IOException e) {
        stats.attempt("io-error", System.nanoTime() - start);
        wait = Optional.empty();
      }
      if (attempt >= maxRetries) {
        return new Outcome(false, 0);
      }
      stats.retries.incrementAndGet();
      Duration delay = wait.orElse(backoff);
      backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
      Thread.sleep(delay.toMillis());
    }
  }
}
