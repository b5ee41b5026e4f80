// The templates of a new chart (`portolan create`), in portolan's handlebars dialect. They render the same objects,
// with the same fields, as the templates of `helm create`; labels differ only where the tool names itself
// (portolan.dev/chart for helm.sh/chart; app.kubernetes.io/managed-by is Release.Service).
// `<CHARTNAME>` stands for the chart's name; create.ts replaces it.

export const HELPERS_TPL = `{{!-- Partials shared by every template of this chart. --}}

{{!-- Expand the name of the chart. --}}
{{#define "<CHARTNAME>.name"~}}
{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{~/define}}

{{!--
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
--}}
{{#define "<CHARTNAME>.fullname"~}}
{{#if Values.fullnameOverride~}}
{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{~else if (contains (default .Chart.Name .Values.nameOverride) .Release.Name)~}}
{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{~else~}}
{{ printf "%s-%s" .Release.Name (default .Chart.Name .Values.nameOverride) | trunc 63 | trimSuffix "-" }}
{{~/if}}
{{~/define}}

{{!-- Create chart name and version as used by the chart label. --}}
{{#define "<CHARTNAME>.chart"~}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{~/define}}

{{!-- Common labels --}}
{{#define "<CHARTNAME>.labels"~}}
portolan.dev/chart: {{ include "<CHARTNAME>.chart" . }}
{{ include "<CHARTNAME>.selectorLabels" . }}
{{#if Chart.AppVersion}}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{/if}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{~/define}}

{{!-- Selector labels --}}
{{#define "<CHARTNAME>.selectorLabels"~}}
app.kubernetes.io/name: {{ include "<CHARTNAME>.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{~/define}}

{{!-- Create the name of the service account to use --}}
{{#define "<CHARTNAME>.serviceAccountName"~}}
{{#if Values.serviceAccount.create~}}
{{ default (include "<CHARTNAME>.fullname" .) .Values.serviceAccount.name }}
{{~else~}}
{{ default "default" .Values.serviceAccount.name }}
{{~/if}}
{{~/define}}
`;

