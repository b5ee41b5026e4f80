// Discovery handlers: health, version, API groups and resources, OpenAPI.
import {
  CORE_VERSIONS,
  groupList,
  openApiDoc,
  openApiRoot,
  openApiV2 as openApiV2Document,
  resourceList,
  versionInfo,
} from '../discovery.js';
import { notFoundPath } from '../http.js';
import type { Handler } from '../routes.js';

export const health: Handler = ({ res }) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('ok');
};

export const version: Handler = ({ server, res }) => server.send(res, 200, versionInfo());

export const coreVersions: Handler = ({ server, res }) => server.send(res, 200, CORE_VERSIONS);

export const groups: Handler = ({ server, res }) => server.send(res, 200, groupList(server.resources()));

export const group: Handler = ({ server, res, params }) => {
  const g = groupList(server.resources()).groups.find((x) => x.name === params.group);
  if (!g) throw notFoundPath();
  server.send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
};

export const resources: Handler = ({ server, res, params }) => {
  const list = resourceList(server.resources(), params.group ?? '', params.version!);
  if (!list) throw notFoundPath();
  server.send(res, 200, list);
};

export const openApiV2: Handler = ({ server, res }) =>
  server.send(
    res,
    200,
    openApiV2Document(server.resources(), (info, v) => server.crdSchema(info, v)),
  );

export const openApiV3Root: Handler = ({ server, res }) =>
  server.send(res, 200, openApiRoot(server.resources(), server.crdRevision));

export const openApiV3Document: Handler = ({ server, res, rest }) => {
  const doc = openApiDoc(server.resources(), rest.join('/'), (info, v) => server.crdSchema(info, v));
  if (!doc) throw notFoundPath();
  server.send(res, 200, doc);
};
