{{/*
Names. The full name is cut to 40 characters so that "<fullname>-kafka-headless" stays a valid
Service name (63) and StatefulSet names leave room for the controller-revision-hash label (52).
*/}}
{{- define "telemetry-lake.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "telemetry-lake.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "<fullname>-<suffix>": (list $ "suffix") */}}
{{- define "telemetry-lake.componentName" -}}
{{- printf "%s-%s" (include "telemetry-lake.fullname" (index . 0)) (index . 1) }}
{{- end }}

{{- define "telemetry-lake.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels. Selector labels are name + instance (+ component, since one release runs several
workloads); they never change across upgrades because Deployment selectors are immutable.
Call with (dict "ctx" $ "component" "ingester").
*/}}
{{- define "telemetry-lake.selectorLabels" -}}
app.kubernetes.io/name: {{ include "telemetry-lake.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "telemetry-lake.labels" -}}
helm.sh/chart: {{ include "telemetry-lake.chart" .ctx }}
{{ include "telemetry-lake.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: telemetry-lake
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "telemetry-lake.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "telemetry-lake.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: (dict "image" .Values.x.image "defaultTag" "1.0") */}}
{{- define "telemetry-lake.image" -}}
{{- $repo := .image.repository }}
{{- if .image.registry }}
{{- $repo = printf "%s/%s" (trimSuffix "/" .image.registry) .image.repository }}
{{- end }}
{{- if .image.digest }}
{{- printf "%s@%s" $repo .image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .defaultTag .image.tag | toString) }}
{{- end }}
{{- end }}

{{/* Resource names. */}}
{{- define "telemetry-lake.configName" -}}{{ include "telemetry-lake.componentName" (list . "config") }}{{- end }}
{{- define "telemetry-lake.ingesterName" -}}{{ include "telemetry-lake.componentName" (list . "ingester") }}{{- end }}
{{- define "telemetry-lake.appenderName" -}}{{ include "telemetry-lake.componentName" (list . "appender") }}{{- end }}
{{- define "telemetry-lake.kafkaName" -}}{{ include "telemetry-lake.componentName" (list . "kafka") }}{{- end }}
{{- define "telemetry-lake.kafkaHeadlessName" -}}{{ include "telemetry-lake.componentName" (list . "kafka-headless") }}{{- end }}
{{- define "telemetry-lake.minioName" -}}{{ include "telemetry-lake.componentName" (list . "minio") }}{{- end }}
{{- define "telemetry-lake.catalogName" -}}{{ include "telemetry-lake.componentName" (list . "catalog") }}{{- end }}
{{- define "telemetry-lake.maintenanceName" -}}{{ include "telemetry-lake.componentName" (list . "maintenance") }}{{- end }}
{{- define "telemetry-lake.bundledConfigName" -}}{{ include "telemetry-lake.componentName" (list . "bundled") }}{{- end }}

{{- define "telemetry-lake.credentialsSecretName" -}}
{{- default (include "telemetry-lake.componentName" (list . "credentials")) .Values.credentials.existingSecret }}
{{- end }}

{{/* "<service>.<namespace>.svc.<clusterDomain>" for a chart Service name: (list $ "name") */}}
{{- define "telemetry-lake.serviceHost" -}}
{{- $ctx := index . 0 }}
{{- printf "%s.%s.svc.%s" (index . 1) $ctx.Release.Namespace $ctx.Values.clusterDomain }}
{{- end }}

{{/* Where the services find Kafka, S3 and the catalog, in either mode. */}}
{{- define "telemetry-lake.kafkaBootstrap" -}}
{{- if eq .Values.mode "bundled" }}
{{- printf "%s:9092" (include "telemetry-lake.serviceHost" (list . (include "telemetry-lake.kafkaName" .))) }}
{{- else }}
{{- .Values.kafka.bootstrapServers }}
{{- end }}
{{- end }}

{{- define "telemetry-lake.s3Endpoint" -}}
{{- if eq .Values.mode "bundled" }}
{{- printf "http://%s:9000" (include "telemetry-lake.serviceHost" (list . (include "telemetry-lake.minioName" .))) }}
{{- else }}
{{- .Values.s3.endpoint }}
{{- end }}
{{- end }}

{{- define "telemetry-lake.catalogUri" -}}
{{- if eq .Values.mode "bundled" }}
{{- printf "http://%s:8181" (include "telemetry-lake.serviceHost" (list . (include "telemetry-lake.catalogName" .))) }}
{{- else }}
{{- .Values.iceberg.catalogUri }}
{{- end }}
{{- end }}

{{- define "telemetry-lake.warehouse" -}}
{{- if eq .Values.mode "bundled" }}
{{- printf "s3://%s/" .Values.bundled.minio.bucket }}
{{- else }}
{{- .Values.iceberg.warehouse }}
{{- end }}
{{- end }}

{{/*
A library property name as a pass-through variable: (list "KAFKA_CLIENT_" "security.protocol")
gives KAFKA_CLIENT_SECURITY_PROTOCOL; "-" becomes "__" (the services' Settings.passThrough reverses
exactly this mapping).
*/}}
{{- define "telemetry-lake.propertyEnv" -}}
{{- printf "%s%s" (index . 0) (index . 1 | replace "-" "__" | replace "." "_" | upper) }}
{{- end }}

{{/* A number from values (float64 after YAML parsing) as a plain integer string. */}}
{{- define "telemetry-lake.int" -}}
{{- . | int64 | toString }}
{{- end }}

{{/* JAVA_OPTS: heap from the container memory limit, fail fast on OOM. (dict "jvm" .Values.x.jvm) */}}
{{- define "telemetry-lake.javaOpts" -}}
{{- $opts := list (printf "-XX:MaxRAMPercentage=%.1f" (float64 .jvm.maxRamPercentage)) "-XX:+ExitOnOutOfMemoryError" }}
{{- with .jvm.extraOpts }}{{ $opts = append $opts . }}{{ end }}
{{- join " " $opts }}
{{- end }}

{{/* How the topics are created: bundled mode's single broker cannot replicate (1 and 1). */}}
{{- define "telemetry-lake.topicReplicationFactor" -}}
{{- if eq .Values.mode "bundled" }}1{{ else }}{{ include "telemetry-lake.int" .Values.kafka.topic.replicationFactor }}{{ end }}
{{- end }}
{{- define "telemetry-lake.topicMinInsyncReplicas" -}}
{{- if eq .Values.mode "bundled" }}1{{ else }}{{ include "telemetry-lake.int" .Values.kafka.topic.minInsyncReplicas }}{{ end }}
{{- end }}

{{/*
Settings of each service: environment variable -> value. The ConfigMap and the Deployments are
both generated from these two maps, and ChartSettingsDriftTest compares the names with the
services' own lists of keys.
*/}}
{{- define "telemetry-lake.ingesterSettings" -}}
{{- $s := .Values.ingester.settings }}
{{- $t := .Values.kafka.topic }}
{{- $env := dict
  "INGESTER_HOST" $s.host
  "INGESTER_PORT" (include "telemetry-lake.int" $s.port)
  "INGESTER_MAX_BODY_BYTES" (include "telemetry-lake.int" $s.maxBodyBytes)
  "INGESTER_MAX_INFLIGHT_BYTES" (include "telemetry-lake.int" $s.maxInflightBytes)
  "INGESTER_MAX_RECORD_BYTES" (include "telemetry-lake.int" $s.maxRecordBytes)
  "INGESTER_PRODUCE_TIMEOUT_MS" (include "telemetry-lake.int" $s.produceTimeoutMs)
  "INGESTER_READ_TIMEOUT_SECONDS" (include "telemetry-lake.int" $s.readTimeoutSeconds)
  "INGESTER_BODY_DEADLINE_SECONDS" (include "telemetry-lake.int" $s.bodyDeadlineSeconds)
  "INGESTER_MAX_THREADS" (include "telemetry-lake.int" $s.maxThreads)
  "INGESTER_SHUTDOWN_TIMEOUT_SECONDS" (include "telemetry-lake.int" $s.shutdownTimeoutSeconds)
  "INGESTER_RETRY_AFTER_SECONDS" (include "telemetry-lake.int" $s.retryAfterSeconds)
  "INGESTER_METRICS_AUTH" (toString $s.metricsAuth)
  "INGESTER_KAFKA_COMPRESSION" $s.compression
  "INGESTER_KAFKA_LINGER_MS" (include "telemetry-lake.int" $s.lingerMs)
  "INGESTER_KAFKA_BATCH_BYTES" (include "telemetry-lake.int" $s.batchBytes)
  "INGESTER_PARTITIONING" $s.partitioning
  "KAFKA_BOOTSTRAP_SERVERS" (include "telemetry-lake.kafkaBootstrap" .)
  "KAFKA_TOPIC" $t.name
  "KAFKA_TRACES_TOPIC" $t.tracesName
  "KAFKA_TOPIC_PARTITIONS" (include "telemetry-lake.int" $t.partitions)
  "KAFKA_TOPIC_REPLICATION_FACTOR" (include "telemetry-lake.topicReplicationFactor" .)
  "KAFKA_TOPIC_MIN_INSYNC_REPLICAS" (include "telemetry-lake.topicMinInsyncReplicas" .)
  "KAFKA_TOPIC_CREATE" (toString $t.create)
  "INGESTER_REQUIRE_DURABLE_TOPIC" (toString $s.requireDurableTopic)
  "LOG_LEVEL" .Values.ingester.logLevel
  "JAVA_OPTS" (include "telemetry-lake.javaOpts" (dict "jvm" .Values.ingester.jvm))
}}
{{- range $name, $value := .Values.ingester.kafkaClientProperties }}
{{- $_ := set $env (include "telemetry-lake.propertyEnv" (list "KAFKA_CLIENT_" $name)) $value }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{- define "telemetry-lake.appenderSettings" -}}
{{- $s := .Values.appender.settings }}
{{- $env := dict
  "KAFKA_BOOTSTRAP_SERVERS" (include "telemetry-lake.kafkaBootstrap" .)
  "KAFKA_TOPIC" .Values.kafka.topic.name
  "KAFKA_TRACES_TOPIC" .Values.kafka.topic.tracesName
  "KAFKA_TOPIC_REPLICATION_FACTOR" (include "telemetry-lake.topicReplicationFactor" .)
  "KAFKA_TOPIC_MIN_INSYNC_REPLICAS" (include "telemetry-lake.topicMinInsyncReplicas" .)
  "KAFKA_TOPIC_CREATE" (toString .Values.kafka.topic.create)
  "SIGNALS" .Values.appender.signals
  "APPENDER_GROUP_ID" $s.groupId
  "APPENDER_PORT" (include "telemetry-lake.int" $s.port)
  "APPENDER_STAGING_DIR" .Values.appender.staging.mountPath
  "BUFFER_SIZE_MB" (include "telemetry-lake.int" $s.bufferSizeMb)
  "BUFFER_TIME_SECONDS" (include "telemetry-lake.int" $s.bufferTimeSeconds)
  "APPENDER_MAX_STAGED_MB" (include "telemetry-lake.int" $s.maxStagedMb)
  "APPENDER_TARGET_FILE_MB" (include "telemetry-lake.int" $s.targetFileMb)
  "APPENDER_BIND_ADDRESS" $s.bindAddress
  "APPENDER_DUCKDB_MEMORY_MB" (include "telemetry-lake.int" $s.duckdbMemoryMb)
  "APPENDER_SHUTDOWN_TIMEOUT_SECONDS" (include "telemetry-lake.int" $s.shutdownTimeoutSeconds)
  "APPENDER_METRICS_AUTH" (toString $s.metricsAuth)
  "ICEBERG_CATALOG_URI" (include "telemetry-lake.catalogUri" .)
  "ICEBERG_WAREHOUSE" (include "telemetry-lake.warehouse" .)
  "ICEBERG_NAMESPACE" .Values.iceberg.namespace
  "ICEBERG_TABLE" .Values.iceberg.table
  "ICEBERG_TRACES_TABLE" .Values.iceberg.tracesTable
  "S3_REGION" .Values.s3.region
  "S3_PATH_STYLE_ACCESS" (toString (or (eq .Values.mode "bundled") .Values.s3.pathStyleAccess))
  "LOG_LEVEL" .Values.appender.logLevel
  "JAVA_OPTS" (include "telemetry-lake.javaOpts" (dict "jvm" .Values.appender.jvm))
}}
{{- with $s.dlqTopic }}{{ $_ := set $env "APPENDER_DLQ_TOPIC" . }}{{ end }}
{{- with $s.tracesDlqTopic }}{{ $_ := set $env "APPENDER_TRACES_DLQ_TOPIC" . }}{{ end }}
{{- with (include "telemetry-lake.s3Endpoint" .) }}{{ $_ := set $env "S3_ENDPOINT" . }}{{ end }}
{{- range $name, $value := .Values.appender.kafkaClientProperties }}
{{- $_ := set $env (include "telemetry-lake.propertyEnv" (list "KAFKA_CLIENT_" $name)) $value }}
{{- end }}
{{- range $name, $value := .Values.iceberg.properties }}
{{- $_ := set $env (include "telemetry-lake.propertyEnv" (list "ICEBERG_PROP_" $name)) $value }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/*
Lake maintenance (the CronJob running lake maintain). It reads the appender's settings for the
signals, the catalog, the tables and S3, so it gets exactly those entries of appenderSettings
(SIGNALS, ICEBERG_*, S3_*, and LOG_LEVEL), from the same ConfigMap keys: a catalog, table or S3
setting added to the appender reaches the maintainer with no change here.
*/}}
{{- define "telemetry-lake.isLakeSetting" -}}
{{- if or (hasPrefix "ICEBERG_" .) (hasPrefix "S3_" .) (hasPrefix "AWS_" .) (eq . "LOG_LEVEL") (eq . "SIGNALS") }}true{{ end }}
{{- end }}