export const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "<CHARTNAME>.fullname" . }}
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
spec:
  {{#unless Values.autoscaling.enabled}}
  replicas: {{ .Values.replicaCount }}
  {{/unless}}
  selector:
    matchLabels:
      {{- include "<CHARTNAME>.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{#with Values.podAnnotations}}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{/with}}
      labels:
        {{- include "<CHARTNAME>.labels" . | nindent 8 }}
        {{#with Values.podLabels}}
        {{- toYaml . | nindent 8 }}
        {{/with}}
    spec:
      {{#with Values.imagePullSecrets}}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{/with}}
      serviceAccountName: {{ include "<CHARTNAME>.serviceAccountName" . }}
      {{#with Values.podSecurityContext}}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{/with}}
      containers:
        - name: {{ .Chart.Name }}
          {{#with Values.securityContext}}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{/with}}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          {{#with Values.livenessProbe}}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{/with}}
          {{#with Values.readinessProbe}}
          readinessProbe:
            {{- toYaml . | nindent 12 }}
          {{/with}}
          {{#with Values.resources}}
          resources:
            {{- toYaml . | nindent 12 }}
          {{/with}}
          {{#with Values.volumeMounts}}
          volumeMounts:
            {{- toYaml . | nindent 12 }}
          {{/with}}
      {{#with Values.volumes}}
      volumes:
        {{- toYaml . | nindent 8 }}
      {{/with}}
      {{#with Values.nodeSelector}}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{/with}}
      {{#with Values.affinity}}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{/with}}
      {{#with Values.tolerations}}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{/with}}
`;

export const SERVICE_YAML = `apiVersion: v1
kind: Service
metadata:
  name: {{ include "<CHARTNAME>.fullname" . }}
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "<CHARTNAME>.selectorLabels" . | nindent 4 }}
`;

export const SERVICEACCOUNT_YAML = `{{#if Values.serviceAccount.create}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "<CHARTNAME>.serviceAccountName" . }}
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
  {{#with Values.serviceAccount.annotations}}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{/with}}
automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
{{/if}}
`;

export const INGRESS_YAML = `{{#if Values.ingress.enabled}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "<CHARTNAME>.fullname" . }}
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
  {{#with Values.ingress.annotations}}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{/with}}
spec:
  {{#with Values.ingress.className}}
  ingressClassName: {{ . }}
  {{/with}}
  {{#if Values.ingress.tls}}
  tls:
    {{#each Values.ingress.tls}}
    - hosts:
        {{#each hosts}}
        - {{ quote this }}
        {{/each}}
      secretName: {{ .secretName }}
    {{/each}}
  {{/if}}
  rules:
    {{#each Values.ingress.hosts}}
    - host: {{ quote host }}
      http:
        paths:
          {{#each paths}}
          - path: {{ .path }}
            {{#with pathType}}
            pathType: {{ . }}
            {{/with}}
            backend:
              service:
                name: {{ include "<CHARTNAME>.fullname" $ }}
                port:
                  number: {{ $.Values.service.port }}
          {{/each}}
    {{/each}}
{{/if}}
`;

export const HTTPROUTE_YAML = `{{#if Values.httpRoute.enabled}}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ include "<CHARTNAME>.fullname" . }}
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
  {{#with Values.httpRoute.annotations}}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{/with}}
spec:
  parentRefs:
    {{#with Values.httpRoute.parentRefs}}
    {{- toYaml . | nindent 4 }}
    {{/with}}
  {{#with Values.httpRoute.hostnames}}
  hostnames:
    {{- toYaml . | nindent 4 }}
  {{/with}}
  rules:
    {{#each Values.httpRoute.rules}}
    {{#with matches}}
    - matches:
      {{- toYaml . | nindent 8 }}
    {{/with}}
    {{#with filters}}
      filters:
      {{- toYaml . | nindent 8 }}
    {{/with}}
      backendRefs:
        - name: {{ include "<CHARTNAME>.fullname" $ }}
          port: {{ $.Values.service.port }}
          weight: 1
    {{/each}}
{{/if}}
`;

export const HPA_YAML = `{{#if Values.autoscaling.enabled}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "<CHARTNAME>.fullname" . }}
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "<CHARTNAME>.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    {{#if Values.autoscaling.targetCPUUtilizationPercentage}}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
    {{/if}}
    {{#if Values.autoscaling.targetMemoryUtilizationPercentage}}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetMemoryUtilizationPercentage }}
    {{/if}}
{{/if}}
`;

export const NOTES_TXT = `1. Get the application URL by running these commands:
{{#if Values.httpRoute.enabled}}
{{#each Values.httpRoute.hostnames}}
  echo "Visit http://{{ this }} to use your application (through the Gateway the HTTPRoute attaches to)"
{{else}}
  kubectl get --namespace {{ .Release.Namespace }} httproute/{{ include "<CHARTNAME>.fullname" . }} -o yaml
{{/each}}

  NOTE: Your HTTPRoute depends on the listener configuration of your gateway and your HTTPRoute rules.
  The rules can be set for path, method, header and query parameters.
{{else if Values.ingress.enabled}}
{{#each Values.ingress.hosts}}
{{#each paths}}
  http{{#if @root.Values.ingress.tls}}s{{/if}}://{{ ../host }}{{ .path }}
{{/each}}
{{/each}}
{{else if (contains "NodePort" .Values.service.type)}}
  export NODE_PORT=$(kubectl get --namespace {{ .Release.Namespace }} -o jsonpath="{.spec.ports[0].nodePort}" services {{ include "<CHARTNAME>.fullname" . }})
  export NODE_IP=$(kubectl get nodes --namespace {{ .Release.Namespace }} -o jsonpath="{.items[0].status.addresses[0].address}")
  echo http://$NODE_IP:$NODE_PORT
{{else if (contains "LoadBalancer" .Values.service.type)}}
     NOTE: It may take a few minutes for the LoadBalancer IP to be available.
           You can watch its status by running 'kubectl get --namespace {{ .Release.Namespace }} svc -w {{ include "<CHARTNAME>.fullname" . }}'
  export SERVICE_IP=$(kubectl get svc --namespace {{ .Release.Namespace }} {{ include "<CHARTNAME>.fullname" . }} -o jsonpath="{.status.loadBalancer.ingress[0].ip}")
  echo http://$SERVICE_IP:{{ .Values.service.port }}
{{else if (contains "ClusterIP" .Values.service.type)}}
  export POD_NAME=$(kubectl get pods --namespace {{ .Release.Namespace }} -l "app.kubernetes.io/name={{ include "<CHARTNAME>.name" . }},app.kubernetes.io/instance={{ .Release.Name }}" -o jsonpath="{.items[0].metadata.name}")
  export CONTAINER_PORT=$(kubectl get pod --namespace {{ .Release.Namespace }} $POD_NAME -o jsonpath="{.spec.containers[0].ports[0].containerPort}")
  echo "Visit http://127.0.0.1:8080 to use your application"
  kubectl --namespace {{ .Release.Namespace }} port-forward $POD_NAME 8080:$CONTAINER_PORT
{{/if}}
`;

export const TEST_CONNECTION_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: "{{ include "<CHARTNAME>.fullname" . }}-test-connection"
  labels:
    {{- include "<CHARTNAME>.labels" . | nindent 4 }}
  annotations:
    "helm.sh/hook": test
spec:
  containers:
    - name: wget
      image: busybox
      command: ['wget']
      args: ['{{ include "<CHARTNAME>.fullname" . }}:{{ .Values.service.port }}']
  restartPolicy: Never
`;
