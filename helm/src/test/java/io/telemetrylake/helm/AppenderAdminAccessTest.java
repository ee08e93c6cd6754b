package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who may reach the appender's admin port: the optional NetworkPolicy and the metrics token. */
final class AppenderAdminAccessTest {
  private static final String APPENDER = RenderedChart.RELEASE + "-telemetry-lake-appender";

  @Test
  void rendersNoNetworkPolicyByDefault() throws Exception {
    assertThat(RenderedChart.render().ofKind("NetworkPolicy")).isEmpty();
  }

  @Test
  void letsOnlyTheNamedNamespacesReachTheAdminPort() throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "appender.networkPolicy.enabled=true",
        "--set", "appender.networkPolicy.fromNamespaces={monitoring,ops}");

    JsonNode spec = chart.find("NetworkPolicy", APPENDER).path("spec");

    assertThat(spec.path("podSelector").path("matchLabels").path("app.kubernetes.io/component").asText())
        .isEqualTo("appender");
    assertThat(spec.path("policyTypes").toString()).isEqualTo("[\"Ingress\"]");
    assertThat(spec.path("ingress")).hasSize(1);
    JsonNode rule = spec.path("ingress").get(0);
    assertThat(rule.path("ports").toString()).isEqualTo("[{\"port\":\"admin\",\"protocol\":\"TCP\"}]");
    List<String> namespaces = new ArrayList<>();
    rule.path("from").forEach(peer ->
        namespaces.add(peer.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText()));
    assertThat(namespaces).containsExactly("monitoring", "ops");
    // the port it opens is the container's admin port
    JsonNode container = chart.find("StatefulSet", APPENDER).path("spec").path("template").path("spec")
        .path("containers").get(0);
    assertThat(container.path("ports").findValuesAsText("name")).contains("admin");
  }

  @Test
  void withoutPeersTheAdminPortIsClosedToEveryPod() throws Exception {
    JsonNode spec = RenderedChart.render("--set", "appender.networkPolicy.enabled=true")
        .find("NetworkPolicy", APPENDER).path("spec");

    assertThat(spec.path("ingress").isArray()).isTrue();
    assertThat(spec.path("ingress")).isEmpty();
  }

  @Test
  void metricsAuthReachesTheAppenderAndTheServiceMonitorSendsTheToken() throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "appender.settings.metricsAuth=true",
        "--set", "credentials.appenderAuthToken=admin-token-123", "--set", "serviceMonitor.enabled=true");

    assertThat(chart.containerEnv(APPENDER, "appender")).containsEntry("APPENDER_METRICS_AUTH", "true");
    JsonNode auth = chart.find("ServiceMonitor", APPENDER).path("spec").path("endpoints").get(0).path("authorization");
    assertThat(auth.path("type").asText()).isEqualTo("Bearer");
    assertThat(auth.path("credentials").path("key").asText()).isEqualTo("APPENDER_AUTH_TOKEN");
    assertThat(auth.path("credentials").path("name").asText()).isEqualTo(RenderedChart.RELEASE + "-telemetry-lake-credentials");
    // the ingester's scrape is unchanged
    assertThat(chart.find("ServiceMonitor", RenderedChart.RELEASE + "-telemetry-lake-ingester")
        .path("spec").path("endpoints").get(0).has("authorization")).isFalse();
  }
}
