package io.telemetrylake.ingester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.telemetrylake.config.Settings;
import io.telemetrylake.devstack.DevStack;
import io.telemetrylake.devstack.DevStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** INGESTER_METRICS_AUTH puts GET /metrics behind the ingest tokens; the probes stay open. */
@ExtendWith(DevStackExtension.class)
class MetricsAuthIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void metricsNeedAnIngestTokenOnlyWhenSwitchedOn(DevStack stack) throws Exception {
    try (Ingester open = start(stack, Map.of("INGESTER_AUTH_TOKENS", "t0ken-a,t0ken-b"))) {
      assertThat(get(open, "/metrics", null).statusCode()).isEqualTo(200);
    }
    try (Ingester closed = start(stack, Map.of("INGESTER_AUTH_TOKENS", "t0ken-a,t0ken-b", "INGESTER_METRICS_AUTH", "true"))) {
      HttpResponse<String> missing = get(closed, "/metrics", null);
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
      assertThat(missing.body()).doesNotContain("ingester_");
      assertThat(get(closed, "/metrics", "nope").statusCode()).isEqualTo(401);
      assertThat(get(closed, "/metrics", "t0ken-b").body()).contains("ingester_inflight_bytes");
      assertThat(get(closed, "/healthz", null).statusCode()).isEqualTo(200);
      assertThat(get(closed, "/readyz", null).statusCode()).isEqualTo(200);
    }
  }

  private static Ingester start(DevStack stack, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("INGESTER_HOST", "127.0.0.1");
    env.put("INGESTER_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap());
    env.put("KAFKA_TOPIC", "it-metrics-auth-" + UUID.randomUUID());
    env.put("KAFKA_TOPIC_PARTITIONS", "1");
    env.putAll(overrides);
    Ingester ingester = Ingester.start(IngesterConfig.from(new Settings(env)));
    await().atMost(Duration.ofSeconds(30)).until(ingester::isReady);
    return ingester;
  }

  private static HttpResponse<String> get(Ingester i, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port() + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
