package io.telemetrylake.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.telemetrylake.signal.Signal;

/** The appender's admin API: GET /stats and /metrics, POST /flush. */
final class AppenderAdmin {
  private static final Pattern PHASE_SUM =
      Pattern.compile("^appender_flush_duration_seconds_sum\\{phase=\"([^\"]+)\"} ([0-9.eE+-]+)", Pattern.MULTILINE);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String signal;

  /** The admin API of an appender, its /stats for {@code signal} (the appender runs every signal). */
  AppenderAdmin(URI base, Signal<?> signal) {
    this.base = base;
    this.signal = signal.name();
  }

  JsonNode stats() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(base.resolve("/stats?signal=" + signal)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return Report.JSON.readTree(r.body());
  }

  /** Commits what is staged; returns the flush report (blocks until the commit). */
  JsonNode flush() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(base.resolve("/flush")).timeout(Duration.ofMinutes(6))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("POST /flush answered " + r.statusCode() + ": " + r.body());
    }
    return Report.JSON.readTree(r.body());
  }

  String metrics() throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Seconds spent per flush phase in total, from the flush-duration histogram of /metrics. */
  static Map<String, Double> phaseSeconds(String metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = PHASE_SUM.matcher(metrics);
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }
}
