{{!-- Partials shared by every webapp template. Names follow `helm create` so Helm users recognise them. --}}

{{!-- The chart name, at most 63 characters (a DNS label). --}}
{{#define "webapp.name"~}}
{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{~/define}}

{{!-- The full name: release and chart name, unless the release name already holds the chart name. --}}
{{#define "webapp.fullname"~}}
{{#if Values.fullnameOverride~}}
{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{~else if (contains (include "webapp.name" .) .Release.Name)~}}
{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{~else~}}
{{ printf "%s-%s" .Release.Name (include "webapp.name" .) | trunc 63 | trimSuffix "-" }}
{{~/if}}
{{~/define}}

{{#define "webapp.chart"~}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{~/define}}

{{#define "webapp.selectorLabels"~}}
app.kubernetes.io/name: {{ include "webapp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{~/define}}

{{#define "webapp.labels"~}}
portolan.dev/chart: {{ include "webapp.chart" . }}
{{ include "webapp.selectorLabels" . }}
app.kubernetes.io/version: {{ default .Chart.AppVersion .Values.image.tag | quote }}
{{#if Values.global.environment}}
portolan.dev/environment: {{ .Values.global.environment }}
{{/if}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{~/define}}

{{#define "webapp.serviceAccountName"~}}
{{#if Values.serviceAccount.create~}}
{{ default (include "webapp.fullname" .) .Values.serviceAccount.name }}
{{~else~}}
{{ default "default" .Values.serviceAccount.name }}
{{~/if}}
{{~/define}}

{{#define "webapp.image"~}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{~/define}}
