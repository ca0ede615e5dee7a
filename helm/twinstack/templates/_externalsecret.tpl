{{/*
An ExternalSecret writing DATABASE_URL into Secret `target` from the Secrets Manager secret
`remoteKey` (JSON: username, password, host, port, dbname). Takes (dict "root" $ "target" NAME
"remoteKey" KEY "role" TEXT).

A hook of lower weight than the migration job: the job reads the Secret this writes. Helm does not
manage hook resources as part of the release, so the Secret is written with creationPolicy Orphan:
recreating this ExternalSecret on upgrade never deletes the Secret the running pods use (on
uninstall, delete it by hand if wanted).
*/}}
{{- define "twinstack.externalSecret" -}}
{{- $values := .root.Values.externalSecret }}
{{- $host := $values.host | default "{{ .host }}" }}
{{- $query := printf "sslmode=%s" $values.sslmode }}
{{- if $values.sslRootCert }}
{{- $query = printf "%s&sslrootcert=%s" $query $values.sslRootCert }}
{{- end }}
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {{ .target }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "twinstack.labels" .root | nindent 4 }}
  annotations:
    # {{ .role }}
    "helm.sh/hook": pre-install,pre-upgrade
    "helm.sh/hook-weight": "-10"
    "helm.sh/hook-delete-policy": before-hook-creation
spec:
  refreshInterval: {{ $values.refreshInterval }}
  secretStoreRef:
    kind: {{ $values.secretStoreRef.kind }}
    name: {{ $values.secretStoreRef.name }}
  target:
    name: {{ .target }}
    creationPolicy: Orphan
    template:
      engineVersion: v2
      type: Opaque
      data:
        {{ .root.Values.database.existingSecretKey }}: {{ printf "postgres://{{ .username }}:{{ .password | urlquery }}@%s:{{ .port }}/{{ .dbname }}?%s" $host $query | quote }}
  dataFrom:
    - extract:
        key: {{ .remoteKey | quote }}
{{- end }}
