// Rules the chart promises on top of Kubernetes' schemas, checked on every rendered release
// (pods of Deployments, StatefulSets, Jobs, CronJobs' job templates and bare Pods):
// hardened pods, pinned images, resources set, and wiring that holds together (selectors match
// pods, named ports exist, referenced ConfigMap/Secret keys exist, volumes are declared).
// Each rule returns plain messages; nothing here needs a cluster.

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);

function id(doc) {
  return `${doc.kind}/${doc.metadata?.name ?? "?"}`;
}

/** [{owner, podSpec, labels, claimNames}] for every pod the release would create. */
function pods(docs) {
  const out = [];
  for (const doc of docs) {
    if (WORKLOAD_KINDS.has(doc.kind)) {
      const tpl = doc.spec?.template ?? {};
      const claims = (doc.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name);
      out.push({ owner: doc, spec: tpl.spec ?? {}, labels: tpl.metadata?.labels ?? {}, claimNames: claims });
    } else if (doc.kind === "CronJob") {
      const tpl = doc.spec?.jobTemplate?.spec?.template ?? {};
      out.push({ owner: doc, spec: tpl.spec ?? {}, labels: tpl.metadata?.labels ?? {}, claimNames: [] });
    } else if (doc.kind === "Pod") {
      out.push({ owner: doc, spec: doc.spec ?? {}, labels: doc.metadata?.labels ?? {}, claimNames: [] });
    }
  }
  return out;
}

