import { describe, expect, it } from 'vitest';
import { ownerOf } from '../cluster/ring-owners.ts';
import { ringNode, ringOf } from '../cluster/test-rings.ts';
import { nextStep, copyKey } from './convergence.ts';
import { movedRing, scaledRing, scaleTargets, settledRing } from './ring-plans.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `node-${i}`);
const ringWith = (n: number, shardCount = 256) =>
  ringOf({ epoch: 1, shardCount, nodes: ids(n).map((id) => ringNode(id)) });

describe('scaleTargets', () => {
  it('adds the lowest free ordinals and removes the highest, like a StatefulSet', () => {
    expect(scaleTargets(ringWith(3), 5)).toEqual({
      ok: true,
      value: { add: ['node-3', 'node-4'], remove: [] },
    });
    const mixed = ringOf({
      epoch: 1,
      shardCount: 256,
      nodes: ['node-0', 'node-2', 'node-10'].map((id) => ringNode(id)),
    });
    expect(scaleTargets(mixed, 4)).toEqual({ ok: true, value: { add: ['node-1'], remove: [] } });
    expect(scaleTargets(mixed, 1)).toEqual({
      ok: true,
      value: { add: [], remove: ['node-2', 'node-10'] },
    });
    expect(scaleTargets(ringWith(2), 0).ok).toBe(false);
  });

  it('does not count nodes already draining', () => {
    const ring = ringOf({
      epoch: 1,
      shardCount: 256,
      nodes: [ringNode('node-0'), ringNode('node-1'), ringNode('node-2', 1, 'draining')],
    });
    expect(scaleTargets(ring, 2)).toEqual({ ok: true, value: { add: [], remove: [] } });
    expect(scaleTargets(ring, 3)).toEqual({ ok: true, value: { add: ['node-3'], remove: [] } });
  });
});

describe('a scale rollout, step by step', () => {
  it('grows: joining nodes get shards, and the settled ring makes them active with no copies', () => {
    const ring = ringWith(3);
    const change = scaledRing(ring, [ringNode('node-3'), ringNode('node-4')], []);
    if (!change.ok) throw new Error(change.error);
    const next = change.value.ring;
    expect(next.epoch).toBe(2);
    expect(next.nodes.filter((n) => n.state === 'joining').map((n) => n.id)).toEqual([
      'node-3',
      'node-4',
    ]);
    expect(change.value.moves.length).toBeGreaterThan(0);
    expect(next.migrations).toHaveLength(change.value.moves.length);
    // Mostly to the newcomers; bounded loads may also shift a few overflow shards between others.
    const toNew = change.value.moves.filter((m) => m.to === 'node-3' || m.to === 'node-4');
    expect(toNew.length / change.value.moves.length).toBeGreaterThan(0.9);

    const members = ['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'gateway'];
    const at = (epoch: number | undefined) => members.map((id) => ({ id, epoch }));
    const none = new Set<string>();
    expect(nextStep({ ring: next, members: at(1), finished: none }).kind).toBe('wait-epoch');
    expect(nextStep({ ring: next, members: at(3), finished: none }).kind).toBe('overtaken');
    expect(nextStep({ ring: next, members: at(2), finished: none })).toEqual({
      kind: 'wait-copies',
      done: 0,
      total: next.migrations.length,
    });
    const all = new Set(next.migrations.map((m) => copyKey(m.shard, m.from)));
    expect(nextStep({ ring: next, members: at(2), finished: all }).kind).toBe('settle');

    const settled = settledRing(next);
    if (!settled.ok) throw new Error(settled.error);
    expect(settled.value.epoch).toBe(4);
    expect(settled.value.migrations).toEqual([]);
    expect(settled.value.nodes.every((n) => n.state === 'active')).toBe(true);
    for (let shard = 0; shard < ring.shardCount; shard++) {
      expect(ownerOf(settled.value, shard)).toBe(ownerOf(next, shard));
    }
    expect(nextStep({ ring: settled.value, members: at(4), finished: none }).kind).toBe(
      'converged',
    );
  });

  it('shrinks: draining nodes own nothing, and leave the ring only when settled', () => {
    const ring = ringWith(5);
    const change = scaledRing(ring, [], ['node-2', 'node-3', 'node-4']);
    if (!change.ok) throw new Error(change.error);
    const next = change.value.ring;
    for (let shard = 0; shard < ring.shardCount; shard++) {
      expect(['node-0', 'node-1']).toContain(ownerOf(next, shard));
    }
    expect(next.nodes).toHaveLength(5);
    const settled = settledRing(next);
    if (!settled.ok) throw new Error(settled.error);
    expect(settled.value.nodes.map((n) => n.id)).toEqual(['node-0', 'node-1']);
  });
});

describe('movedRing', () => {
  it('pins a shard to a node, then sends it home without an override', () => {
    const ring = ringWith(3);
    const home = ownerOf(ring, 7);
    const other = ids(3).find((id) => id !== home)!;
    const there = movedRing(ring, 7, other);
    if (!there.ok) throw new Error(there.error);
    expect(there.value.ring.overrides.get(7)).toBe(other);
    expect(there.value.moves).toEqual([{ shard: 7, from: home, to: other }]);
    const settled = settledRing(there.value.ring);
    if (!settled.ok) throw new Error(settled.error);
    const back = movedRing(settled.value, 7, home);
    if (!back.ok) throw new Error(back.error);
    expect(back.value.ring.overrides.size).toBe(0);
    expect(back.value.moves).toEqual([{ shard: 7, from: other, to: home }]);
  });

  it('refuses a bad shard, an unknown node and a no-op', () => {
    const ring = ringWith(3);
    expect(movedRing(ring, 256, 'node-0').ok).toBe(false);
    expect(movedRing(ring, 1, 'node-9').ok).toBe(false);
    expect(movedRing(ring, 1, ownerOf(ring, 1))).toEqual({
      ok: false,
      error: `shard 1 is already on ${ownerOf(ring, 1)}`,
    });
  });
});
