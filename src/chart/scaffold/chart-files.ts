// The top-level files of a new chart (`portolan create`): Chart.yaml, values.yaml, values.schema.json, .helmignore.
// `<CHARTNAME>` stands for the chart's name, as in Helm's starters; create.ts replaces it.

export const CHART_YAML = `apiVersion: v2
name: <CHARTNAME>
description: A chart for Kubernetes

# A chart can be either an 'application' or a 'library' chart.
#
# Application charts are a collection of templates that can be packaged into versioned archives
# to be deployed.
#
# Library charts provide useful partials or functions for the chart developer. They're included as
# a dependency of application charts to inject those partials and functions into the rendering
# pipeline. Library charts do not define any templates and therefore cannot be deployed.
type: application

# This is the chart version. This version number should be incremented each time you make changes
# to the chart and its templates, including the app version.
# Versions are expected to follow Semantic Versioning (https://semver.org/)
version: 0.1.0

# This is the version number of the application being deployed. This version number should be
# incremented each time you make changes to the application. Versions are not expected to
# follow Semantic Versioning. They should reflect the version the application is using.
# It is recommended to use it with quotes.
appVersion: "1.16.0"
`;

export const VALUES_YAML = `# yaml-language-server: $schema=values.schema.json
# Default values for <CHARTNAME>.
# This is a YAML-formatted file; values.schema.json (beside it) describes every key.
# Declare variables to be passed into your templates.

# This will set the replicaset count more information can be found here: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/
replicaCount: 1

# This sets the container image more information can be found here: https://kubernetes.io/docs/concepts/containers/images/
image:
  repository: nginx
  # This sets the pull policy for images.
  pullPolicy: IfNotPresent
  # Overrides the image tag whose default is the chart appVersion.
  tag: ""

# This is for the secrets for pulling an image from a private repository more information can be found here: https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
imagePullSecrets: []
# This is to override the chart name.
nameOverride: ""
fullnameOverride: ""

# This section builds out the service account more information can be found here: https://kubernetes.io/docs/concepts/security/service-accounts/
serviceAccount:
  # Specifies whether a service account should be created.
  create: true
  # Automatically mount a ServiceAccount's API credentials?
  automount: true
  # Annotations to add to the service account.
  annotations: {}
  # The name of the service account to use.
  # If not set and create is true, a name is generated using the fullname template.
  name: ""

# This is for setting Kubernetes Annotations to a Pod.
# For more information checkout: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
podAnnotations: {}
# This is for setting Kubernetes Labels to a Pod.
# For more information checkout: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
podLabels: {}

podSecurityContext: {}
  # fsGroup: 2000

securityContext: {}
  # capabilities:
  #   drop:
  #   - ALL
  # readOnlyRootFilesystem: true
  # runAsNonRoot: true
  # runAsUser: 1000

# This is for setting up a service more information can be found here: https://kubernetes.io/docs/concepts/services-networking/service/
service:
  # This sets the service type more information can be found here: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
  type: ClusterIP
  # This sets the ports more information can be found here: https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports
  port: 80

# This block is for setting up the ingress for more information can be found here: https://kubernetes.io/docs/concepts/services-networking/ingress/
ingress:
  enabled: false
  className: ""
  annotations: {}
    # kubernetes.io/ingress.class: nginx
    # kubernetes.io/tls-acme: "true"
  hosts:
    - host: chart-example.local
      paths:
        - path: /
          pathType: ImplementationSpecific
  tls: []
    # - secretName: chart-example-tls
    #   hosts:
    #     - chart-example.local

# -- Expose the service via gateway-api HTTPRoute
# Requires Gateway API resources and suitable controller installed within the cluster
# (see: https://gateway-api.sigs.k8s.io/guides/)
httpRoute:
  # HTTPRoute enabled.
  enabled: false
  # HTTPRoute annotations.
  annotations: {}
  # Which Gateways this Route is attached to.
  parentRefs:
  - name: gateway
    sectionName: http
    # namespace: default
  # Hostnames matching HTTP header.
  hostnames:
  - chart-example.local
  # List of rules and filters applied.
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /headers
  #   filters:
  #   - type: RequestHeaderModifier
  #     requestHeaderModifier:
  #       set:
  #       - name: My-Overwrite-Header
  #         value: this-is-the-only-value
  #       remove:
  #       - User-Agent
  # - matches:
  #   - path:
  #       type: PathPrefix
  #       value: /echo
  #     headers:
  #     - name: version
  #       value: v2

resources: {}
  # We usually recommend not to specify default resources and to leave this as a conscious
  # choice for the user. This also increases chances charts run on environments with little
  # resources, such as Minikube. If you do want to specify resources, uncomment the following
  # lines, adjust them as necessary, and remove the curly braces after 'resources:'.
  # limits:
  #   cpu: 100m
  #   memory: 128Mi
  # requests:
  #   cpu: 100m
  #   memory: 128Mi

# This is to setup the liveness and readiness probes more information can be found here: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
livenessProbe:
  httpGet:
    path: /
    port: http
readinessProbe:
  httpGet:
    path: /
    port: http

# This section is for setting up autoscaling more information can be found here: https://kubernetes.io/docs/concepts/workloads/autoscaling/
autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 100
  targetCPUUtilizationPercentage: 80
  # targetMemoryUtilizationPercentage: 80

# Additional volumes on the output Deployment definition.
volumes: []
  # - name: foo
  #   secret:
  #     secretName: mysecret
  #     optional: false

# Additional volumeMounts on the output Deployment definition.
volumeMounts: []
  # - name: foo
  #   mountPath: "/etc/foo"
  #   readOnly: true

nodeSelector: {}

tolerations: []

affinity: {}
`;

/** A JSON schema fragment (draft-07). */
type Schema = Record<string, unknown>;

const anyMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: true });
const anyList = (description: string): Schema => ({ type: 'array', description });
const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const bool = (description: string): Schema => ({ type: 'boolean', description });
const percent = (description: string): Schema => ({ type: 'integer', minimum: 1, maximum: 100, description });
const probe = (description: string): Schema => ({ type: 'object', description, additionalProperties: true });

/** values.schema.json: one entry for every key of VALUES_YAML (a test walks values.yaml to prove it). */
export const VALUES_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Values of the <CHARTNAME> chart',
  type: 'object',
  properties: {
    replicaCount: { type: 'integer', minimum: 0, description: 'Pods of the Deployment when autoscaling is off' },
    image: {
      type: 'object',
      description: 'The container image',
      properties: {
        repository: str('Image repository', { minLength: 1 }),
        pullPolicy: str('Image pull policy', { enum: ['Always', 'IfNotPresent', 'Never'] }),
        tag: str('Image tag; empty means the chart appVersion'),
      },
    },
    imagePullSecrets: {
      type: 'array',
      description: 'Secrets for pulling images from private registries',
      items: { type: 'object', properties: { name: str('Secret name') } },
    },
    nameOverride: str('Replaces the chart name in object names'),
    fullnameOverride: str('Replaces the whole generated object name'),
    serviceAccount: {
      type: 'object',
      description: 'The ServiceAccount the Pods run as',
      properties: {
        create: bool('Create a ServiceAccount'),
        automount: bool("Mount the ServiceAccount's API credentials"),
        annotations: {
          type: 'object',
          description: 'Annotations of the ServiceAccount',
          additionalProperties: { type: 'string' },
        },
        name: str('Name of the ServiceAccount; empty means the full name when created, else "default"'),
      },
    },
    podAnnotations: {
      type: 'object',
      description: 'Annotations of the Pods',
      additionalProperties: { type: 'string' },
    },
    podLabels: { type: 'object', description: 'Extra labels of the Pods', additionalProperties: { type: 'string' } },
    podSecurityContext: anyMap('The Pod securityContext'),
    securityContext: anyMap('The container securityContext'),
    service: {
      type: 'object',
      description: 'The Service in front of the Pods',
      properties: {
        type: str('Service type', { enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] }),
        port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Service port (also the container port)' },
      },
    },
    ingress: {
      type: 'object',
      description: 'An Ingress for the Service',
      properties: {
        enabled: bool('Render the Ingress'),
        className: str('ingressClassName; empty leaves it out'),
        annotations: {
          type: 'object',
          description: 'Annotations of the Ingress',
          additionalProperties: { type: 'string' },
        },
        hosts: {
          type: 'array',
          description: 'Hosts and their paths',
          items: {
            type: 'object',
            properties: {
              host: str('Host name'),
              paths: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    path: str('URL path'),
                    pathType: str('Path type', { enum: ['Exact', 'Prefix', 'ImplementationSpecific'] }),
                  },
                },
              },
            },
          },
        },
        tls: {
          type: 'array',
          description: 'TLS settings: secretName and hosts',
          items: {
            type: 'object',
            properties: {
              secretName: str('Secret holding the certificate'),
              hosts: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    httpRoute: {
      type: 'object',
      description: 'A Gateway API HTTPRoute for the Service',
      properties: {
        enabled: bool('Render the HTTPRoute'),
        annotations: {
          type: 'object',
          description: 'Annotations of the HTTPRoute',
          additionalProperties: { type: 'string' },
        },
        parentRefs: {
          type: 'array',
          description: 'The Gateways this route attaches to',
          items: {
            type: 'object',
            properties: {
              name: str('Gateway name'),
              sectionName: str('Listener name'),
              namespace: str('Gateway namespace'),
            },
          },
        },
        hostnames: { type: 'array', description: 'Host names the route matches', items: { type: 'string' } },
        rules: {
          type: 'array',
          description: 'Route rules: matches and filters',
          items: {
            type: 'object',
            properties: {
              matches: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { path: { type: 'object', properties: { type: str('Match type'), value: str('Path') } } },
                },
              },
              filters: anyList('Filters applied to matching requests'),
            },
          },
        },
      },
    },
    resources: anyMap('Container resources: limits and requests'),
    livenessProbe: probe('The container livenessProbe'),
    readinessProbe: probe('The container readinessProbe'),
    autoscaling: {
      type: 'object',
      description: 'A HorizontalPodAutoscaler for the Deployment',
      properties: {
        enabled: bool('Render the HorizontalPodAutoscaler (and leave replicas to it)'),
        minReplicas: { type: 'integer', minimum: 1, description: 'Fewest replicas' },
        maxReplicas: { type: 'integer', minimum: 1, description: 'Most replicas' },
        targetCPUUtilizationPercentage: percent('Average CPU utilisation to aim for'),
        targetMemoryUtilizationPercentage: percent('Average memory utilisation to aim for'),
      },
    },
    volumes: anyList('Extra volumes of the Pods'),
    volumeMounts: anyList('Extra volumeMounts of the container'),
    nodeSelector: {
      type: 'object',
      description: 'Node labels the Pods must run on',
      additionalProperties: { type: 'string' },
    },
    tolerations: anyList('Tolerations of the Pods'),
    affinity: anyMap('Affinity of the Pods'),
  },
};

export const HELMIGNORE = `# Patterns to ignore when building packages.
# This supports shell glob matching, relative path matching, and
# negation (prefixed with !). Only one pattern per line.
.DS_Store
# Common VCS dirs
.git/
.gitignore
.bzr/
.bzrignore
.hg/
.hgignore
.svn/
# Common backup files
*.swp
*.bak
*.tmp
*.orig
*~
# Various IDEs
.project
.idea/
*.tmproj
.vscode/
`;
