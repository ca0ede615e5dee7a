{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "twinstack.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, unless it already contains the chart name. */}}
{{- define "twinstack.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "twinstack.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "twinstack.selectorLabels" -}}
app.kubernetes.io/name: {{ include "twinstack.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The server's pods only (the migration job's and the test pod's differ in component). */}}
{{- define "twinstack.serverSelectorLabels" -}}
{{ include "twinstack.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{- define "twinstack.labels" -}}
helm.sh/chart: {{ include "twinstack.chart" . }}
{{ include "twinstack.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: twinstack
{{- end }}

{{- define "twinstack.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "twinstack.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository:tag@digest when a digest pins it. */}}
{{- define "twinstack.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret with the server's DATABASE_URL (application role): the existing one, or the one its ExternalSecret writes. */}}
{{- define "twinstack.databaseSecretName" -}}
{{- if .Values.externalSecret.enabled }}
{{- printf "%s-database" (include "twinstack.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- .Values.database.existingSecret }}
{{- end }}
{{- end }}

{{/* The Secret with the migration Job's DATABASE_URL (schema owner). */}}
{{- define "twinstack.migrationSecretName" -}}
{{- if .Values.externalSecret.enabled }}
{{- printf "%s-database-owner" (include "twinstack.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- .Values.database.migrationExistingSecret }}
{{- end }}
{{- end }}

{{/* The placeholder image.repository of values.yaml: rendering with it would deploy nothing that exists. */}}
{{- define "twinstack.placeholderRepository" -}}your-ecr-repo/twinstack{{- end }}

{{/*
Fails the render, with what to set, when the image or a DATABASE_URL source is missing: otherwise the
pods would wait on an image or a Secret that never comes, and the migration Job only fails at its
deadline.
*/}}
{{- define "twinstack.checkRequired" -}}
{{- if eq .Values.image.repository (include "twinstack.placeholderRepository" .) }}
{{- fail (printf "image.repository is still the placeholder %q: set it to the image's repository (deploy-kubernetes.sh passes the KubernetesStack's RepositoryUri)" .Values.image.repository) }}
{{- end }}
{{- if .Values.externalSecret.enabled }}
{{- if not .Values.externalSecret.remoteKey }}
{{- fail "externalSecret.remoteKey: the application role's Secrets Manager secret (KubernetesStack output AppSecretName) is required" }}
{{- end }}
{{- if and .Values.migration.enabled (not .Values.externalSecret.migrationRemoteKey) }}
{{- fail "externalSecret.migrationRemoteKey: the schema owner's Secrets Manager secret (KubernetesStack output OwnerSecretName) is required for the migration Job" }}
{{- end }}
{{- else }}
{{- if not .Values.database.existingSecret }}
{{- fail "DATABASE_URL has no source: set externalSecret.enabled=true with externalSecret.remoteKey and externalSecret.migrationRemoteKey (Secrets Manager through External Secrets Operator), or database.existingSecret and database.migrationExistingSecret naming Secrets that hold it" }}
{{- end }}
{{- if and .Values.migration.enabled (not .Values.database.migrationExistingSecret) }}
{{- fail "database.migrationExistingSecret: the migration Job connects as the schema owner; name the Secret holding its DATABASE_URL (or use externalSecret)" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "twinstack.migrateName" -}}
{{- printf "%s-migrate" (include "twinstack.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* preStop sleep + SHUTDOWN_TIMEOUT_SECS + margin: the kubelet's SIGKILL never cuts the drain short. */}}
{{- define "twinstack.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSleepSeconds .Values.server.shutdownTimeoutSecs .Values.shutdown.graceMarginSeconds }}
{{- end }}

{{/* Most pods at once: the HPA's maximum (or replicaCount) plus the rolling-update surge. */}}
{{- define "twinstack.peakPods" -}}
{{- $replicas := ternary .Values.autoscaling.maxReplicas .Values.replicaCount .Values.autoscaling.enabled | int }}
{{- $surge := .Values.strategy.maxSurge }}
{{- if kindIs "string" $surge }}
{{- $percent := trimSuffix "%" $surge | int }}
{{- $surge = ceil (divf (mul $replicas $percent) 100) | int }}
{{- end }}
{{- add $replicas $surge }}
{{- end }}

{{/* Fails the render when the release could hold more database connections than its budget. */}}
{{- define "twinstack.checkConnectionBudget" -}}
{{- $budget := .Values.database.connectionBudget | int }}
{{- if gt $budget 0 }}
{{- $pods := include "twinstack.peakPods" . | int }}
{{- $pool := .Values.database.maxConnections | int }}
{{- $peak := add (mul $pods $pool) (ternary $pool 0 .Values.migration.enabled) }}
{{- if gt $peak $budget }}
{{- fail (printf "database: at its peak this release holds %d connections (%d pods × DATABASE_MAX_CONNECTIONS %d%s), over database.connectionBudget %d; RDS max_connections must fit replicas × DATABASE_MAX_CONNECTIONS at the HPA maximum: lower autoscaling.maxReplicas or database.maxConnections, or raise the budget after checking the instance" $peak $pods $pool (ternary " + the migration's pool" "" .Values.migration.enabled) $budget) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The server's environment, shared by the Deployment and the migration job (via their ConfigMaps). */}}
{{- define "twinstack.envData" -}}
HOST: {{ .Values.server.host | quote }}
PORT: {{ .Values.server.port | quote }}
DATABASE_MAX_CONNECTIONS: {{ .Values.database.maxConnections | quote }}
REQUEST_TIMEOUT_MS: {{ .Values.server.requestTimeoutMs | quote }}
SHUTDOWN_TIMEOUT_SECS: {{ .Values.server.shutdownTimeoutSecs | quote }}
WS_OUTBOX_FRAMES: {{ .Values.server.wsOutboxFrames | quote }}
MAX_IN_FLIGHT_REQUESTS: {{ .Values.server.maxInFlightRequests | quote }}
HEADER_READ_TIMEOUT_SECS: {{ .Values.server.headerReadTimeoutSecs | quote }}
KEEP_ALIVE_TIMEOUT_SECS: {{ .Values.server.keepAliveTimeoutSecs | quote }}
MAX_HEADER_BYTES: {{ .Values.server.maxHeaderBytes | quote }}
MAX_CONNECTIONS: {{ .Values.server.maxConnections | quote }}
RUST_LOG: {{ .Values.server.logLevel | quote }}
METRICS_PORT: {{ ternary .Values.metrics.port 0 .Values.metrics.enabled | quote }}
{{- end }}

{{/* Fails the render when the ALB may reuse an idle connection the server has closed (a 502): the
server must keep idle connections longer than the load balancer's idle timeout (60 s unless
load-balancer-attributes sets idle_timeout.timeout_seconds). */}}
{{- define "twinstack.checkKeepAlive" -}}
{{- if and .Values.ingress.enabled (eq .Values.ingress.className "alb") }}
{{- $idle := 60 }}
{{- $attributes := index .Values.ingress.annotations "alb.ingress.kubernetes.io/load-balancer-attributes" | default "" }}
{{- range splitList "," $attributes }}
{{- $pair := splitList "=" (trim .) }}
{{- if eq (first $pair) "idle_timeout.timeout_seconds" }}{{ $idle = last $pair | int }}{{ end }}
{{- end }}
{{- if le (int .Values.server.keepAliveTimeoutSecs) $idle }}
{{- fail (printf "server.keepAliveTimeoutSecs (KEEP_ALIVE_TIMEOUT_SECS) %d must exceed the ALB's idle timeout, %d s: the ALB reuses a connection idle for up to that long, and one the server has just closed answers 502" (int .Values.server.keepAliveTimeoutSecs) $idle) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Fails the render when /metrics would share the API's port (the server listens on both). */}}
{{- define "twinstack.checkMetricsPort" -}}
{{- if not .Values.metrics.enabled }}
{{- if or .Values.metrics.serviceMonitor.enabled .Values.metrics.grafanaDashboard.enabled }}
{{- fail "metrics.serviceMonitor and metrics.grafanaDashboard need metrics.enabled (with it off the server serves no metrics)" }}
{{- end }}
{{- else if eq (int .Values.metrics.port) (int .Values.server.port) }}
{{- fail (printf "metrics.port (METRICS_PORT) %d must differ from server.port (PORT): twinstack-server serves /metrics on a listener of its own" (int .Values.metrics.port)) }}
{{- end }}
{{- end }}

{{/* DATABASE_URL from the Secret named `secret`, then any extra env. Takes (dict "root" $ "secret" NAME). */}}
{{- define "twinstack.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .root.Values.database.existingSecretKey }}
{{- with .root.Values.server.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
checkov skips, each with its reason (checkov reads `checkov.io/skipN: ID=reason` annotations).
Only what cannot be fixed without breaking the server or its deployment; see README.md.
*/}}
{{- define "twinstack.checkovSkips" -}}
checkov.io/skip1: "CKV_K8S_35=twinstack-server reads DATABASE_URL from its environment only (crates/server/src/config.rs); the value comes from a Secret, never from the manifest"
checkov.io/skip2: "CKV_K8S_15=IfNotPresent is deliberate - ECR tags are immutable (KubernetesStack) so a cached image is the right one, and pod starts do not depend on ECR; set image.pullPolicy to Always to change it"
{{- if not .Values.image.digest }}
checkov.io/skip3: "CKV_K8S_43=deploy-kubernetes.sh deploys an immutable git-SHA tag; set image.digest to pin the image by digest as well"
{{- end }}
{{- end }}

{{- define "twinstack.pipelineName" -}}
{{- printf "%s-pipeline" (include "twinstack.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
deploy/pipeline/settings.json, which the PipelineStack and the local driver read too; the chart can
only read files inside itself, so files/pipeline-settings.json is a copy that helm/tests keeps
byte-identical.
*/}}
{{- define "twinstack.pipelineSettings" -}}
{{- .Files.Get "files/pipeline-settings.json" | required "files/pipeline-settings.json is missing from the chart" }}
{{- end }}

{{/* The settings file's retry policy as an Argo retryStrategy (limit = retries after the first try). */}}
{{- define "twinstack.pipelineRetryStrategy" -}}
{{- $retry := (include "twinstack.pipelineSettings" . | fromJson).retry }}
{{- if ne (float64 (int $retry.backoffRate)) (float64 $retry.backoffRate) }}
{{- fail (printf "deploy/pipeline/settings.json: retry.backoffRate %v must be a whole number for Argo Workflows (its backoff factor is an integer)" $retry.backoffRate) }}
{{- end }}
retryStrategy:
  limit: {{ int $retry.maxAttempts }}
  # A pod that fails or errors (node lost, evicted) alike: the chunk's work is idempotent.
  retryPolicy: Always
  backoff:
    duration: "{{ int $retry.intervalSeconds }}s"
    factor: {{ int $retry.backoffRate }}
{{- end }}

{{/* The pipeline pods' container settings: the server's image running `twinstack`, locked down like the server. */}}
{{- define "twinstack.pipelineContainer" -}}
image: {{ include "twinstack.image" . | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
command: ["/usr/local/bin/twinstack"]
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
resources:
  {{- toYaml .Values.pipeline.resources | nindent 2 }}
{{- end }}
