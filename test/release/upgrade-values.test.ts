// Which values an upgrade renders with (SEMANTICS.md), as a table: flag, previous user values, new values → result.
import { describe, expect, it } from 'vitest';
import type { Chart } from '../../src/chart/types.js';
import { upgradeValues, type ValueFlags } from '../../src/release/index.js';
import { prepareChart, type SourcedValues } from '../../src/values/index.js';
import { buildRecord } from './records.js';

const oldChart = { defaults: { replicas: 1, image: { tag: 'old', pull: 'IfNotPresent' }, onlyOld: true } };
const newChart: Chart = {
  metadata: { apiVersion: 'v2', name: 'app', version: '2.0.0' },
  values: { replicas: 1, image: { tag: 'new', pull: 'Always' }, onlyNew: true },
  templates: [],
  files: [],
  dependencies: [],
};
const previous = buildRecord({
  config: { replicas: 3, image: { tag: 'pinned' } },
  values: { ...oldChart.defaults, replicas: 3, image: { tag: 'pinned', pull: 'IfNotPresent' } },
});

function given(values: Record<string, unknown>): SourcedValues {
  return {
    values,
    origins: { layers: Object.keys(values).length ? [{ kind: 'tree', source: 'new.yaml', values }] : [] },
  };
}

const cases: Array<{
  name: string;
  flags: ValueFlags;
  values: Record<string, unknown>;
  expected: Record<string, unknown>;
}> = [
  {
    name: 'no flag and no values: the previous user values over the new chart',
    flags: {},
    values: {},
    expected: { replicas: 3, image: { tag: 'pinned', pull: 'Always' }, onlyNew: true },
  },
  {
    name: 'no flag, new values: only the new values over the new chart',
    flags: {},
    values: { image: { pull: 'Never' } },
    expected: { replicas: 1, image: { tag: 'new', pull: 'Never' }, onlyNew: true },
  },
  {
    name: '--reset-values: the new chart defaults and the new values only',
    flags: { resetValues: true },
    values: {},
    expected: { replicas: 1, image: { tag: 'new', pull: 'Always' }, onlyNew: true },
  },
  {
    name: "--reuse-values: the previous revision's values as defaults, then the new values (Helm keeps the old chart defaults)",
    flags: { reuseValues: true },
    values: { replicas: 5 },
    expected: { replicas: 5, image: { tag: 'pinned', pull: 'IfNotPresent' }, onlyOld: true },
  },
  {
    name: '--reset-then-reuse-values: new chart defaults ← previous user values ← new values',
    flags: { resetThenReuseValues: true },
    values: { image: { pull: 'Never' } },
    expected: { replicas: 3, image: { tag: 'pinned', pull: 'Never' }, onlyNew: true },
  },
  {
    name: '--reset-values wins over --reuse-values',
    flags: { resetValues: true, reuseValues: true },
    values: { replicas: 2 },
    expected: { replicas: 2, image: { tag: 'new', pull: 'Always' }, onlyNew: true },
  },
];

describe('upgrade values', () => {
  it.each(cases)('$name', ({ flags, values, expected }) => {
    const { chart, values: user } = upgradeValues(newChart, given(values), previous, flags);
    expect(prepareChart(chart, user).values).toEqual(expected);
  });

  it('names the previous revision as the origin of reused values', () => {
    const { values: user } = upgradeValues(newChart, given({ replicas: 5 }), previous, { reuseValues: true });
    expect(user.origins.layers[0]).toMatchObject({ kind: 'tree', source: 'the values of revision 1' });
    expect(user.values).toEqual({ replicas: 5, image: { tag: 'pinned' } });
  });
});
