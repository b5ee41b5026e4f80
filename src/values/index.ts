// Values: read values files and --set flags (with where each value came from), coalesce them with chart defaults
// as Helm does, and validate every chart's values.schema.json. YAML is read as Helm reads it (HELM_YAML_SCHEMA,
// loadHelmYaml: go-yaml v2's YAML 1.1 with sigs.k8s.io/yaml's JSON conversion).
export { prepareChart, coalesceValues, copyValues, type PreparedChart } from './coalesce.js';
export {
  readUserValues,
  originOf,
  NO_VALUE_OPTIONS,
  type Origins,
  type SourcedValues,
  type ValueLayer,
  type ValueOptions,
  type ValuesIo,
} from './read.js';
export { compileSchema, forValidation, validateValues } from './schema.js';
export { applySet, inferType, type SetAssignment, type SetMode } from './set-parser.js';
export {
  FORBIDDEN_KEYS,
  HELM_YAML_SCHEMA,
  VALUES_SCHEMA,
  formatPath,
  hasPath,
  isMap,
  lineOf,
  loadHelmYaml,
  mergeMaps,
  parseValuesYaml,
  valuesToJson,
  type PathSegment,
} from './yaml.js';
