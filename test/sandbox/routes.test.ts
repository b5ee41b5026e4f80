import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/sandbox/routes.js';

describe('the sandbox route table', () => {
  it('sends object paths to the objects handler with the group, version and remaining segments', () => {
    const m = matchRoute(['apis', 'apps', 'v1', 'namespaces', 'default', 'deployments', 'web']);
    expect(m?.params).toEqual({ group: 'apps', version: 'v1' });
    expect(m?.rest).toEqual(['namespaces', 'default', 'deployments', 'web']);
    expect(m?.route.handler.name).toBe('objects');
  });

  it('tells discovery of a group-version from the resources under it', () => {
    expect(matchRoute(['api', 'v1'])?.route.handler.name).toBe('resources');
    expect(matchRoute(['api', 'v1', 'pods'])?.route.handler.name).toBe('objects');
    expect(matchRoute(['apis', 'apps'])?.route.handler.name).toBe('group');
  });

  it('marks only the health probes public and finds no route for unknown paths', () => {
    expect(matchRoute(['healthz'])?.route.isPublic).toBe(true);
    expect(matchRoute(['version'])?.route.isPublic).toBe(false);
    expect(matchRoute(['nowhere'])).toBeUndefined();
    expect(matchRoute([])).toBeUndefined();
  });
});
