#!/usr/bin/env node
// What a rendered release scales the appender StatefulSet with, checked against what is expected:
// exactly one autoscaler of the expected kind, no replicas on the StatefulSet, and one lag source
// per signal with that signal's consumer group and topic, in order.
//
//   node autoscaling-check.mjs FILE keda|external|cpu|none [signal:group:topic ...]
//
// keda:     a keda.sh/v1alpha1 ScaledObject, one kafka trigger per signal, allowIdleConsumers "false"
// external: an autoscaling/v2 HPA, one External metric per signal selecting group (and topic)
//           (labels named by $GROUP_LABEL and $TOPIC_LABEL, default consumergroup and topic)
// cpu:      the CPU HPA; none: no autoscaler, replicas set
// Exit 0 when the render matches, 1 with the differences otherwise.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [file, expected, ...pairs] = process.argv.slice(2);
if (!file || !["keda", "external", "cpu", "none"].includes(expected)) {
  console.error("usage: autoscaling-check.mjs FILE keda|external|cpu|none [signal:group:topic ...]");
  process.exit(2);
}
const groupLabel = process.env.GROUP_LABEL || "consumergroup";
const topicLabel = process.env.TOPIC_LABEL || "topic";
const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJSON()).filter(Boolean);
const problems = [];
const sts = docs.filter((d) => d.kind === "StatefulSet" && d.metadata?.labels?.["app.kubernetes.io/component"] === "appender");
if (sts.length !== 1) {
  problems.push(`expected one appender StatefulSet, found ${sts.length}`);
} else {
  const name = sts[0].metadata.name;
  const scalers = docs.filter((d) => ["HorizontalPodAutoscaler", "ScaledObject"].includes(d.kind)
    && d.spec?.scaleTargetRef?.kind === "StatefulSet" && d.spec?.scaleTargetRef?.name === name);
  const replicas = sts[0].spec?.replicas;
  const want = pairs.map((p) => {
    const [signal, group, topic] = p.split(":");
    return { signal, group, topic: topic || undefined };
  });
  if (expected === "none") {
    if (scalers.length !== 0) problems.push(`expected no autoscaler, found ${scalers.map((s) => s.kind).join(", ")}`);
    if (replicas === undefined) problems.push("expected replicas on the StatefulSet");
  } else {
    if (replicas !== undefined) problems.push(`the autoscaled StatefulSet sets replicas: ${replicas}`);
    if (scalers.length !== 1) problems.push(`expected one autoscaler, found ${scalers.length}`);
  }
  const s = scalers[0];
  if (expected === "keda" && s) {
    if (s.kind !== "ScaledObject" || s.apiVersion !== "keda.sh/v1alpha1") problems.push(`expected a keda.sh/v1alpha1 ScaledObject, found ${s.apiVersion} ${s.kind}`);
    const triggers = s.spec?.triggers ?? [];
    const got = triggers.map((t) => ({ signal: (t.name ?? "").replace(/-lag$/, ""), group: t.metadata?.consumerGroup, topic: t.metadata?.topic }));
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`triggers ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    for (const t of triggers) {
      if (t.type !== "kafka") problems.push(`trigger ${t.name}: type ${t.type}, expected kafka`);
      if (t.metadata?.allowIdleConsumers !== "false") problems.push(`trigger ${t.name}: allowIdleConsumers must be "false" (pods bounded by partitions)`);
      if (!t.metadata?.bootstrapServers) problems.push(`trigger ${t.name}: no bootstrapServers`);
      for (const [k, v] of Object.entries(t.metadata ?? {})) {
        if (typeof v !== "string") problems.push(`trigger ${t.name}: metadata.${k} is a ${typeof v}; KEDA reads strings only`);
      }
    }
    if (!(s.spec?.minReplicaCount >= 1)) problems.push(`minReplicaCount ${s.spec?.minReplicaCount}: an appender scaled to zero never flushes`);
  }
  if (expected === "external" && s) {
    if (s.kind !== "HorizontalPodAutoscaler") problems.push(`expected a HorizontalPodAutoscaler, found ${s.kind}`);
    const metrics = s.spec?.metrics ?? [];
    const got = metrics.map((m, i) => {
      const labels = m.external?.metric?.selector?.matchLabels ?? {};
      return { signal: want[i]?.signal, group: labels[groupLabel], topic: labels[topicLabel] };
    });
    if (metrics.some((m) => m.type !== "External")) problems.push(`metrics of types ${metrics.map((m) => m.type)}, expected External only`);
    if (metrics.some((m) => m.external?.target?.type !== "AverageValue")) problems.push("every lag metric needs an AverageValue target (lag per pod)");
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`metrics select ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  if (expected === "cpu" && s) {
    const types = (s.spec?.metrics ?? []).map((m) => m.type === "Resource" ? m.resource?.name : m.type);
    if (s.kind !== "HorizontalPodAutoscaler" || JSON.stringify(types) !== JSON.stringify(["cpu"])) problems.push(`expected the CPU HPA, found ${s.kind} on ${types}`);
  }
}
for (const p of problems) console.log(p);
process.exit(problems.length === 0 ? 0 : 1);
