import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Ring, RingNode } from './ring.ts';
import { completeMigrations, planOverrideChange, planRingChange } from './ring-change.ts';
import type { RingChange } from './ring-change.ts';
import { ownerOf, ownerTable } from './ring-owners.ts';
import { nodeIdArb, ringArb, ringNode, ringOf, stateArb } from './test-rings.ts';

/** A random next node list: some nodes kept (maybe with a new state or weight), some added. */
const nextNodesArb = (ring: Ring): fc.Arbitrary<RingNode[]> =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.boolean(), stateArb, fc.integer({ min: 1, max: 4 })), {
        minLength: ring.nodes.length,
        maxLength: ring.nodes.length,
      }),
      fc.uniqueArray(nodeIdArb, { maxLength: 3 }),
      fc.integer({ min: 1, max: 4 }),
    )
    .map(([fates, added, weight]) => {
      const kept = ring.nodes.flatMap((node, i) => {
        const [keep, state, w] = fates[i]!;
        return keep ? [{ ...node, state, weight: w }] : [];
      });
      const fresh = added
        .filter((id) => !ring.nodes.some((node) => node.id === id))
        .map((id) => ringNode(id, weight, 'joining'));
      return [...kept, ...fresh];
    });

function planned(ring: Ring, nodes: RingNode[]): RingChange | undefined {
  const result = planRingChange(ring, nodes);
  if (!result.ok) {
    // The only invalid outcome of a valid input: no node left to own shards.
    expect(nodes.some((node) => node.state !== 'draining')).toBe(false);
    return undefined;
  }
  return result.change;
}

