#!/usr/bin/env node
// Validates rendered Helm output (`helm template ... > file.yaml`) offline:
// every manifest against the Kubernetes schemas (strict: unknown fields fail), then the chart's
// own rules (chart-policy.mjs). Exit 0 when every file is clean, 1 otherwise.
//
//   node validate-manifests.mjs rendered/default.yaml rendered/bundled.yaml ...
//   node validate-manifests.mjs --self-test     proves that the checks reject known-bad input
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { KubernetesSchemas } from "./k8s-schema.mjs";
import { policyProblems } from "./chart-policy.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemas = new KubernetesSchemas(findNodeModules(here));

function findNodeModules(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      readFileSync(path.join(d, "node_modules", "kubernetes-models", "package.json"));
      return path.join(d, "node_modules");
    } catch {
      if (path.dirname(d) === d) throw new Error("kubernetes-models is not installed (run helm/check.sh)");
    }
  }
}

function parse(text, name) {
  const docs = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length > 0) throw new Error(`${name}: YAML error: ${d.errors[0].message}`);
    const value = d.toJSON();
    if (value !== null && value !== undefined) docs.push(value);
  }
  return docs;
}

async function problemsOf(docs) {
  const out = [];
  for (const doc of docs) {
    for (const p of await schemas.problems(doc)) out.push(`${doc.kind}/${doc.metadata?.name}: ${p}`);
  }
  for (const p of policyProblems(docs)) out.push(p);
  return out;
}

/** Each case must be rejected with a message matching its pattern: the checks can fail. */
async function selfTest() {
  const pod = (container, extra = {}) => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "t" },
    spec: {
      selector: { matchLabels: { a: "b" } },
      template: {
        metadata: { labels: { a: "b" } },
        spec: {
          automountServiceAccountToken: false, enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
          containers: [{
            name: "c", image: "x/y:1",
            resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            ...container,
          }],
          ...extra,
        },
      },
    },
  });
  // the same pod as a CronJob's job template
  const cronJob = (deployment) => ({
    apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "t" },
    spec: {
      schedule: "17 * * * *",
      jobTemplate: { spec: { template: {
        metadata: deployment.spec.template.metadata,
        spec: { ...deployment.spec.template.spec, restartPolicy: "Never" },
      } } },
    },
  });
  const scaler = (kind, extra = {}) => kind === "ScaledObject"
    ? { apiVersion: "keda.sh/v1alpha1", kind, metadata: { name: "s" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "t" }, maxReplicaCount: 2,
        triggers: [{ type: "kafka", metadata: { topic: "x", consumerGroup: "g", lagThreshold: "10" } }], ...extra } }
    : { apiVersion: "autoscaling/v2", kind, metadata: { name: "h" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "t" }, maxReplicas: 2, ...extra } };
  const unscaled = () => pod({});
  const cases = [
    ["a clean Deployment", [pod({})], null],
    ["a clean ScaledObject", [unscaled(), scaler("ScaledObject")], null],
    ["an unknown field in a ScaledObject", [unscaled(), scaler("ScaledObject", { maxReplicas: 3 })], /unknown field "maxReplicas"/],
    ["a ScaledObject and an HPA on one workload", [unscaled(), scaler("ScaledObject"), scaler("HorizontalPodAutoscaler")],
      /Deployment\/t is also scaled by/],
    ["replicas on an autoscaled workload", [{ ...pod({}), spec: { ...pod({}).spec, replicas: 2 } }, scaler("HorizontalPodAutoscaler")],
      /sets replicas, which every upgrade would reset/],
    ["a clean CronJob", [cronJob(pod({}))], null],
    ["a wrong type", [pod({ ports: [{ containerPort: "http" }] })], /containerPort.*must be integer/],
    ["an unknown field", [pod({ imagePullPolicyy: "Always" })], /unknown field "imagePullPolicyy"/],
    ["a field at the wrong level", [pod({}, { readOnlyRootFilesystem: true })], /unknown field "readOnlyRootFilesystem"/],
    ["a missing required field", [{ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ name: "x" }] } }], /must have required property '?port/],
    ["an unknown kind", [{ apiVersion: "v1", kind: "Deploymnt", metadata: { name: "d" } }], /no schema known/],
    ["a writable root filesystem", [pod({ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } })], /readOnlyRootFilesystem must be true/],
    ["an unpinned image", [pod({ image: "x/y" })], /must be pinned/],
    ["a mount without volume", [pod({ volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] })], /has no volume/],
    ["a NetworkPolicy opening a port the pods lack", [pod({ ports: [{ name: "admin", containerPort: 8080 }] }), {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n" },
      spec: { podSelector: { matchLabels: { a: "b" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: "metrics" }] }] },
    }], /ingress port metrics is not a container port/],
    ["a CronJob whose pods are not hardened", [cronJob(pod({ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }))],
      /CronJob\/t: container c: readOnlyRootFilesystem must be true/],
    ["a CronJob name too long for its Jobs", [{ ...cronJob(pod({})), metadata: { name: "m".repeat(53) } }], /longer than 52 characters/],
    ["a NetworkPolicy selecting no pods", [pod({}), {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n" },
      spec: { podSelector: { matchLabels: { a: "c" } }, policyTypes: ["Ingress"] },
    }], /podSelector matches 0 workloads/],
  ];
  let failed = 0;
  for (const [name, docs, expected] of cases) {
    const problems = await problemsOf(docs);
    const ok = expected === null ? problems.length === 0 : problems.some((p) => expected.test(p));
    console.log(`${ok ? "ok  " : "FAIL"} self-test: ${name}${ok ? "" : ` -> ${JSON.stringify(problems)}`}`);
    if (!ok) failed++;
  }
  return failed === 0;
}

async function main(args) {
  if (args[0] === "--self-test") return (await selfTest()) ? 0 : 1;
  if (args.length === 0) {
    console.error("usage: validate-manifests.mjs FILE... | --self-test");
    return 2;
  }
  let bad = 0;
  for (const file of args) {
    const docs = parse(readFileSync(file, "utf8"), file);
    const problems = await problemsOf(docs);
    const kinds = [...new Set(docs.map((d) => d.kind))].join(", ");
    if (problems.length === 0) {
      console.log(`ok   ${path.basename(file)}: ${docs.length} manifests (${kinds})`);
    } else {
      bad++;
      console.log(`FAIL ${path.basename(file)}: ${problems.length} problem(s)`);
      for (const p of problems) console.log(`     - ${p}`);
    }
  }
  return bad === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
