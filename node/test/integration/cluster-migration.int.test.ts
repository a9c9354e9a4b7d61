/**
 * Live shard migration between two real nodes: a moves a few shards to b while clients write to b
 * (overwrites of keys a still holds, deletes, INCR and APPEND on keys not pulled yet, new keys).
 * Afterwards every acknowledged write is on b with its latest value, deletes stay deleted, TTLs
 * are kept, and once the ring says the copies are complete, a drops the shards. A second test
 * stalls the pull to check fault-ins one by one, and a dead source.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { Ring } from '../../src/cluster/ring.ts';
import { completeMigrations } from '../../src/cluster/ring-change.ts';
import { serializeRingDocument } from '../../src/cluster/ring-document.ts';
import { completedMigrations } from '../../src/cluster/migration-completion.ts';
import type { RunningNode } from './start-node.ts';
import type { MigrationRow } from './cluster-nodes.ts';
import {
  adminGet,
  applyRing,
  buildRing,
  cleanupsAfterEach,
  keysOf,
  killNode,
  metric,
  migrationsOfNode,
  putRing,
  redis,
  ringEpoch,
  ringNodeOf,
  shardsOf,
  startClusterNode,
  tempDir,
  waitUntil,
  withShardsMoved,
  writeRing,
} from './cluster-nodes.ts';

const cleanups = cleanupsAfterEach();

async function twoNodes(bRate: string) {
  const ringFile = join(tempDir(cleanups, 'ring'), 'ring.json');
  const [a, b] = await Promise.all([
    startClusterNode(cleanups, { id: 'a', ringFile }),
    startClusterNode(cleanups, { id: 'b', ringFile, migrationRate: bRate }),
  ]);
  const ring1 = buildRing({ epoch: 1, nodes: [ringNodeOf('a', a), ringNodeOf('b', b)] });
  await applyRing(ringFile, ring1, [a, b]);
  const shards = shardsOf(ring1, 'a').slice(0, 3);
  return { ringFile, a, b, ring1, shards };
}

async function moveShards(ringFile: string, ring: Ring, shards: number[], nodes: RunningNode[]) {
  const ring2 = withShardsMoved(ring, shards, 'b');
  await applyRing(ringFile, ring2, nodes);
  return ring2;
}

const value = (key: string, version: string): string => `${key}|${version}|${'x'.repeat(240)}`;

describe('live shard migration', () => {
  it('moves shards under concurrent writes without losing or reverting any', async () => {
    const { ringFile, a, b, ring1, shards } = await twoNodes('300kb');
    const onA = redis(cleanups, a);
    await onA.connect();

    // What a holds: per shard, plain keys (some with a TTL), counters and strings to append to.
    const expected = new Map<string, string | null>();
    const ttlKeys: string[] = [];
    const load = onA.pipeline();
    for (const shard of shards) {
      for (const key of keysOf(shard, 500, 'plain')) {
        const text = value(key, 'a');
        if (ttlKeys.length < 50) {
          load.set(key, text, 'EX', 3600);
          ttlKeys.push(key);
        } else {
          load.set(key, text);
        }
        expected.set(key, text);
      }
      for (const key of keysOf(shard, 30, 'count')) {
        load.set(key, '10');
        expected.set(key, '10');
      }
      for (const key of keysOf(shard, 30, 'text')) {
        load.set(key, 'start');
        expected.set(key, 'start');
      }
    }
    await load.exec();
    const total = expected.size;

    const ring2 = await moveShards(ringFile, ring1, shards, [a, b]);
    // The old owner now redirects its former shards.
    await expect(onA.get(keysOf(shards[0]!, 1, 'plain')[0]!)).rejects.toThrow(
      new RegExp(`^MOVED ${shards[0]} 127\\.0\\.0\\.1:${b.listening.resp}$`),
    );

    // Writers on b while it pulls: each key is written by one client, in order, so the latest
    // acknowledged write of every key is known. Keys are visited newest-inserted first, so most
    // reach b before the pull does.
    const keys = [...expected.keys()].reverse();
    const writers = Array.from({ length: 4 }, async (_, w) => {
      const client = redis(cleanups, b);
      await client.connect();
      for (let i = w; i < keys.length; i += 4) {
        const key = keys[i]!;
        const roll = i % 10;
        if (key.includes(':count:')) {
          const next = await client.incr(key);
          expected.set(key, String(next));
          expect(next).toBe(Number(expected.get(key)));
        } else if (key.includes(':text:')) {
          const length = await client.append(key, '+more');
          expected.set(key, `${expected.get(key)}+more`);
          expect(length).toBe(expected.get(key)!.length);
        } else if (roll === 0) {
          expect(await client.del(key)).toBe(1);
          expected.set(key, null);
        } else if (roll < 4) {
          const text = value(key, `b${i}`);
          expect(await client.set(key, text)).toBe('OK');
          expected.set(key, text);
        }
      }
      for (let i = 0; i < 50; i++) {
        const key = keysOf(shards[w % shards.length]!, 50, `new${w}`)[i]!;
        expect(await client.set(key, value(key, 'new'))).toBe('OK');
        expected.set(key, value(key, 'new'));
      }
    });
    await Promise.all(writers);
    // Commands met keys the pull had not reached yet: the writes overlapped the copy.
    expect(
      await metric(b, 'mlcache_node_migration_fault_ins_total', 'result="found"'),
    ).toBeGreaterThan(0);

    await waitUntil(
      'b finished pulling',
      async () => (await migrationsOfNode(b)).every((m) => m.state === 'done'),
      30_000,
    );
    const report = (await adminGet(b, '/v1/migrations')).body as {
      node: string;
      migrations: MigrationRow[];
    };
    expect(report.migrations).toHaveLength(3);
    const imported = report.migrations.reduce((sum, m) => sum + m.keys, 0);
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThanOrEqual(total);
    expect(await metric(b, 'mlcache_node_migrations_active')).toBe(0);
    expect(await metric(b, 'mlcache_node_migration_keys_total', 'from="a"')).toBe(imported);

    const onB = redis(cleanups, b);
    await onB.connect();
    const wrong: string[] = [];
    for (const [key, want] of expected) {
      const got = await onB.get(key);
      if (got !== want) wrong.push(`${key}: ${JSON.stringify(got)} !== ${JSON.stringify(want)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    for (const key of ttlKeys) {
      if (expected.get(key) !== value(key, 'a')) continue; // rewritten without a TTL
      const ttl = await onB.ttl(key);
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }

    // The orchestrator's step: publish the ring without the finished copies; a drops the shards.
    const done = completedMigrations(ring2, [report]);
    expect(done).toHaveLength(3);
    const ring3 = completeMigrations(ring2, done);
    if (!ring3.ok) throw new Error(ring3.problems.join('\n'));
    writeRing(ringFile, ring3.ring);
    await waitUntil('a dropped the shards', async () => (await onA.dbsize()) === 0);
    expect(await metric(a, 'mlcache_node_migration_dropped_keys_total')).toBe(total);
    expect(await onB.get(keys.at(-1)!)).toBe(expected.get(keys.at(-1)!));
  });

  it('fetches keys the pull has not reached before a command runs on them', async () => {
    // 1 KB/s: after the first burst the pull all but stops, so the last keys stay on a.
    const { a, b, ring1, shards } = await twoNodes('1kb');
    const shard = shards[0]!;
    const onA = redis(cleanups, a);
    await onA.connect();
    const plain = keysOf(shard, 800, 'plain');
    const load = onA.pipeline();
    for (const key of plain) load.set(key, value(key, 'a'));
    const tag = plain[0]!.slice(0, plain[0]!.indexOf('}') + 1);
    load.set(`${tag}:counter`, '41');
    load.set(`${tag}:text`, 'abc');
    load.set(`${tag}:gone`, 'x');
    load.del(`${tag}:gone`);
    await load.exec();

    // Only b is told (PUT /v1/ring): its pull finds a's ring behind and pushes its ring to a.
    const ring2 = withShardsMoved(ring1, [shard], 'b');
    expect((await putRing(b, serializeRingDocument(ring2))).status).toBe(200);
    await waitUntil('a got ring 2 from b', async () => (await ringEpoch(a)) === 2);
    const onB = redis(cleanups, b);
    await onB.connect();
    expect(await onB.incr(`${tag}:counter`)).toBe(42);
    expect(await onB.append(`${tag}:text`, 'def')).toBe(6);
    expect(await onB.get(`${tag}:text`)).toBe('abcdef');
    expect(await onB.get(`${tag}:gone`)).toBeNull();
    expect(await onB.exists(plain.at(-1)!)).toBe(1);
    expect(await onB.set(plain.at(-2)!, 'mine', 'GET')).toBe(value(plain.at(-2)!, 'a'));
    // GETSET answers what the key held, so it is fetched first; SETEX replaces it whatever it
    // held, so it is not (a fetch would count a sixth key found).
    expect(await onB.getset(plain.at(-4)!, 'swapped')).toBe(value(plain.at(-4)!, 'a'));
    expect(await onB.setex(plain.at(-5)!, 100, 'fresh')).toBe('OK');
    expect(await onB.get(plain.at(-5)!)).toBe('fresh');
    // The first pull attempt met a's old ring and is retried; either way it is far from done.
    await waitUntil(
      'the pull runs',
      async () => (await migrationsOfNode(b))[0]!.state === 'pulling',
    );
    const [row] = await migrationsOfNode(b);
    expect(row!.keys).toBeLessThan(plain.length);
    // counter, text, the last key, the one before it and GETSET's were found on a; `gone` on
    // no source.
    expect(await metric(b, 'mlcache_node_migration_fault_ins_total', 'result="found"')).toBe(5);
    expect(await metric(b, 'mlcache_node_migration_fault_ins_total', 'result="absent"')).toBe(1);

    // The source dies: keys it alone holds cannot be answered, and the client is told so.
    await killNode(a);
    await expect(onB.get(plain.at(-3)!)).rejects.toThrow(
      `TRYAGAIN shard ${shard} is migrating and its source is unreachable`,
    );
    // Keys resolved on b are still served.
    expect(await onB.get(plain.at(-2)!)).toBe('mine');
    expect(await onB.get(`${tag}:counter`)).toBe('42');
  });
});
