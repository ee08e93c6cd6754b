{{/*
Rules the schema cannot express, checked at render time (install, upgrade, template, lint).
Each failure names the values involved and what to change.
*/}}
{{- define "telemetry-lake.validate" -}}
{{- $v := .Values }}
{{- $partitions := int64 $v.kafka.topic.partitions }}
{{- $signals := include "telemetry-lake.signals" . | fromJsonArray }}

{{- /*
A consumer group gives each partition to one consumer: more appenders than partitions idle. Every
appender pod joins one group per signal, and both topics have kafka.topic.partitions partitions,
so the one check covers both topics.
*/}}
{{- /*
One autoscaler per workload: KEDA's ScaledObject creates a HorizontalPodAutoscaler of its own, and
two autoscalers on one StatefulSet overrule each other's replica count on every sync.
*/}}
{{- $scalers := list }}
{{- if $v.appender.autoscaling.enabled }}{{ $scalers = append $scalers "appender.autoscaling.enabled" }}{{ end }}
{{- if $v.appender.keda.enabled }}{{ $scalers = append $scalers "appender.keda.enabled" }}{{ end }}
{{- if $v.appender.lagMetricAutoscaling.enabled }}{{ $scalers = append $scalers "appender.lagMetricAutoscaling.enabled" }}{{ end }}
{{- if gt (len $scalers) 1 }}
{{- fail (printf "telemetry-lake: %s are %s true, but the appender StatefulSet can have only one autoscaler: KEDA's ScaledObject creates a HorizontalPodAutoscaler of its own, and two autoscalers on one workload overrule each other's replica count. Enable one of appender.autoscaling (CPU), appender.keda (consumer lag through KEDA) and appender.lagMetricAutoscaling (consumer lag as an External metric)." (join " and " $scalers) (ternary "both" "all" (eq (len $scalers) 2))) }}
{{- end }}
{{- $max := int64 $v.appender.replicas }}
{{- $maxKey := "appender.replicas" }}
{{- $min := 1 }}
{{- $minKey := "" }}
{{- if $v.appender.autoscaling.enabled }}
{{- $max = int64 $v.appender.autoscaling.maxReplicas }}{{ $maxKey = "appender.autoscaling.maxReplicas" }}
{{- $min = int64 $v.appender.autoscaling.minReplicas }}{{ $minKey = "appender.autoscaling.minReplicas" }}
{{- else if $v.appender.keda.enabled }}
{{- $max = int64 $v.appender.keda.maxReplicaCount }}{{ $maxKey = "appender.keda.maxReplicaCount" }}
{{- $min = int64 $v.appender.keda.minReplicaCount }}{{ $minKey = "appender.keda.minReplicaCount" }}
{{- else if $v.appender.lagMetricAutoscaling.enabled }}
{{- $max = int64 $v.appender.lagMetricAutoscaling.maxReplicas }}{{ $maxKey = "appender.lagMetricAutoscaling.maxReplicas" }}
{{- $min = int64 $v.appender.lagMetricAutoscaling.minReplicas }}{{ $minKey = "appender.lagMetricAutoscaling.minReplicas" }}
{{- end }}
{{- if gt $max $partitions }}
{{- fail (printf "telemetry-lake: %s (%d) exceeds kafka.topic.partitions (%d), the partition count of both topics (%s, %s). Each partition is consumed by one appender of its group, so appenders beyond the partition count would sit idle. Lower %s or raise kafka.topic.partitions (both topics must really have that many partitions)." $maxKey $max $partitions $v.kafka.topic.name $v.kafka.topic.tracesName $maxKey) }}
{{- end }}
{{- if and $minKey (gt $min $max) }}
{{- fail (printf "telemetry-lake: %s (%d) exceeds %s (%d)." $minKey $min $maxKey $max) }}
{{- end }}

{{- /* A topic that needs more replicas in sync than it has could never be written to (both topics and their DLQs). */}}
{{- $rf := int64 $v.kafka.topic.replicationFactor }}
{{- $minIsr := int64 $v.kafka.topic.minInsyncReplicas }}
{{- if and (eq $v.mode "external") (gt $rf 0) (gt $minIsr $rf) }}
{{- fail (printf "telemetry-lake: kafka.topic.minInsyncReplicas (%d) exceeds kafka.topic.replicationFactor (%d): no write to the topics could ever be acknowledged. Lower kafka.topic.minInsyncReplicas or raise kafka.topic.replicationFactor." $minIsr $rf) }}
{{- end }}