{{- define "telemetry-lake.maintenanceSharedSettings" -}}
{{- $out := dict }}
{{- range $name, $value := include "telemetry-lake.appenderSettings" . | fromYaml }}
{{- if include "telemetry-lake.isLakeSetting" $name }}{{ $_ := set $out $name $value }}{{ end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/*
The maintainer's own settings: environment variable -> value, set as plain values on the CronJob
(not in the ConfigMap, whose checksum would otherwise roll the appenders when only maintenance
changes). An empty value is left out: the maintainer then uses the table's property or its default.
*/}}
{{- define "telemetry-lake.maintenanceSettings" -}}
{{- $m := .Values.maintenance }}
{{- $env := dict
  "MAINTENANCE_DRY_RUN" (toString $m.dryRun)
  "MAINTENANCE_DUCKDB_MEMORY_MB" (include "telemetry-lake.int" $m.duckdbMemoryMb)
  "MAINTENANCE_WORK_DIR" $m.workDir.mountPath
  "JAVA_OPTS" (include "telemetry-lake.javaOpts" (dict "jvm" $m.jvm))
}}
{{- range $key, $name := dict "targetFileSizeMb" "MAINTENANCE_TARGET_FILE_SIZE_MB" "minInputFiles" "MAINTENANCE_MIN_INPUT_FILES" "retainLast" "MAINTENANCE_RETAIN_LAST" }}
{{- $v := index $m $key }}
{{- if ne (toString $v) "" }}{{ $_ := set $env $name (include "telemetry-lake.int" $v) }}{{ end }}
{{- end }}
{{- with $m.expireOlderThan }}{{ $_ := set $env "MAINTENANCE_EXPIRE_OLDER_THAN" . }}{{ end }}
{{- with $m.orphansOlderThan }}{{ $_ := set $env "MAINTENANCE_ORPHANS_OLDER_THAN" . }}{{ end }}
{{- toYaml $env }}
{{- end }}

