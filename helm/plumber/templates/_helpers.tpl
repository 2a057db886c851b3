{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "plumber.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "plumber.fullname" -}}
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

{{- define "plumber.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; the component goes in separately. */}}
{{- define "plumber.labels" -}}
helm.sh/chart: {{ include "plumber.chart" . }}
{{ include "plumber.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: plumber
{{- end }}

{{- define "plumber.selectorLabels" -}}
app.kubernetes.io/name: {{ include "plumber.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "plumber.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "plumber.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "plumber.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The file service the gateway downloads from: files.url, or the chart's own core when that is on and url empty. */}}
{{- define "plumber.filesUrl" -}}
{{- if and .Values.core.enabled (not .Values.files.url) }}
{{- printf "http://%s-core:%v" (include "plumber.fullname" .) .Values.core.port }}
{{- else }}
{{- .Values.files.url }}
{{- end }}
{{- end }}

{{/* JVM options, the logging config and -jar: the container's command up to the Plumber subcommand. */}}
{{- define "plumber.javaCommand" -}}
- java
{{- range .Values.jvmOptions }}
- {{ . | quote }}
{{- end }}
{{- if eq .Values.logging.format "json" }}
- -Dlogback.configurationFile=logback-json.xml
{{- end }}
- -jar
- /app/plumber.jar
{{- end }}

{{/* Log levels, read by the logging config built into the jar. */}}
{{- define "plumber.loggingEnv" -}}
- name: PLUMBER_LOG_LEVEL
  value: {{ .Values.logging.plumberLevel | quote }}
- name: PLUMBER_LOG_ROOT_LEVEL
  value: {{ .Values.logging.level | quote }}
{{- end }}

{{/* An env entry from the existing Secret: name, key, optional. */}}
{{- define "plumber.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
      optional: {{ .optional }}
{{- end }}
