import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminApp } from '../../src/admin/create-admin-app.ts';
import { listenHttp } from '../../src/platform/http-listener.ts';
import type { HttpListener } from '../../src/platform/http-listener.ts';
import { Readiness } from '../../src/admin/readiness.ts';
import type { StoreStats } from '../../src/core/store-types.ts';
import { createNodeMetrics } from '../../src/metrics/create-node-metrics.ts';
import { createNodeStats } from '../../src/metrics/node-stats.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createLogger } from '../../src/util/logger.ts';

const listeners: HttpListener[] = [];

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => listener.close()));
});

async function start() {
  const clock = new ManualClock();
  const startedAt = clock.monotonic();
  const registry = new Registry();
  const readiness = new Readiness();
  const logLines: string[] = [];
  const logger = createLogger({ clock, write: (line) => logLines.push(line) });
  const stats: StoreStats = {
    hits: 5,
    misses: 2,
    evictedCapacity: 1,
    evictedAhead: 1,
    evictedExpired: 3,
    items: 4,
    itemsWithTtl: 1,
    bytesUsed: 50,
    bytesCapacity: 200,
    policy: 'lru',
  };
  const store = { stats: () => stats };
  createNodeMetrics({ registry, node: 'n1', policy: 'lru', store, processMetrics: false });
  const nodeStats = createNodeStats({
    node: 'n1',
    durability: 'none',
    store,
    state: () => readiness.state,
    uptimeMs: () => clock.monotonic() - startedAt,
  });
  const app = createAdminApp({
    metricsRegistry: registry,
    readiness,
    stats: nodeStats,
    config: { port: 6379, requirepass: '(set)' },
    logger,
  });
  const listener = await listenHttp(app, '127.0.0.1', 0);
  listeners.push(listener);
  const url = (path: string) => `http://127.0.0.1:${listener.port}${path}`;
  return { clock, registry, readiness, url, logLines };
}

describe('admin app', () => {
  it('serves Prometheus text with the registry content type', async () => {
    const { url, registry } = await start();
    const response = await fetch(url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    const text = await response.text();
    expect(text).toContain('mlcache_node_hits_total{node="n1",policy="lru"} 5');
  });

  it('is live at once and ready only between start-up and shutdown', async () => {
    const { url, readiness } = await start();
    expect((await fetch(url('/healthz'))).status).toBe(200);

    let response = await fetch(url('/readyz'));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'starting',
      error: { code: 'ADMIN_E_NOT_READY' },
    });

    readiness.markReady();
    expect((await fetch(url('/readyz'))).status).toBe(200);

    readiness.markStopping();
    response = await fetch(url('/readyz'));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'stopping' });
    expect((await fetch(url('/healthz'))).status).toBe(200);
  });

  it('reports stats as JSON, with the redacted config', async () => {
    const { url, clock, readiness } = await start();
    readiness.markReady();
    clock.advance(1500);
    const body = await (await fetch(url('/v1/stats'))).json();
    expect(body).toEqual({
      node: 'n1',
      policy: 'lru',
      state: 'ready',
      uptimeSeconds: 1.5,
      items: 4,
      itemsWithTtl: 1,
      bytes: { used: 50, capacity: 200, utilization: 0.25 },
      hits: 5,
      misses: 2,
      evictions: { capacity: 1, ahead: 1, expired: 3 },
      connectedClients: 0,
      persistence: { durability: 'none', state: 'disabled', backlog: 0, writeErrors: 0 },
      config: { port: 6379, requirepass: '(set)' },
    });
  });

  it('answers unknown paths and failures with stable codes', async () => {
    const { url, registry, logLines } = await start();
    let response = await fetch(url('/nope'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'ADMIN_E_NOT_FOUND', message: 'no such endpoint: GET /nope' },
    });

    registry.registerMetric({
      name: 'broken',
      get: () => Promise.reject(new Error('source went away')),
    } as never);
    response = await fetch(url('/metrics'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: { code: 'ADMIN_E_INTERNAL', message: 'internal error' },
    });
    expect(logLines.join('')).toContain('source went away');
  });
});