{{/* A duration as the maintainer reads it (500ms, 0s, 90m, 24h, 7d), in milliseconds. */}}
{{- define "telemetry-lake.durationMs" -}}
{{- $form := "^([0-9]+)(ms|s|m|h|d)$" }}
{{- if not (regexMatch $form .) }}
{{- fail (printf "telemetry-lake: cannot read the duration %q (use a whole number and ms, s, m, h or d)" .) }}
{{- end }}
{{- $factors := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 }}
{{- mul (regexReplaceAll $form . "${1}" | int64) (index $factors (regexReplaceAll $form . "${2}")) }}
{{- end }}

{{/*
Credentials in use: environment variable -> key in the credentials Secret. With an existing Secret
the keys are the configured ones; the chart-created Secret uses the variable names as keys and
only holds what was given (bundled mode always has S3 keys: generated when not given).
*/}}
{{- define "telemetry-lake.credentialKeys" -}}
{{- $c := .Values.credentials }}
{{- $fields := dict "S3_ACCESS_KEY_ID" "s3AccessKeyId" "S3_SECRET_ACCESS_KEY" "s3SecretAccessKey" "INGESTER_AUTH_TOKENS" "ingesterAuthTokens" "APPENDER_AUTH_TOKEN" "appenderAuthToken" }}
{{- $out := dict }}
{{- range $env, $field := $fields }}
{{- if $c.existingSecret }}
{{- with index $c.existingSecretKeys $field }}{{ $_ := set $out $env . }}{{ end }}
{{- else if or (index $c $field) (and (eq $.Values.mode "bundled") (hasPrefix "S3_" $env)) }}
{{- $_ := set $out $env $env }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/* env entries: (dict "ctx" $ "component" "ingester" "settings" $map "secretEnv" (list "NAME" ...)) */}}
{{- define "telemetry-lake.env" -}}
{{- $ctx := .ctx }}
{{- $cm := include "telemetry-lake.configName" $ctx }}
{{- range $name := keys .settings | sortAlpha }}
- name: {{ $name }}
  valueFrom:
    configMapKeyRef:
      name: {{ $cm }}
      key: {{ printf "%s.%s" $.component $name }}
{{- end }}
{{- $keys := include "telemetry-lake.credentialKeys" $ctx | fromYaml }}
{{- range $name := .secretEnv }}
{{- with index $keys $name }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "telemetry-lake.credentialsSecretName" $ctx }}
      key: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* A chart-created credential, kept across upgrades: (dict "ctx" $ "key" "S3_ACCESS_KEY_ID" "length" 20) */}}
{{- define "telemetry-lake.generatedCredential" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace (include "telemetry-lake.credentialsSecretName" .ctx) }}
{{- if and $existing $existing.data (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum .length }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the ingester and appender: (dict "ctx" $ "c" .Values.ingester "component" "ingester") */}}
{{- define "telemetry-lake.podCommon" -}}
serviceAccountName: {{ include "telemetry-lake.serviceAccountName" .ctx }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .ctx.Values.podSecurityContext | nindent 2 }}
{{- with .c.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .c.topologySpreadConstraints }}
{{- $selector := dict "matchLabels" (include "telemetry-lake.selectorLabels" (dict "ctx" .ctx "component" .component) | fromYaml) }}
topologySpreadConstraints:
{{- range .c.topologySpreadConstraints }}
  - {{ toYaml (merge (dict) . (dict "labelSelector" $selector)) | indent 4 | trim }}
{{- end }}
{{- end }}
{{- end }}

