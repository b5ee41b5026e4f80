// The files `portolan create` writes, with `<CHARTNAME>` placeholders (Helm's starter convention).
import { CHART_YAML, HELMIGNORE, VALUES_SCHEMA, VALUES_YAML } from './chart-files.js';
import {
  DEPLOYMENT_YAML,
  HELPERS_TPL,
  HPA_YAML,
  HTTPROUTE_YAML,
  INGRESS_YAML,
  NOTES_TXT,
  SERVICEACCOUNT_YAML,
  SERVICE_YAML,
  TEST_CONNECTION_YAML,
} from './templates.js';

export const CHART_NAME_PLACEHOLDER = '<CHARTNAME>';

/** Chart-relative path → text, every `<CHARTNAME>` still in place. */
export const SCAFFOLD_FILES: Readonly<Record<string, string>> = {
  'Chart.yaml': CHART_YAML,
  'values.yaml': VALUES_YAML,
  'values.schema.json': `${JSON.stringify(VALUES_SCHEMA, null, 2)}\n`,
  '.helmignore': HELMIGNORE,
  'templates/NOTES.txt': NOTES_TXT,
  'templates/_helpers.tpl': HELPERS_TPL,
  'templates/deployment.yaml': DEPLOYMENT_YAML,
  'templates/service.yaml': SERVICE_YAML,
  'templates/serviceaccount.yaml': SERVICEACCOUNT_YAML,
  'templates/ingress.yaml': INGRESS_YAML,
  'templates/httproute.yaml': HTTPROUTE_YAML,
  'templates/hpa.yaml': HPA_YAML,
  'templates/tests/test-connection.yaml': TEST_CONNECTION_YAML,
};