{{- /* Each signal has its own topic, DLQ topic and table: two signals in one would mix records of different formats. */}}
{{- $t := $v.kafka.topic }}
{{- if eq $t.name $t.tracesName }}
{{- fail (printf "telemetry-lake: kafka.topic.name and kafka.topic.tracesName are both %q: logs and traces need a topic each." $t.name) }}
{{- end }}
{{- $dlq := dict "logs" (default (printf "%s-dlq" $t.name) $v.appender.settings.dlqTopic) "traces" (default (printf "%s-dlq" $t.tracesName) $v.appender.settings.tracesDlqTopic) }}
{{- range $signal, $topic := $dlq }}
{{- if or (eq $topic $t.name) (eq $topic $t.tracesName) }}
{{- fail (printf "telemetry-lake: the %s DLQ topic (appender.settings.%s) is %q, one of the signals' topics: undecodable records would be consumed again. Name another topic." $signal (ternary "dlqTopic" "tracesDlqTopic" (eq $signal "logs")) $topic) }}
{{- end }}
{{- end }}
{{- if eq $dlq.logs $dlq.traces }}
{{- fail (printf "telemetry-lake: the logs and traces DLQ topics are both %q (appender.settings.dlqTopic, appender.settings.tracesDlqTopic): give each signal its own." $dlq.logs) }}
{{- end }}
{{- if eq $v.iceberg.table $v.iceberg.tracesTable }}
{{- fail (printf "telemetry-lake: iceberg.table and iceberg.tracesTable are both %q: logs and traces need a table each." $v.iceberg.table) }}
{{- end }}

{{- if and $v.ingester.autoscaling.enabled (gt (int64 $v.ingester.autoscaling.minReplicas) (int64 $v.ingester.autoscaling.maxReplicas)) }}
{{- fail (printf "telemetry-lake: ingester.autoscaling.minReplicas (%d) exceeds ingester.autoscaling.maxReplicas (%d)." (int64 $v.ingester.autoscaling.minReplicas) (int64 $v.ingester.autoscaling.maxReplicas)) }}
{{- end }}

{{- /* The JVM heap is a percentage of the memory limit: without a limit it would size itself from the node. */}}
{{- range $component := ternary (list "ingester" "appender" "maintenance") (list "ingester" "appender") $v.maintenance.enabled }}
{{- $limits := (index $v $component).resources.limits | default dict }}
{{- if not $limits.memory }}
{{- fail (printf "telemetry-lake: %s.resources.limits.memory is required: the JVM heap is sized from it (%s.jvm.maxRamPercentage)." $component $component) }}
{{- end }}
{{- end }}

{{- /* The ingester must be able to drain: preStop sleep, then SIGTERM and the shutdown timeout. */}}
{{- $drain := add (int64 $v.ingester.preStopSleepSeconds) (int64 $v.ingester.settings.shutdownTimeoutSeconds) 5 }}
{{- if lt (int64 $v.ingester.terminationGracePeriodSeconds) $drain }}
{{- fail (printf "telemetry-lake: ingester.terminationGracePeriodSeconds (%d) is too short to drain: it must be at least preStopSleepSeconds (%d) + settings.shutdownTimeoutSeconds (%d) + 5 = %d." (int64 $v.ingester.terminationGracePeriodSeconds) (int64 $v.ingester.preStopSleepSeconds) (int64 $v.ingester.settings.shutdownTimeoutSeconds) $drain) }}
{{- end }}

{{- /* The appender must be able to commit what is staged before SIGKILL. */}}
{{- $a := $v.appender }}
{{- $flush := add (int64 $a.settings.shutdownTimeoutSeconds) 10 (ternary (int64 $a.preStopFlush.timeoutSeconds) 0 $a.preStopFlush.enabled) }}
{{- if lt (int64 $a.terminationGracePeriodSeconds) $flush }}
{{- fail (printf "telemetry-lake: appender.terminationGracePeriodSeconds (%d) is too short for the final flush: it must be at least settings.shutdownTimeoutSeconds (%d) + 10%s = %d." (int64 $a.terminationGracePeriodSeconds) (int64 $a.settings.shutdownTimeoutSeconds) (ternary (printf " + preStopFlush.timeoutSeconds (%d)" (int64 $a.preStopFlush.timeoutSeconds)) "" $a.preStopFlush.enabled) $flush) }}
{{- end }}
{{- if lt (int64 $a.settings.maxStagedMb) (int64 $a.settings.bufferSizeMb) }}
{{- fail (printf "telemetry-lake: appender.settings.maxStagedMb (%d) must be at least appender.settings.bufferSizeMb (%d): consumption would pause before a size flush could start." (int64 $a.settings.maxStagedMb) (int64 $a.settings.bufferSizeMb)) }}
{{- end }}

{{- /* Bytes in flight to Kafka live on the heap. */}}
{{- $heapMiB := divf (mulf (float64 (include "telemetry-lake.toMiB" $v.ingester.resources.limits.memory)) (float64 $v.ingester.jvm.maxRamPercentage)) 100.0 }}
{{- $inflightMiB := divf (float64 $v.ingester.settings.maxInflightBytes) 1048576.0 }}
{{- if gt $inflightMiB (divf $heapMiB 2.0) }}
{{- fail (printf "telemetry-lake: ingester.settings.maxInflightBytes (%.0f MiB) is more than half the ingester's heap (%.0f MiB = resources.limits.memory x jvm.maxRamPercentage). Raise the memory limit or lower maxInflightBytes." $inflightMiB $heapMiB) }}
{{- end }}

