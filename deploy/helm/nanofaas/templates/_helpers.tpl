{{/* Chart name, at most 63 characters (a label value). */}}
{{- define "nanofaas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of the control plane's objects: <release>-<chart>, or the release name when it already contains
the chart name. At most 52 characters so that suffixes such as "-api-keys" stay within 63.
*/}}
{{- define "nanofaas.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Labels of every object of the chart. Deliberately not `app.kubernetes.io/managed-by: nanofaas`: that
label marks the function objects the control plane owns (and deletes when no function owns them).
*/}}
{{- define "nanofaas.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "nanofaas.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: control-plane
app.kubernetes.io/part-of: nanofaas
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "nanofaas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nanofaas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "nanofaas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "nanofaas.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The namespace of the function objects. */}}
{{- define "nanofaas.functionsNamespace" -}}
{{- default .Release.Namespace .Values.functions.namespace }}
{{- end }}

{{- define "nanofaas.apiKeysSecretName" -}}
{{- default (printf "%s-api-keys" (include "nanofaas.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "nanofaas.apiKeysSecretKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKey }}{{ else }}api-keys{{ end }}
{{- end }}

{{- define "nanofaas.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "nanofaas.callbackUrl" -}}
{{- if .Values.kubernetes.callbackUrl }}
{{- .Values.kubernetes.callbackUrl }}
{{- else }}
{{- printf "http://%s.%s.svc.%s:%d/v1/internal/executions" (include "nanofaas.fullname" .) .Release.Namespace .Values.kubernetes.clusterDomain (int .Values.service.port) }}
{{- end }}
{{- end }}