function matches(selector, labels) {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function allContainers(spec) {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function hardening(pod, say) {
  const s = pod.spec;
  const psc = s.securityContext ?? {};
  if (s.automountServiceAccountToken !== false) say("automountServiceAccountToken must be false (no pod here talks to the API server)");
  if (s.enableServiceLinks !== false) say("enableServiceLinks must be false (service env vars such as KAFKA_*_PORT would leak into the settings)");
  for (const c of allContainers(s)) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) say(`${where}: runAsNonRoot must be true`);
    const uid = sc.runAsUser ?? psc.runAsUser;
    if (!Number.isInteger(uid) || uid === 0) say(`${where}: runAsUser must be a numeric non-root user id`);
    if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== "RuntimeDefault") say(`${where}: seccompProfile must be RuntimeDefault`);
    if (sc.readOnlyRootFilesystem !== true) say(`${where}: readOnlyRootFilesystem must be true`);
    if (sc.allowPrivilegeEscalation !== false) say(`${where}: allowPrivilegeEscalation must be false`);
    if (sc.privileged === true) say(`${where}: must not be privileged`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) say(`${where}: capabilities.drop must include ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) say(`${where}: must not add capabilities`);
    const r = c.resources ?? {};
    if (!r.requests?.cpu || !r.requests?.memory) say(`${where}: resources.requests.cpu and .memory must be set`);
    if (!r.limits?.memory) say(`${where}: resources.limits.memory must be set`);
    const image = String(c.image ?? "");
    const lastPart = image.split("/").pop();
    if (!image.includes("@sha256:") && (!lastPart.includes(":") || lastPart.endsWith(":latest"))) {
      say(`${where}: image "${image}" must be pinned to a tag other than latest, or a digest`);
    }
  }
}

function wiringInsidePod(pod, say) {
  const s = pod.spec;
  const volumes = new Set([...(s.volumes ?? []).map((v) => v.name), ...pod.claimNames]);
  for (const c of allContainers(s)) {
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) say(`container ${c.name}: volumeMount "${m.name}" has no volume`);
    }
    const portNames = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean));
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
      if (typeof port === "string" && !portNames.has(port)) say(`container ${c.name}: ${probe} uses unknown port "${port}"`);
    }
  }
}

function keyRefs(pod, byKindName, say) {
  for (const c of allContainers(pod.spec)) {
    for (const e of c.env ?? []) {
      for (const [refKind, kind] of [["configMapKeyRef", "ConfigMap"], ["secretKeyRef", "Secret"]]) {
        const ref = e.valueFrom?.[refKind];
        if (!ref) continue;
        const target = byKindName.get(`${kind}/${ref.name}`);
        if (!target) continue; // not rendered by this release: an existing Secret the user named
        const keys = new Set([...Object.keys(target.data ?? {}), ...Object.keys(target.stringData ?? {})]);
        if (!keys.has(ref.key) && ref.optional !== true) {
          say(`container ${c.name}: env ${e.name} refers to missing key "${ref.key}" of ${kind}/${ref.name}`);
        }
      }
    }
  }
}

export function policyProblems(docs) {
  const problems = [];
  const byKindName = new Map();
  for (const doc of docs) {
    const key = id(doc);
    if (byKindName.has(key)) problems.push(`${key}: rendered twice`);
    byKindName.set(key, doc);
    const name = doc.metadata?.name ?? "";
    if (name.length > 63) problems.push(`${key}: name longer than 63 characters`);
    for (const [k, v] of Object.entries(doc.metadata?.labels ?? {})) {
      if (String(v).length > 63) problems.push(`${key}: label ${k} value longer than 63 characters`);
    }
  }
  const allPods = pods(docs);
  for (const pod of allPods) {
    const say = (m) => problems.push(`${id(pod.owner)}: ${m}`);
    hardening(pod, say);
    wiringInsidePod(pod, say);
    keyRefs(pod, byKindName, say);
    if (!["Pod", "Job", "CronJob"].includes(pod.owner.kind) && !matches(pod.owner.spec?.selector?.matchLabels, pod.labels)) {
      say("spec.selector.matchLabels does not match the pod template's labels");
    }
  }
  for (const doc of docs) {
    const say = (m) => problems.push(`${id(doc)}: ${m}`);
    if (doc.kind === "Service") {
      const targets = allPods.filter((p) => p.owner.kind !== "Pod" && matches(doc.spec?.selector, p.labels));
      if (allPods.some((p) => p.owner.kind === "Pod" && matches(doc.spec?.selector, p.labels))) {
        say("selector also matches a bare Pod (the helm test pod would receive traffic)");
      }
      if (targets.length !== 1) {
        say(`selector matches ${targets.length} workloads, expected exactly 1`);
        continue;
      }
      const ports = targets[0].spec.containers.flatMap((c) => c.ports ?? []);
      for (const p of doc.spec?.ports ?? []) {
        const t = p.targetPort ?? p.port;
        const ok = typeof t === "string" ? ports.some((cp) => cp.name === t) : ports.some((cp) => cp.containerPort === t);
        if (!ok) say(`port ${p.name ?? p.port} targets ${t}, which no container of ${id(targets[0].owner)} exposes`);
      }
    } else if (doc.kind === "PodDisruptionBudget") {
      const n = allPods.filter((p) => p.owner.kind !== "Pod" && matches(doc.spec?.selector?.matchLabels, p.labels)).length;
      if (n !== 1) say(`selector matches ${n} workloads, expected exactly 1`);
    } else if (doc.kind === "HorizontalPodAutoscaler" || doc.kind === "ScaledObject") {
      // one autoscaler per workload (a ScaledObject makes its own HPA), and no replicas on it
      const ref = doc.spec?.scaleTargetRef ?? {};
      const target = byKindName.get(`${ref.kind}/${ref.name}`);
      if (!target) say(`scaleTargetRef ${ref.kind}/${ref.name} is not rendered`);
      else if (target.spec?.replicas !== undefined) say(`scaleTargetRef ${ref.kind}/${ref.name} sets replicas, which every upgrade would reset`);
      const rivals = docs.filter((d) => d !== doc && ["HorizontalPodAutoscaler", "ScaledObject"].includes(d.kind)
        && d.spec?.scaleTargetRef?.kind === ref.kind && d.spec?.scaleTargetRef?.name === ref.name);
      if (rivals.length > 0) say(`${ref.kind}/${ref.name} is also scaled by ${rivals.map(id).join(", ")}`);
    } else if (doc.kind === "ServiceMonitor") {
      const services = docs.filter((d) => d.kind === "Service" && matches(doc.spec?.selector?.matchLabels, d.metadata?.labels ?? {}));
      if (services.length !== 1) {
        say(`selector matches ${services.length} Services, expected exactly 1`);
        continue;
      }
      for (const ep of doc.spec?.endpoints ?? []) {
        if (!(services[0].spec?.ports ?? []).some((p) => p.name === ep.port)) say(`endpoint port "${ep.port}" is not a port of ${id(services[0])}`);
      }
    } else if (doc.kind === "NetworkPolicy") {
      // a policy that selects nothing, or opens a port no container has, protects nothing
      const targets = allPods.filter((p) => p.owner.kind !== "Pod" && matches(doc.spec?.podSelector?.matchLabels, p.labels));
      if (targets.length !== 1) {
        say(`podSelector matches ${targets.length} workloads, expected exactly 1`);
        continue;
      }
      const ports = targets[0].spec.containers.flatMap((c) => c.ports ?? []);
      for (const rule of doc.spec?.ingress ?? []) {
        for (const p of rule.ports ?? []) {
          const ok = typeof p.port === "string" ? ports.some((cp) => cp.name === p.port) : ports.some((cp) => cp.containerPort === p.port);
          if (!ok) say(`ingress port ${p.port} is not a container port of ${id(targets[0].owner)}`);
        }
      }
    } else if (doc.kind === "CronJob") {
      // the controller names each Job "<cronjob>-<11 characters>", and Job names stop at 63
      if ((doc.metadata?.name ?? "").length > 52) say("name longer than 52 characters (a CronJob's Jobs would not get valid names)");
      const podSpec = doc.spec?.jobTemplate?.spec?.template?.spec ?? {};
      if (!["Never", "OnFailure"].includes(podSpec.restartPolicy)) say("the job's pods need restartPolicy Never or OnFailure");
    } else if (doc.kind === "StatefulSet") {
      if (!byKindName.has(`Service/${doc.spec?.serviceName}`)) say(`serviceName ${doc.spec?.serviceName} is not rendered`);
    }
  }
  return problems;
}
