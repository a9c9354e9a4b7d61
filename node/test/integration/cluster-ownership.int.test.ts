/**
 * A cluster node's ring and ownership, with one real node: no ring yet (CLUSTERDOWN), a ring from
 * the watched file, MOVED (RESP) and FAILED_PRECONDITION + trailer (gRPC) for another node's
 * shards, stale and malformed ring files refused while the last good ring stays, PUT /v1/ring,
 * and the load report.
 */
import { status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { serializeRingDocument } from '../../src/cluster/ring-document.ts';
import { createCacheClient } from '../../src/server/grpc/cache-client.ts';
import {
  adminGet,
  applyRing,
  buildRing,
  cleanupsAfterEach,
  keysOf,
  metric,
  putRing,
  redis,
  ringEpoch,
  ringNodeOf,
  shardsOf,
  startClusterNode,
  tempDir,
  waitUntil,
  writeRing,
  writeRingFile,
} from './cluster-nodes.ts';

const cleanups = cleanupsAfterEach();

describe('a cluster node', () => {
  it('serves its shards, answers MOVED for others, and follows its ring file', async () => {
    const dir = tempDir(cleanups, 'ring');
    const ringFile = join(dir, 'ring.json');
    const node = await startClusterNode(cleanups, { id: 'a', ringFile });
    const client = redis(cleanups, node);
    await client.connect();

    // No ring yet: keyed commands are refused, the rest works.
    await expect(client.get('k')).rejects.toThrow(/^CLUSTERDOWN this node has no ring yet/);
    expect(await client.ping()).toBe('PONG');
    expect((await adminGet(node, '/v1/ring')).status).toBe(404);

    const nodes = [ringNodeOf('a', node), ringNodeOf('b', undefined)];
    const ring1 = buildRing({ epoch: 1, nodes });
    await applyRing(ringFile, ring1, [node]);

    const mine = shardsOf(ring1, 'a')[0]!;
    const theirs = shardsOf(ring1, 'b')[0]!;
    const [own] = keysOf(mine, 1) as [string];
    const [foreign] = keysOf(theirs, 1) as [string];
    expect(await client.set(own, 'v')).toBe('OK');
    expect(await client.get(own)).toBe('v');
    await expect(client.get(foreign)).rejects.toThrow(`MOVED ${theirs} 127.0.0.1:1`);
    await expect(client.mget(own, foreign)).rejects.toThrow(`MOVED ${theirs} 127.0.0.1:1`);
    const reserved = Buffer.from('\xff\xffmlcache-cluster\x00r:1', 'latin1');
    await expect(client.get(reserved)).rejects.toThrow(/reserved/);

    // gRPC: the same rule, as FAILED_PRECONDITION with the owner's gRPC address in a trailer.
    const grpc = createCacheClient(`127.0.0.1:${node.listening.grpc}`);
    cleanups.add(() => grpc.close());
    expect((await grpc.get({ key: Buffer.from(own) })).value.toString()).toBe('v');
    const error = (await grpc
      .get({ key: Buffer.from(foreign) })
      .catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.metadata.get('mlcache-moved')).toEqual([`${theirs} 127.0.0.1:1`]);
    expect(await metric(node, 'mlcache_node_moved_total')).toBeGreaterThanOrEqual(3);

    // A stale file and a malformed one are refused; the ring stays at epoch 1.
    writeRing(ringFile, buildRing({ epoch: 0, nodes }));
    await waitUntil(
      'the stale ring was refused',
      async () =>
        (await metric(node, 'mlcache_node_ring_rejected_total', 'reason="stale-epoch"')) === 1,
    );
    writeRingFile(ringFile, '{"schemaVersion": 1, "epoch": 9');
    await waitUntil(
      'the malformed ring was refused',
      async () =>
        (await metric(node, 'mlcache_node_ring_rejected_total', 'reason="malformed"')) === 1,
    );
    expect(await ringEpoch(node)).toBe(1);
    expect(await client.get(own)).toBe('v');
    expect(node.stderr()).toMatch(/ring refused; keeping the last good ring.*stale-epoch/);

    // PUT /v1/ring: applied, then the same epoch with other content is a conflict, junk is 400.
    const ring2 = buildRing({ epoch: 2, nodes });
    expect(await putRing(node, serializeRingDocument(ring2))).toEqual({
      status: 200,
      body: { outcome: 'applied', epoch: 2 },
    });
    const conflicting = buildRing({ epoch: 2, nodes: [ringNodeOf('a', node)] });
    const refused = await putRing(node, serializeRingDocument(conflicting));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'conflict-same-epoch' });
    expect((await putRing(node, 'nonsense')).status).toBe(400);
    expect(await metric(node, 'mlcache_node_ring_epoch')).toBe(2);

    // The load report counts sampled requests per shard and the hot keys.
    for (let i = 0; i < 200; i++) await client.get(own);
    const load = (await adminGet(node, '/v1/load')).body as {
      shards: { shard: number; rate: number; role: string }[];
      hotKeys: { keys: { key: string; count: number }[] };
    };
    expect(load.shards[0]).toMatchObject({ shard: mine, role: 'owned' });
    expect(load.hotKeys.keys[0]?.key).toBe(own);
    expect(
      await metric(node, 'mlcache_node_shard_request_rate', `shard="${mine}"`),
    ).toBeGreaterThan(0);
  });
});
