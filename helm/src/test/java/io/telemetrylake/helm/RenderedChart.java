package io.telemetrylake.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The chart rendered by the real helm binary ({@code helm template}), as parsed manifests. */
final class RenderedChart {
  static final Path MODULE_DIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  static final Path CHART_DIR = MODULE_DIR.resolve("telemetry-lake");
  static final String RELEASE = "drift";

  private static String helm;

  private final List<JsonNode> manifests;

  private RenderedChart(List<JsonNode> manifests) {
    this.manifests = manifests;
  }

  /** {@code helm template drift <chart> <args>}. */
  static RenderedChart render(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(helmBinary(), "template", RELEASE, CHART_DIR.toString()));
    command.addAll(List.of(args));
    String yaml = run(command);
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject()) {
          docs.add(doc);
        }
      }
    }
    return new RenderedChart(List.copyOf(docs));
  }

  /**
   * Environment of one container of a workload (the ingester's Deployment, the appender's
   * StatefulSet, the maintenance CronJob): variable name to value, with ConfigMap references
   * resolved against the rendered ConfigMaps. Secret and pod-field references map to null.
   */
  Map<String, String> containerEnv(String workload, String container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : container(workload, container).path("env")) {
      env.put(e.path("name").asText(), valueOf(e));
    }
    return env;
  }

  /** One container of a workload's pod template, as rendered. */
  JsonNode container(String workload, String container) {
    for (JsonNode c : podSpec(findWorkload(workload)).path("containers")) {
      if (container.equals(c.path("name").asText())) {
        return c;
      }
    }
    throw new AssertionError("no container " + container + " in workload " + workload);
  }

  /** The pod template's spec of a Deployment, StatefulSet or CronJob (its job template's pods). */
  static JsonNode podSpec(JsonNode workload) {
    JsonNode spec = workload.path("spec");
    if ("CronJob".equals(workload.path("kind").asText())) {
      spec = spec.path("jobTemplate").path("spec");
    }
    return spec.path("template").path("spec");
  }

  String workloadName(String component) {
    return RELEASE + "-telemetry-lake-" + component;
  }

  private String valueOf(JsonNode envVar) {
    if (envVar.has("value")) {
      return envVar.path("value").asText();
    }
    JsonNode ref = envVar.path("valueFrom").path("configMapKeyRef");
    if (!ref.isMissingNode()) {
      JsonNode value = find("ConfigMap", ref.path("name").asText()).path("data").path(ref.path("key").asText());
      if (value.isMissingNode()) {
        throw new AssertionError("env " + envVar.path("name").asText() + " refers to a missing ConfigMap key " + ref);
      }
      return value.asText();
    }
    return null;
  }

  /** Every rendered manifest of this kind. */
  List<JsonNode> ofKind(String kind) {
    return manifests.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
  }

  private JsonNode findWorkload(String name) {
    return manifests.stream()
        .filter(m -> List.of("Deployment", "StatefulSet", "CronJob").contains(m.path("kind").asText())
            && name.equals(m.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the chart rendered no Deployment, StatefulSet or CronJob " + name));
  }

  /** The manifest of this kind and name; fails when the chart did not render it. */
  JsonNode find(String kind, String name) {
    return manifests.stream()
        .filter(m -> kind.equals(m.path("kind").asText()) && name.equals(m.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the chart rendered no " + kind + " " + name));
  }

  /** The helm binary that check.sh uses, installed into the shared cache on first use. */
  private static synchronized String helmBinary() throws IOException, InterruptedException {
    if (helm == null) {
      helm = run(List.of("bash", MODULE_DIR.resolve("scripts/tools.sh").toString(), "helm")).strip();
    }
    return helm;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Path stderr = Files.createTempFile("helm-", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("failed (exit " + p.exitValue() + "): " + command + "\n"
            + Files.readString(stderr, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(stderr);
    }
  }
}
