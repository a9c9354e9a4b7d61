import { describe, expect, it } from 'vitest';
import { planOverrideChange, completeMigrations } from './ring-change.ts';
import { ringNode, ringOf } from './test-rings.ts';
import { ownerOf } from './ring-owners.ts';
import { completedMigrations } from './migration-completion.ts';

function ringWithMigrations() {
  const base = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('a'), ringNode('b')] });
  const shards = [0, 1, 2, 3].filter((shard) => ownerOf(base, shard) === 'a').slice(0, 2);
  const change = planOverrideChange(base, { set: new Map(shards.map((s) => [s, 'b'])) });
  if (!change.ok) throw new Error(change.problems.join('\n'));
  return { ring: change.change.ring, shards };
}

describe('completedMigrations', () => {
  it('finishes the migrations their target reports done, and only those', () => {
    const { ring, shards } = ringWithMigrations();
    const [first, second] = shards as [number, number];
    const entry = (shard: number, state: string) => ({
      shard,
      from: 'a',
      to: 'b',
      startedEpoch: ring.epoch,
      state,
    });
    const done = completedMigrations(ring, [
      { node: 'b', migrations: [entry(first, 'done'), entry(second, 'pulling')] },
    ]);
    expect(done).toEqual([{ shard: first, from: 'a' }]);
    const next = completeMigrations(ring, done);
    expect(next.ok && next.ring.migrations.map((m) => m.shard)).toEqual([second]);
  });

  it('ignores reports from other nodes and about earlier copies of the shard', () => {
    const { ring, shards } = ringWithMigrations();
    const shard = shards[0]!;
    const stale = { shard, from: 'a', to: 'b', startedEpoch: ring.epoch - 1, state: 'done' };
    const elsewhere = { shard, from: 'a', to: 'b', startedEpoch: ring.epoch, state: 'done' };
    expect(
      completedMigrations(ring, [
        { node: 'b', migrations: [stale] },
        { node: 'a', migrations: [elsewhere] },
      ]),
    ).toEqual([]);
  });
});
