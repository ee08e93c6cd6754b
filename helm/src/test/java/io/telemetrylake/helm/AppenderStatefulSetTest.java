package io.telemetrylake.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The appender runs as a StatefulSet so that each pod keeps its name across restarts: that name
 * is its APPENDER_INSTANCE_ID (Kafka static membership), and a restarted pod resumes its
 * partitions at once instead of after the session timeout.
 */
final class AppenderStatefulSetTest {

  @Test
  void eachAppenderPodUsesItsStablePodNameAsInstanceId() throws Exception {
    RenderedChart chart = RenderedChart.render();
    String name = chart.workloadName("appender");

    JsonNode set = chart.find("StatefulSet", name);
    JsonNode env = set.path("spec").path("template").path("spec").path("containers").get(0).path("env");

    JsonNode instanceId = null;
    for (JsonNode e : env) {
      if (e.path("name").asText().equals("APPENDER_INSTANCE_ID")) {
        instanceId = e;
      }
    }
    assertThat(instanceId).as("APPENDER_INSTANCE_ID in the appender's env").isNotNull();
    assertThat(instanceId.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
    assertThat(set.path("spec").path("serviceName").asText()).isEqualTo(name);
    assertThat(set.path("spec").path("podManagementPolicy").asText()).isEqualTo("Parallel");
  }

  @Test
  void theAutoscalerScalesTheStatefulSet() throws Exception {
    RenderedChart chart = RenderedChart.render("--set", "appender.autoscaling.enabled=true");
    String name = chart.workloadName("appender");

    JsonNode target = chart.find("HorizontalPodAutoscaler", name).path("spec").path("scaleTargetRef");

    assertThat(target.path("kind").asText()).isEqualTo("StatefulSet");
    assertThat(target.path("name").asText()).isEqualTo(name);
  }
}
