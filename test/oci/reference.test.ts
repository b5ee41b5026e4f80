// The pure parts of OCI support, table-driven: references as helm reads them, WWW-Authenticate challenges, tags
// chosen for a version or range, Go's JSON strings, and Docker config.json logins.
import { statSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectTag } from '../../src/oci/chart.js';
import { parseChallenge, RegistryClient } from '../../src/oci/client.js';
import {
  credentialKey,
  findCredential,
  registryPaths,
  removeCredential,
  storeCredential,
} from '../../src/oci/credentials.js';
import { goJsonString, rfc3339Local } from '../../src/oci/manifest.js';
import { parseOciReference } from '../../src/oci/reference.js';
import { tempDir } from '../repo/helpers.js';

describe('parseOciReference', () => {
  const ok: Array<[string, object]> = [
    ['oci://ghcr.io/org/charts/nginx', { registry: 'ghcr.io', repository: 'org/charts/nginx' }],
    ['oci://localhost:5000/nginx:1.2.3', { registry: 'localhost:5000', repository: 'nginx', tag: '1.2.3' }],
    ['oci://r.example/a/b:1.0.0+build.1', { registry: 'r.example', repository: 'a/b', tag: '1.0.0_build.1' }],
    [
      `oci://r.example/a/b@sha256:${'a'.repeat(64)}`,
      { registry: 'r.example', repository: 'a/b', digest: `sha256:${'a'.repeat(64)}` },
    ],
    [
      `oci://r.example/a/b:2.0.0@sha256:${'b'.repeat(64)}`,
      { registry: 'r.example', repository: 'a/b', tag: '2.0.0', digest: `sha256:${'b'.repeat(64)}` },
    ],
    ['oci://127.0.0.1:5000/my_org/my-chart.x', { registry: '127.0.0.1:5000', repository: 'my_org/my-chart.x' }],
    ['oci://r.example/a/', { registry: 'r.example', repository: 'a' }],
  ];
  it.each(ok)('reads %s', (text, expected) => {
    expect(parseOciReference(text)).toEqual(expected);
  });

  const bad: Array<[string, RegExp]> = [
    ['oci://r.example', /names no repository/],
    ['oci://r.example/UPPER/chart', /path component "UPPER"/],
    ['oci://r.example/a/b@sha256:123', /digest "sha256:123"/],
    ['oci://user:pw@r.example/a', /credentials do not belong in it/],
    ['oci://https://r.example/a', /another scheme/],
    ['oci://r.example/a:bad tag', /tag "bad tag"/],
  ];
  it.each(bad)('refuses %s', (text, message) => {
    expect(() => parseOciReference(text)).toThrow(message);
  });

  it('takes a bare registry for login, and only when asked', () => {
    expect(parseOciReference('localhost:5000', { allowBare: true })).toEqual({
      registry: 'localhost:5000',
      repository: '',
    });
    expect(() => parseOciReference('localhost:5000')).toThrow(/names no repository/);
  });
});

describe('parseChallenge', () => {
  it.each([
    [
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: 'basic', params: { realm: 'Registry Realm' } }],
    ['Bearer realm=https://x/t, service=svc', { scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } }],
    ['Bearer realm="a \\"quoted\\" realm"', { scheme: 'bearer', params: { realm: 'a "quoted" realm' } }],
  ])('reads %s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });
});

describe('selectTag', () => {
  const tags = ['1.0.0', '1.2.0', '1.10.0', '2.0.0-rc.1', 'latest', '1.3.0_build.5', 'v1.9.0', '01.0.0'];
  it.each([
    [undefined, '1.10.0'],
    ['^1', '1.10.0'],
    ['~1.2', '1.2.0'],
    ['1.3.0+build.5', '1.3.0_build.5'],
    ['>=2.0.0-0', '2.0.0-rc.1'],
    ['<1.2.0 || >1.9', '1.10.0'],
  ])('picks for %s the tag %s (strict versions only, newest first)', (range, tag) => {
    expect(selectTag(tags, range, 'oci://r/a')).toBe(tag);
  });
  it('says which versions there are when none matches', () => {
    expect(() => selectTag(tags, '^3', 'oci://r/a')).toThrow('oci://r/a: no version matches "^3"');
    expect(() => selectTag(['latest'], undefined, 'oci://r/a')).toThrow(/no tags that are chart versions/);
  });
});

describe('Go JSON and times', () => {
  it.each([
    ['plain', '"plain"'],
    ['<a href="x">&</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"'],
    ['line\u2028sep\u2029', '"line\\u2028sep\\u2029"'],
    ['tab\tnl\n\u0001', '"tab\\tnl\\n\\u0001"'],
    ['lone \ud800 surrogate', '"lone \ufffd surrogate"'],
  ])('writes %j as %s', (text, json) => {
    expect(goJsonString(text)).toBe(json);
  });
  it('writes a time as RFC 3339 to the second', () => {
    expect(rfc3339Local(new Date('2026-01-02T03:04:05.678Z'))).toMatch(/^2026-01-0\dT\d\d:\d\d:05(Z|[+-]\d\d:\d\d)$/);
  });
});

describe('Docker config.json logins', () => {
  it("stores logins 0600 beside other keys, reads Docker's file as a fallback, and removes them", async () => {
    const home = tempDir('portolan-oci-creds-');
    const paths = registryPaths({ HOME: home, DOCKER_CONFIG: join(home, 'docker') });
    expect(paths.config).toBe(join(home, '.config', 'portolan', 'registry', 'config.json'));
    mkdirSync(join(home, 'docker'));
    writeFileSync(
      paths.dockerConfig,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('d:hub').toString('base64') },
          'http://old.example/v2/': { username: 'o', password: 'p' },
        },
      }),
    );
    expect(await findCredential(paths, 'docker.io')).toEqual({ username: 'd', password: 'hub' });
    expect(await findCredential(paths, 'old.example')).toEqual({ username: 'o', password: 'p' });
    expect(credentialKey('registry-1.docker.io')).toBe('https://index.docker.io/v1/');

    mkdirSync(join(home, '.config', 'portolan', 'registry'), { recursive: true });
    writeFileSync(paths.config, JSON.stringify({ credHelpers: { 'x.example': 'pass' }, auths: {} }));
    await storeCredential(paths, 'r.example:5000', { username: 'me', password: 'p:w' });
    expect(statSync(paths.config).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(paths.config, 'utf8')) as Record<string, unknown>;
    expect(file.credHelpers).toEqual({ 'x.example': 'pass' });
    expect(await findCredential(paths, 'r.example:5000')).toEqual({ username: 'me', password: 'p:w' });
    expect(await removeCredential(paths, 'r.example:5000')).toBe(true);
    expect(await removeCredential(paths, 'r.example:5000')).toBe(false);
    expect(await findCredential(paths, 'r.example:5000')).toBeUndefined();
  });
});

describe('RegistryClient', () => {
  it('talks https by default, http with plainHttp, and to registry-1.docker.io for docker.io', () => {
    const base = (registry: string, plainHttp = false) => {
      const client = new RegistryClient({ registry, plainHttp, ref: `oci://${registry}/x` });
      client.close();
      return client.base;
    };
    expect(base('ghcr.io')).toBe('https://ghcr.io');
    expect(base('127.0.0.1:5000', true)).toBe('http://127.0.0.1:5000');
    expect(base('docker.io')).toBe('https://registry-1.docker.io');
  });
});
