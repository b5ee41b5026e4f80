{{!-- Labels every chart of the organisation carries. Call with the including chart's context. --}}
{{#define "common.labels"~}}
{{#if Values.global.environment}}
portolan.dev/environment: {{ .Values.global.environment }}
{{/if}}
{{#if Values.global.team}}
portolan.dev/team: {{ .Values.global.team }}
{{/if}}
app.kubernetes.io/part-of: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{~/define}}

{{!-- A resource name: release-suffix, cut to 63 characters. Call with (dict "root" . "suffix" "x"). --}}
{{#define "common.name"~}}
{{ printf "%s-%s" .root.Release.Name .suffix | trunc 63 | trimSuffix "-" }}
{{~/define}}
