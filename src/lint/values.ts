// values.yaml and values.schema.json rules: the file is there and parses; YAML 1.1 scalars that YAML 1.2 tools
// would read differently; keys given twice; the schema is JSON and a valid JSON Schema. (Whether the values meet the
// schema is checked in index.ts, after user values are merged.) Pure.
import yaml from 'js-yaml';
import { messageOf } from '../errors.js';
import { compileSchema } from '../values/schema.js';
import { finding, type LintFinding } from './types.js';
import { describeDuplicateKey, describeYaml11Scalar, findDuplicateKeys, scanYaml11 } from './yaml11.js';

/** Findings for one values text; `file` is how to name it (values.yaml, or a -f path as given). */
export function lintValuesText(text: string, file: string): { findings: LintFinding[]; parses: boolean } {
  // JSON (valid YAML too, and how generated values often come) has no plain scalars to misread: one JSON.parse.
  if (/^\s*[{[]/.test(text)) {
    try {
      JSON.parse(text);
      return { findings: [], parses: true };
    } catch {
      // not JSON after all: read as YAML below
    }
  }
  const { hits, error } = scanYaml11(text);
  if (error !== undefined) {
    if (error instanceof yaml.YAMLException) {
      return {
        findings: [
          finding(
            'error',
            'values',
            file,
            `unable to parse YAML: ${error.reason} (column ${error.mark.column + 1})`,
            error.mark.line + 1,
          ),
        ],
        parses: false,
      };
    }
    throw error;
  }
  const findings = [
    ...hits.map((hit) => finding('warning', 'yaml-1.1', file, describeYaml11Scalar(hit), hit.line)),
    ...findDuplicateKeys(text).map((duplicate) =>
      finding('warning', 'duplicate-key', file, describeDuplicateKey(duplicate), duplicate.line),
    ),
  ];
  return { findings: findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), parses: true };
}

/** Findings for values.schema.json's text: it must be a JSON object and a JSON Schema ajv can compile. */
export function lintSchemaText(text: string): { findings: LintFinding[]; valid: boolean } {
  const file = 'values.schema.json';
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    return {
      findings: [finding('error', 'values-schema', file, `not valid JSON: ${(error as Error).message}`, line)],
      valid: false,
    };
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return {
      findings: [finding('error', 'values-schema', file, 'a values schema must be a JSON object (a JSON Schema)')],
      valid: false,
    };
  }
  try {
    compileSchema(schema as Record<string, unknown>, file);
  } catch (error) {
    return {
      findings: [finding('error', 'values-schema', file, messageOf(error).replace(`${file}: `, ''))],
      valid: false,
    };
  }
  return { findings: [], valid: true };
}
