{{/* Pod and container security of a bundled component: (dict "sc" .Values.bundled.x.securityContext) */}}
{{- define "telemetry-lake.bundled.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .sc.runAsUser }}
runAsGroup: {{ .sc.runAsGroup }}
fsGroup: {{ .sc.runAsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "telemetry-lake.bundled.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .sc.runAsUser }}
runAsGroup: {{ .sc.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod-level fields of a bundled component: (dict "ctx" $ "c" .Values.bundled.x) */}}
{{- define "telemetry-lake.bundled.pod" -}}
serviceAccountName: {{ include "telemetry-lake.serviceAccountName" .ctx }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "telemetry-lake.bundled.podSecurityContext" (dict "sc" .c.securityContext) | nindent 2 }}
{{- end }}

{{/* The data volume's claim template when persistence is on (otherwise the pod has an emptyDir). */}}
{{- define "telemetry-lake.bundled.claimTemplates" -}}
{{- if .c.persistence.enabled }}
volumeClaimTemplates:
  - metadata:
      name: data
      labels:
        {{- include "telemetry-lake.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 8 }}
    spec:
      accessModes: ["ReadWriteOnce"]
      {{- with .c.persistence.storageClassName }}
      storageClassName: {{ . }}
      {{- end }}
      resources:
        requests:
          storage: {{ .c.persistence.size }}
{{- end }}
{{- end }}


{{/* KRaft cluster id: 22 base64url characters, stable for a release unless set. */}}
{{- define "telemetry-lake.bundled.kafkaClusterId" -}}
{{- if .Values.bundled.kafka.clusterId }}
{{- .Values.bundled.kafka.clusterId }}
{{- else }}
{{- printf "%s/%s" .Release.Namespace .Release.Name | sha256sum | trunc 16 | b64enc | trimSuffix "==" | replace "+" "-" | replace "/" "_" }}
{{- end }}
{{- end }}