describe('planRingChange', () => {
  it('lists exactly the owner changes, and a copy for each one whose source remains', () => {
    fc.assert(
      fc.property(
        ringArb().chain((ring) => fc.tuple(fc.constant(ring), nextNodesArb(ring))),
        ([ring, nodes]) => {
          const change = planned(ring, nodes);
          if (change === undefined) return;
          const next = change.ring;
          expect(next.epoch).toBe(ring.epoch + 1);
          const present = new Set(nodes.map((node) => node.id));
          const moved = new Set(change.moves.map((move) => move.shard));
          for (let shard = 0; shard < ring.shardCount; shard++) {
            const [from, to] = [ownerOf(ring, shard), ownerOf(next, shard)];
            expect(moved.has(shard)).toBe(from !== to);
            // Draining nodes own nothing; the moves out of them are listed above.
            expect(nodes.find((node) => node.id === to)!.state).not.toBe('draining');
          }
          for (const move of change.moves) {
            expect(move.from).toBe(ownerOf(ring, move.shard));
            expect(move.to).toBe(ownerOf(next, move.shard));
            const copy = next.migrations.find(
              (m) => m.shard === move.shard && m.from === move.from,
            );
            const lost = change.lost.find((m) => m.shard === move.shard && m.from === move.from);
            if (present.has(move.from))
              expect(copy).toMatchObject({ to: move.to, startedEpoch: next.epoch });
            else expect(lost).toEqual(move);
          }
          // Earlier copies carry over unless their source is the owner again or has left.
          for (const old of ring.migrations) {
            const owner = ownerOf(next, old.shard);
            const carried = next.migrations.find(
              (m) => m.shard === old.shard && m.from === old.from,
            );
            if (owner === old.from) expect(carried).toBeUndefined();
            else if (!present.has(old.from))
              expect(change.lost).toContainEqual({ shard: old.shard, from: old.from, to: owner });
            else expect(carried).toEqual({ ...old, to: owner });
          }
          // Overrides survive only on nodes that still own shards, and never merely restate the hash.
          const table = ownerTable(next);
          for (const [shard, node] of next.overrides) {
            expect(ring.overrides.get(shard)).toBe(node);
            expect(table.nodes[table.hashed[shard]!]!.id).not.toBe(node);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('moves the shards of a draining node to the others and of nobody else', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => ringNode(id));
    const ring = ringOf({ epoch: 10, nodes });
    const result = planRingChange(ring, [...nodes.slice(0, 3), ringNode('d', 1, 'draining')]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { moves, ring: next } = result.change;
    const owned = ownerTable(ring).owners.filter((i) => i === 3).length;
    expect(moves).toHaveLength(owned);
    expect(moves.every((move) => move.from === 'd' && move.to !== 'd')).toBe(true);
    expect(next.migrations).toHaveLength(owned);
    expect(next.migrations.every((m) => m.from === 'd' && m.startedEpoch === 11)).toBe(true);
    // Removing the drained node once its copies are done moves nothing more.
    const done = completeMigrations(next, next.migrations);
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    const removed = planRingChange(done.ring, nodes.slice(0, 3));
    expect(removed.ok && removed.change.moves).toEqual([]);
    expect(removed.ok && removed.change.ring.epoch).toBe(13);
  });

  it('reports the copies of a node that vanished without draining as lost', () => {
    const ring = ringOf({ epoch: 1, shardCount: 64, nodes: [ringNode('a'), ringNode('b')] });
    const result = planRingChange(ring, [ringNode('a')]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.change.lost).toEqual(result.change.moves);
    expect(result.change.ring.migrations).toEqual([]);
  });

  it('refuses an invalid node list with the problems', () => {
    const ring = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('a')] });
    const result = planRingChange(ring, [ringNode('a'), ringNode('a')]);
    expect(result).toEqual({ ok: false, problems: ['nodes[1].id: duplicate node id "a"'] });
  });
});

describe('planOverrideChange', () => {
  it('pins a shard, then returns it, with the copies each way', () => {
    const ring = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('a'), ringNode('b')] });
    const hashed = ownerOf(ring, 0);
    const other = hashed === 'a' ? 'b' : 'a';
    const pinned = planOverrideChange(ring, { set: new Map([[0, other]]) });
    expect(pinned.ok).toBe(true);
    if (!pinned.ok) return;
    expect(pinned.change.moves).toEqual([{ shard: 0, from: hashed, to: other }]);
    expect(pinned.change.ring.migrations).toEqual([
      { shard: 0, from: hashed, to: other, startedEpoch: 2 },
    ]);
    // Returning it before the copy finished: the copy back is from `other` only, since `hashed`
    // holds the older keys already.
    const back = planOverrideChange(pinned.change.ring, { remove: [0] });
    expect(back.ok && back.change.moves).toEqual([{ shard: 0, from: other, to: hashed }]);
    expect(back.ok && back.change.ring.migrations).toEqual([
      { shard: 0, from: other, to: hashed, startedEpoch: 3 },
    ]);
    expect(back.ok && back.change.ring.overrides.size).toBe(0);
  });

  it('drops an override that names the hashed owner, and refuses one that names a stranger', () => {
    const ring = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('a'), ringNode('b')] });
    const same = planOverrideChange(ring, { set: new Map([[0, ownerOf(ring, 0)]]) });
    expect(same.ok && same.change.ring.overrides.size).toBe(0);
    expect(same.ok && same.change.moves).toEqual([]);
    const stranger = planOverrideChange(ring, { set: new Map([[0, 'zed']]) });
    expect(stranger).toEqual({ ok: false, problems: ['overrides["0"]: unknown node "zed"'] });
  });
});

describe('completeMigrations', () => {
  it('removes finished copies and refuses unknown ones', () => {
    const ring = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('a'), ringNode('b')] });
    const change = planRingChange(ring, [
      ringNode('a'),
      ringNode('b'),
      ringNode('c', 1, 'joining'),
    ]);
    expect(change.ok).toBe(true);
    if (!change.ok) return;
    const [first, ...rest] = change.change.ring.migrations;
    const done = completeMigrations(change.change.ring, [first!]);
    expect(done.ok && done.ring.migrations).toEqual(rest);
    expect(completeMigrations(ring, [{ shard: 3, from: 'a' }])).toEqual({
      ok: false,
      problems: ['done[0]: no migration of shard 3 from "a"'],
    });
  });
});
