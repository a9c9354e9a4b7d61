import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { createLogger } from '../util/logger.ts';
import type { ClusterAdmin, RingOfferResult } from './cluster-routes.ts';
import { createAdminApp } from './create-admin-app.ts';
import { listenHttp } from '../platform/http-listener.ts';
import type { HttpListener } from '../platform/http-listener.ts';

const listeners: HttpListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

async function start(cluster?: ClusterAdmin): Promise<string> {
  const clock = new ManualClock();
  const app = createAdminApp({
    metricsRegistry: new Registry(),
    readiness: { state: 'ready' },
    stats: () => ({}) as never,
    config: {},
    logger: createLogger({ clock, level: 'silent', write: () => {} }),
    cluster,
  });
  const listener = await listenHttp(app, '127.0.0.1', 0);
  listeners.push(listener);
  return `http://127.0.0.1:${listener.port}`;
}

/** A cluster that takes any document starting with `{` and refuses `old` as stale. */
function fakeCluster(): ClusterAdmin & { offered: string[] } {
  const offered: string[] = [];
  let ring: string | undefined;
  return {
    offered,
    ringDocument: () => ring,
    offerRing: (text): RingOfferResult => {
      offered.push(text);
      if (text === 'old') return { outcome: 'rejected', reason: 'stale-epoch', problems: ['x'] };
      if (!text.startsWith('{')) {
        return { outcome: 'rejected', reason: 'malformed', problems: ['not JSON'] };
      }
      ring = text;
      return { outcome: 'applied', epoch: 3 };
    },
    migrations: () => ({ migrations: [] }),
    load: () => ({ shards: [] }),
  };
}

describe('the cluster routes of the admin port', () => {
  it('serve and take rings, with stable error codes', async () => {
    const cluster = fakeCluster();
    const base = await start(cluster);
    expect((await fetch(`${base}/v1/ring`)).status).toBe(404);
    const put = await fetch(`${base}/v1/ring`, { method: 'PUT', body: '{"epoch":3}' });
    expect(await put.json()).toEqual({ outcome: 'applied', epoch: 3 });
    const got = await fetch(`${base}/v1/ring`);
    expect(got.headers.get('content-type')).toMatch(/application\/json/);
    expect(await got.text()).toBe('{"epoch":3}');
    const stale = await fetch(`${base}/v1/ring`, { method: 'PUT', body: 'old' });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({
      error: { code: 'ADMIN_E_RING_REFUSED' },
      reason: 'stale-epoch',
    });
    const junk = await fetch(`${base}/v1/ring`, {
      method: 'PUT',
      body: 'junk',
      headers: { 'content-type': 'text/plain' },
    });
    expect(junk.status).toBe(400);
    expect(await junk.json()).toMatchObject({
      error: { code: 'ADMIN_E_RING_INVALID' },
      problems: ['not JSON'],
    });
    expect(await (await fetch(`${base}/v1/migrations`)).json()).toEqual({ migrations: [] });
    expect(await (await fetch(`${base}/v1/load`)).json()).toEqual({ shards: [] });
  });

  it('answer ADMIN_E_NOT_CLUSTERED on a standalone node', async () => {
    const base = await start();
    for (const path of ['/v1/ring', '/v1/migrations', '/v1/load']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'ADMIN_E_NOT_CLUSTERED' } });
    }
    const put = await fetch(`${base}/v1/ring`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(404);
  });
});
