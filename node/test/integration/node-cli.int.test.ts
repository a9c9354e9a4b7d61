import { Redis } from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCacheClient } from '../../src/server/grpc/cache-client.ts';
import { LOCAL_NODE_ARGS, runNode, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';

// The whole node as a process: start on free ports, talk RESP, gRPC and HTTP to it, stop it with
// SIGTERM, start it again on the same data directory and find the data.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-node-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(args: readonly string[]): Promise<RunningNode> {
  const node = await startNode([...LOCAL_NODE_ARGS, ...args]);
  cleanups.push(() => node.stop());
  return node;
}

function redis(node: RunningNode): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: node.listening.resp,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  cleanups.push(() => client.disconnect());
  return client;
}

/** The value of one series in Prometheus text, by metric name (labels ignored); 0 when absent. */
async function scrape(node: RunningNode, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.listening.admin}/metrics`)).text();
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('mlcache node', () => {
  it('serves RESP, gRPC and metrics, stops cleanly on SIGTERM and reloads its data', async () => {
    const dataDir = tempDir();
    const node = await start(['--data-dir', dataDir, '--node-name', 'it-1']);
    expect(node.listening).toMatchObject({ event: 'listening', node: 'it-1', bind: '127.0.0.1' });
    for (const port of [node.listening.resp, node.listening.grpc, node.listening.admin])
      expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${node.listening.admin}/readyz`)).status).toBe(200);

    const client = redis(node);
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    const hits = await scrape(node, 'mlcache_node_hits_total');
    const misses = await scrape(node, 'mlcache_node_misses_total');
    expect(await client.set('greeting', 'hello')).toBe('OK');
    expect(await client.set('doomed', 'x', 'PX', 50)).toBe('OK');
    expect(await client.get('greeting')).toBe('hello');
    expect(await client.get('absent')).toBeNull();
    expect(await scrape(node, 'mlcache_node_hits_total')).toBe(hits + 1);
    expect(await scrape(node, 'mlcache_node_misses_total')).toBe(misses + 1);
    expect(await scrape(node, 'mlcache_node_connected_clients')).toBe(1);

    // The gRPC API reads the same store.
    const grpc = createCacheClient(`127.0.0.1:${node.listening.grpc}`);
    cleanups.push(() => grpc.close());
    expect(await grpc.get({ key: Buffer.from('greeting') })).toMatchObject({
      found: true,
      value: Buffer.from('hello'),
    });

    // Active expiry removes the key nobody reads again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stats = (await (
      await fetch(`http://127.0.0.1:${node.listening.admin}/v1/stats`)
    ).json()) as {
      items: number;
      evictions: { expired: number };
    };
    expect(stats).toMatchObject({ items: 1, evictions: { expired: 1 } });

    client.disconnect();
    const exit = await node.stop();
    expect(exit).toMatchObject({ code: 0, signal: null });

    const again = await start(['--data-dir', dataDir]);
    const client2 = redis(again);
    await client2.connect();
    expect(await client2.get('greeting')).toBe('hello');
    expect(await client2.get('doomed')).toBeNull();
    expect((await again.stop()).code).toBe(0);
  });

  it('refuses a corrupt data directory with a clear error', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'MLCACHE_FORMAT'), 'not a format marker\n');
    const exit = await runNode([...LOCAL_NODE_ARGS, '--data-dir', dataDir]);
    expect(exit.code).toBe(1);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toContain('mlcache node: cannot start: data directory: ');
    expect(exit.stderr).toContain('(PERSIST_E_FORMAT)');
  });
});
