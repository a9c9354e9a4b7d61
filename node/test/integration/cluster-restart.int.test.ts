/**
 * Restarts in the middle of a migration, with RocksDB (sync durability) under both nodes: the
 * source is SIGKILLed mid-pull and restarted on its data, and serves the pull again; then the new
 * owner is SIGKILLed mid-pull and restarted on its data directory, and resumes the same reception
 * (its tombstones and writes survive: deleted keys stay deleted, newer values stay).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { RunningNode } from './start-node.ts';
import {
  applyRing,
  buildRing,
  cleanupsAfterEach,
  keysOf,
  killNode,
  metric,
  migrationsOfNode,
  redis,
  ringEpoch,
  ringNodeOf,
  shardsOf,
  startClusterNode,
  tempDir,
  waitUntil,
  withShardsMoved,
} from './cluster-nodes.ts';

const cleanups = cleanupsAfterEach();

const value = (key: string, version: string): string => `${key}|${version}|${'x'.repeat(200)}`;

/** The same ports again, so that the ring's addresses stay right across the restart. */
function samePorts(node: RunningNode): string[] {
  const { resp, grpc, admin } = node.listening;
  return ['--port', String(resp), '--grpc-port', String(grpc), '--admin-port', String(admin)];
}

describe('a migration across restarts', () => {
  it('resumes on the new owner and is served again by a restarted source', async () => {
    const ringFile = join(tempDir(cleanups, 'ring'), 'ring.json');
    const dataA = tempDir(cleanups, 'data-a');
    const dataB = tempDir(cleanups, 'data-b');
    const a = await startClusterNode(cleanups, { id: 'a', ringFile, dataDir: dataA });
    const b = await startClusterNode(cleanups, {
      id: 'b',
      ringFile,
      dataDir: dataB,
      migrationRate: '20kb',
    });
    const ring1 = buildRing({ epoch: 1, nodes: [ringNodeOf('a', a), ringNodeOf('b', b)] });
    await applyRing(ringFile, ring1, [a, b]);
    const shard = shardsOf(ring1, 'a')[0]!;

    const keys = keysOf(shard, 1200);
    const expected = new Map<string, string | null>(keys.map((key) => [key, value(key, 'a')]));
    const onA = redis(cleanups, a);
    await onA.connect();
    const load = onA.pipeline();
    for (const key of keys) load.set(key, value(key, 'a'));
    await load.exec();

    await applyRing(ringFile, withShardsMoved(ring1, [shard], 'b'), [a, b]);

    // On b, before the pull gets there: delete the newest keys, overwrite the next ones.
    const onB = redis(cleanups, b);
    await onB.connect();
    for (const key of keys.slice(-40)) {
      expect(await onB.del(key)).toBe(1);
      expected.set(key, null);
    }
    for (const key of keys.slice(-80, -40)) {
      expect(await onB.set(key, value(key, 'b'))).toBe('OK');
      expected.set(key, value(key, 'b'));
    }
    const [before] = await migrationsOfNode(b);
    expect(before!.state).not.toBe('done');
    expect(before!.keys).toBeLessThan(keys.length - 80);
    expect(await metric(b, 'mlcache_node_migration_tombstones')).toBe(40);

    // Both die, the new owner in the middle of its pull.
    onA.disconnect();
    onB.disconnect();
    await killNode(b);
    await killNode(a);

    // The new owner comes back first, on its data directory: its reception resumes (no purge,
    // the same tombstones), and its pull fails while the source is down...
    const b2 = await startClusterNode(cleanups, {
      id: 'b',
      ringFile,
      dataDir: dataB,
      extra: samePorts(b),
    });
    expect(await ringEpoch(b2)).toBe(2);
    expect(await metric(b2, 'mlcache_node_migration_tombstones')).toBe(40);
    await waitUntil('b2 saw the source down', () => b2.stderr().includes('migration pull failed'));
    const [waiting] = await migrationsOfNode(b2);
    expect(waiting!.state).toBe('retrying');

    // ...until the source is back on its RocksDB and serves the pull again.
    await startClusterNode(cleanups, { id: 'a', ringFile, dataDir: dataA, extra: samePorts(a) });
    await waitUntil(
      'b2 finished pulling',
      async () => (await migrationsOfNode(b2)).every((m) => m.state === 'done'),
      40_000,
    );

    const check = redis(cleanups, b2);
    await check.connect();
    const wrong: string[] = [];
    for (const [key, want] of expected) {
      const got = await check.get(key);
      if (got !== want)
        wrong.push(
          `${key}: ${JSON.stringify(got?.slice(0, 40))} !== ${JSON.stringify(want?.slice(0, 40))}`,
        );
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    // Done: the tombstones are no longer needed.
    expect(await metric(b2, 'mlcache_node_migration_tombstones')).toBe(0);
  });
});
