import { describe, expect, it } from 'vitest';
import { parseClusterState, serializeClusterState } from './cluster-state.ts';
import type { ClusterState } from './cluster-state.ts';

const state: ClusterState = {
  version: 1,
  settings: {
    bind: '127.0.0.1',
    policy: 'lfu',
    maxmemory: null,
    durability: 'async',
    logLevel: 'info',
    nearCacheTtlMs: null,
    nearCacheInvalidation: true,
  },
  nodes: [
    {
      id: 'node-0',
      pid: 10,
      resp: 1000,
      grpc: 1001,
      admin: 1002,
      dataDir: '/d/node-0/data',
      log: '/d/node-0/node.log',
      startedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  gateway: null,
  recentMoves: [{ shard: 3, from: 'node-0', to: 'node-1', at: 5 }],
};

describe('the state file', () => {
  it('round-trips', () => {
    expect(parseClusterState(serializeClusterState(state))).toEqual({ ok: true, state });
  });

  it('reads a file written before --near-cache-invalidation existed as off', () => {
    const old = JSON.parse(serializeClusterState(state)) as { settings: Record<string, unknown> };
    delete old.settings.nearCacheInvalidation;
    const parsed = parseClusterState(JSON.stringify(old));
    expect(parsed.ok && parsed.state.settings.nearCacheInvalidation).toBe(false);
  });

  it('lists every problem with its path', () => {
    const broken = JSON.parse(serializeClusterState(state)) as Record<string, unknown>;
    broken.nodes = [{ ...state.nodes[0], pid: -1 }, state.nodes[0]];
    broken.settings = { ...state.settings, durability: 'fast', nearCacheInvalidation: 'on' };
    const parsed = parseClusterState(JSON.stringify(broken));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      'settings.durability: expected one of async, sync, none, got "fast"',
      'settings.nearCacheInvalidation: expected true or false, got "on"',
      'nodes[0].pid: expected a non-negative integer, got -1',
      'nodes[1].id: "node-0" twice',
    ]);
    expect(parseClusterState('{').ok).toBe(false);
    expect(parseClusterState('{"version":2}')).toEqual({
      ok: false,
      problems: ['version: expected 1, got 2'],
    });
  });
});