{{- /* Staging must hold what the appender may stage before it pauses consuming: maxStagedMb for each signal. */}}
{{- $st := $v.appender.staging }}
{{- $stagingMiB := int64 (include "telemetry-lake.toMiB" (ternary $st.ephemeralVolume.size (include "telemetry-lake.stagingSizeLimit" .) $st.ephemeralVolume.enabled)) }}
{{- $stagedMiB := mul (int64 $v.appender.settings.maxStagedMb) (len $signals) }}
{{- if lt $stagingMiB $stagedMiB }}
{{- fail (printf "telemetry-lake: the appender's staging volume (%d MiB) is smaller than appender.settings.maxStagedMb (%d) x %d %s (%s) = %d MiB: each signal stages up to maxStagedMb, and the pod would be evicted before back-pressure starts. Give it at least twice that (appender.staging.sizeLimit or appender.staging.ephemeralVolume.size)." $stagingMiB (int64 $v.appender.settings.maxStagedMb) (len $signals) (ternary "signal" "signals" (eq (len $signals) 1)) (join "," $signals) $stagedMiB) }}
{{- end }}

{{- /* Lake maintenance: orphan files younger than 1h may belong to a commit still in flight. */}}
{{- $m := $v.maintenance }}
{{- if and $m.enabled $m.orphansOlderThan }}
{{- if and (lt (int64 (include "telemetry-lake.durationMs" $m.orphansOlderThan)) 3600000) (not (has "--force" $m.extraArgs)) }}
{{- fail (printf "telemetry-lake: maintenance.orphansOlderThan (%s) is below the 1h safety minimum: files of an upload still in flight could be deleted as orphans. Raise it, or add --force to maintenance.extraArgs to allow it." $m.orphansOlderThan) }}
{{- end }}
{{- end }}

{{- /* Credentials come from exactly one place. */}}
{{- $c := $v.credentials }}
{{- $inline := list $c.s3AccessKeyId $c.s3SecretAccessKey $c.ingesterAuthTokens $c.appenderAuthToken | compact }}
{{- if and $c.existingSecret (gt (len $inline) 0) }}
{{- fail "telemetry-lake: credentials.existingSecret is set together with inline credentials; use one or the other (put every credential in the existing Secret and name its keys in credentials.existingSecretKeys)." }}
{{- end }}
{{- if and (not $c.existingSecret) (ne (empty $c.s3AccessKeyId) (empty $c.s3SecretAccessKey)) }}
{{- fail "telemetry-lake: set both credentials.s3AccessKeyId and credentials.s3SecretAccessKey, or neither (the AWS default credential chain)." }}
{{- end }}
{{- if and $v.ingester.settings.metricsAuth (not (index (include "telemetry-lake.credentialKeys" . | fromYaml) "INGESTER_AUTH_TOKENS")) }}
{{- fail "telemetry-lake: ingester.settings.metricsAuth needs the ingest tokens: set credentials.ingesterAuthTokens (or credentials.existingSecretKeys.ingesterAuthTokens with an existing Secret); the ingester refuses to start otherwise." }}
{{- end }}
{{- if and $v.ingester.settings.metricsAuth $v.serviceMonitor.enabled (contains "," $c.ingesterAuthTokens) }}
{{- fail "telemetry-lake: ingester.settings.metricsAuth with serviceMonitor.enabled: the ServiceMonitor sends credentials.ingesterAuthTokens as one bearer token, so it must hold a single token (no comma)." }}
{{- end }}
{{- if and $v.appender.settings.metricsAuth (not (index (include "telemetry-lake.credentialKeys" . | fromYaml) "APPENDER_AUTH_TOKEN")) }}
{{- fail "telemetry-lake: appender.settings.metricsAuth needs the admin token: set credentials.appenderAuthToken (or credentials.existingSecretKeys.appenderAuthToken with an existing Secret); the appender refuses to start otherwise." }}
{{- end }}
{{- if and $c.appenderAuthToken (lt (len $c.appenderAuthToken) 8) }}
{{- fail "telemetry-lake: credentials.appenderAuthToken must be at least 8 characters long (the appender refuses shorter tokens)." }}
{{- end }}
{{- if eq $v.mode "bundled" }}
{{- if and $c.existingSecret (or (not $c.existingSecretKeys.s3AccessKeyId) (not $c.existingSecretKeys.s3SecretAccessKey)) }}
{{- fail "telemetry-lake: bundled mode needs S3 keys (they are MinIO's root user): set credentials.existingSecretKeys.s3AccessKeyId and s3SecretAccessKey." }}
{{- end }}
{{- if and $c.s3AccessKeyId (lt (len $c.s3AccessKeyId) 3) }}
{{- fail "telemetry-lake: bundled mode: credentials.s3AccessKeyId must have at least 3 characters (MinIO's rule)." }}
{{- end }}
{{- if and $c.s3SecretAccessKey (lt (len $c.s3SecretAccessKey) 8) }}
{{- fail "telemetry-lake: bundled mode: credentials.s3SecretAccessKey must have at least 8 characters (MinIO's rule)." }}
{{- end }}
{{- end }}
{{- end }}