{{/* Probes from values: (dict "probe" .Values.x.probes.readiness "path" "/readyz" "port" "http") */}}
{{- define "telemetry-lake.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/* A Kubernetes quantity in MiB, rounded down (e.g. "3Gi" -> 3072). */}}
{{- define "telemetry-lake.toMiB" -}}
{{- $q := kindIs "float64" . | ternary (printf "%.0f" .) (toString .) | trim }}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $q }}
{{- $factors := dict "" 0.00000095367431640625 "Ki" 0.0009765625 "Mi" 1.0 "Gi" 1024.0 "Ti" 1048576.0 "k" 0.00095367431640625 "M" 0.95367431640625 "G" 953.67431640625 "T" 953674.31640625 }}
{{- $suffix := trimPrefix $num $q }}
{{- if or (not $num) (not (hasKey $factors $suffix)) }}
{{- fail (printf "telemetry-lake: cannot read the quantity %q (use a number with Ki, Mi, Gi, Ti, k, M, G or T)" $q) }}
{{- end }}
{{- mulf (float64 $num) (index $factors $suffix) | floor | int64 }}
{{- end }}

{{/* The signals the appenders consume (appender.signals), each once: ["logs", "traces"]. */}}
{{- define "telemetry-lake.signals" -}}
{{- splitList "," .Values.appender.signals | uniq | toJson }}
{{- end }}

{{/*
The emptyDir's size limit for staging: appender.staging.sizeLimit, or room for twice what each
signal may stage before it pauses (settings.maxStagedMb applies to each signal) plus 1Gi.
*/}}
{{- define "telemetry-lake.stagingSizeLimit" -}}
{{- $st := .Values.appender.staging }}
{{- if $st.sizeLimit }}
{{- $st.sizeLimit }}
{{- else }}
{{- $signals := include "telemetry-lake.signals" . | fromJsonArray | len }}
{{- printf "%dMi" (add (mul (int64 .Values.appender.settings.maxStagedMb) 2 $signals) 1024) }}
{{- end }}
{{- end }}
