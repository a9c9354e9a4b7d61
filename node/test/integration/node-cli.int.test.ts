import type { Redis } from 'ioredis';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCacheClient } from '../../src/server/grpc/cache-client.ts';
import { LOCAL_NODE_ARGS, runNode, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';
import { cleanupsAfterEach, tempDir } from './support/cleanups.ts';
import { adminJson, redisClient, startLocalNode } from './support/local-node.ts';
import { scrapeMetrics, series } from './support/metrics.ts';

// The whole node as a process: start on free ports, talk RESP, gRPC and HTTP to it, stop it with
// SIGTERM, start it again on the same data directory and find the data.

const cleanups = cleanupsAfterEach();
const start = (args: readonly string[]): Promise<RunningNode> => startLocalNode(cleanups, args);
const redis = (node: RunningNode): Redis => redisClient(cleanups, node, { lazyConnect: true });

/** The value of one series in Prometheus text, by metric name (labels ignored); NaN when absent. */
const scrape = async (node: RunningNode, name: string): Promise<number> =>
  series(await scrapeMetrics(node), name);

describe('mlcache node', () => {
  it('serves RESP, gRPC and metrics, stops cleanly on SIGTERM and reloads its data', async () => {
    const dataDir = tempDir(cleanups, 'node');
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
    cleanups.add(() => grpc.close());
    expect(await grpc.get({ key: Buffer.from('greeting') })).toMatchObject({
      found: true,
      value: Buffer.from('hello'),
    });

    // Active expiry removes the key nobody reads again.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stats = await adminJson<{ items: number; evictions: { expired: number } }>(
      node,
      '/v1/stats',
    );
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

  // bin/mlcache.js replaces itself (process.execve) with a Node that has the server's heap flag.
  it.runIf(process.platform === 'linux')(
    'runs with the V8 heap flag of a server in the pid it was started as, unless told otherwise',
    async () => {
      const commandLine = (pid: number): string[] =>
        readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      const flagged = await startNode(LOCAL_NODE_ARGS);
      cleanups.add(() => flagged.stop());
      expect(flagged.listening.pid).toBe(flagged.child.pid);
      expect(commandLine(flagged.listening.pid)).toContain('--initial-old-space-size=64');
      expect(flagged.stderr()).toBe('');

      const plain = await startNode(LOCAL_NODE_ARGS, { MLCACHE_V8_FLAGS: '' });
      cleanups.add(() => plain.stop());
      expect(plain.listening.pid).toBe(plain.child.pid);
      expect(commandLine(plain.listening.pid).join(' ')).not.toContain('old-space');
      // SIGTERM reaches the server itself: it stops cleanly.
      expect(await flagged.stop()).toMatchObject({ code: 0, signal: null });
    },
  );

  it('refuses a corrupt data directory with a clear error', async () => {
    const dataDir = tempDir(cleanups, 'node');
    writeFileSync(join(dataDir, 'MLCACHE_FORMAT'), 'not a format marker\n');
    const exit = await runNode([...LOCAL_NODE_ARGS, '--data-dir', dataDir]);
    expect(exit.code).toBe(1);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toContain('mlcache node: cannot start: data directory: ');
    expect(exit.stderr).toContain('(PERSIST_E_FORMAT)');
  });
});
