// Watches: a chunked stream of ADDED/MODIFIED/DELETED events from a resourceVersion on, with selectors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, statusBody } from '../http.js';
import type { JsonObject } from '../patch.js';
import { groupVersionOf } from '../resources.js';
import {
  checkFieldLabels,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../selectors.js';
import { metaOf, type ApiServer, type Target } from '../server.js';
import type { StoreEvent } from '../store.js';

export function watch(
  server: ApiServer,
  req: IncomingMessage,
  res: ServerResponse,
  t: Target,
  q: URLSearchParams,
): void {
  const key = server.storeKey(t.info);
  const labelSel = parseLabelSelector(q.get('labelSelector') ?? '');
  const fieldSel = parseFieldSelector(q.get('fieldSelector') ?? '');
  if (!t.info.custom) checkFieldLabels(t.info.group, t.info.kind, fieldSel);
  const ns = t.info.namespaced ? t.namespace : undefined;
  const matches = (o: JsonObject) =>
    (ns === undefined || metaOf(o).namespace === ns) &&
    matchesLabels(metaOf(o).labels as Record<string, string> | undefined, labelSel) &&
    matchesFields(o, fieldSel);
  const rvParam = q.get('resourceVersion') ?? '';
  const initial = q.get('sendInitialEvents') === 'true';
  server.stats.byStatus[200] = (server.stats.byStatus[200] ?? 0) + 1;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const write = (type: string, object: JsonObject) => res.write(JSON.stringify({ type, object }) + '\n');
  // An object that enters the selection is ADDED for this watch, one that leaves it DELETED, as the real server does.
  const forward = (ev: StoreEvent) => {
    if (ev.resource !== key) return;
    const was = ev.type !== 'ADDED' && matches(ev.type === 'MODIFIED' && ev.previous ? ev.previous : ev.object);
    const now = ev.type !== 'DELETED' && matches(ev.object);
    const type = was && now ? 'MODIFIED' : now ? 'ADDED' : was ? 'DELETED' : undefined;
    if (type) write(type, server.output(t, ev.object));
  };
  const pending: StoreEvent[] = [];
  let replaying = true;
  const unsubscribe = server.store.subscribe((ev) => {
    if (replaying) pending.push(ev);
    else forward(ev);
  });
  const startRv = server.store.rv;
  if (rvParam === '' || rvParam === '0' || initial) {
    for (const o of server.store.list(key, ns)) if (matches(o)) write('ADDED', server.output(t, o));
    if (initial) {
      write('BOOKMARK', {
        kind: t.info.kind,
        apiVersion: groupVersionOf(t.info, t.version),
        metadata: { resourceVersion: String(startRv), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else {
    const events = server.store.since(Number(rvParam));
    if (!events) {
      write(
        'ERROR',
        statusBody(new ApiError(410, 'Expired', `too old resource version: ${rvParam} (${server.store.oldestRv})`)),
      );
      unsubscribe();
      res.end();
      return;
    }
    for (const ev of events) if (ev.rv <= startRv) forward(ev);
  }
  replaying = false;
  for (const ev of pending) forward(ev);
  server.watches.add(res);
  const timeout = Number(q.get('timeoutSeconds') ?? 1800);
  const timer = setTimeout(() => res.end(), Math.max(1, timeout) * 1000);
  timer.unref();
  const close = () => {
    clearTimeout(timer);
    unsubscribe();
    server.watches.delete(res);
  };
  res.on('close', close);
  req.on('close', close);
}
