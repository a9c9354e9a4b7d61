import { describe, expect, it } from 'vitest';
import type { Ring } from '../cluster/ring.ts';
import { completeMigrations, planOverrideChange } from '../cluster/ring-change.ts';
import { ownerOf } from '../cluster/ring-owners.ts';
import { shardOf } from '../cluster/shard-of.ts';
import { ringNode, ringOf } from '../cluster/test-rings.ts';
import { RecordingPersistence } from '../core/recording-persistence.ts';
import { Store } from '../core/store.ts';
import { ManualClock } from '../util/clock.ts';
import { ClusterState, ROLE } from './cluster-state.ts';
import { ReceptionJournal, RestoredEntries } from './reception-journal.ts';
import { isReservedKey, recordKey, tombstoneKey } from './reserved-keys.ts';

const COUNT = 16;
const ring1 = ringOf({ epoch: 1, shardCount: COUNT, nodes: [ringNode('a'), ringNode('b')] });
/** A shard `a` owns in ring1, moved to `b` in ring2. */
const SHARD = [...Array(COUNT).keys()].find((shard) => ownerOf(ring1, shard) === 'a')!;
const ring2 = next(ring1, (r) => planOverrideChange(r, { set: new Map([[SHARD, 'b']]) }));

function next(ring: Ring, change: (ring: Ring) => ReturnType<typeof planOverrideChange>): Ring {
  const result = change(ring);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.change.ring;
}

function keysOf(shard: number, n: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < n; i++) if (shardOf(`k${i}`, COUNT) === shard) keys.push(`k${i}`);
  return keys;
}

/** A node: a store whose removals reach the state, both persisting into one recording. */
function node(id: string, persistence = new RecordingPersistence()) {
  const clock = new ManualClock();
  // The store's hook calls the state, which is built right after it (as main.ts does).
  const store = new Store({
    clock,
    persistence,
    onRemove: (key, reason) => state.onRemoved(key, reason),
  });
  const state = new ClusterState({ nodeId: id, journal: new ReceptionJournal(persistence), clock });
  return { clock, store, state, persistence };
}

/** The node restarted on what its persistence holds (the start-up reload of main.ts). */
function restart(id: string, persistence: RecordingPersistence) {
  const durable = persistence.replay();
  const fresh = new RecordingPersistence();
  for (const entry of durable.values()) fresh.put(entry.key, entry.value, entry.expireAt);
  const restarted = node(id, fresh);
  const restored = new RestoredEntries();
  for (const entry of durable.values()) {
    if (isReservedKey(entry.key)) restored.accept(entry.key, entry.value);
    else {
      restarted.state.noteLoadedKey(entry.key);
      restarted.store.restore(entry.key, entry.value, entry.expireAt);
    }
  }
  restarted.state.restore(restored);
  return restarted;
}

describe('ClusterState on the new owner', () => {
  it('serves a shard migrating in as RECEIVING, and keeps tombstones only for it', () => {
    const b = node('b');
    b.state.applyRing(ring1);
    expect(b.state.roles[SHARD]).toBe(ROLE.FOREIGN);
    const effects = b.state.applyRing(ring2);
    expect(effects).toEqual({ purge: [], drop: [] });
    expect(b.state.roles[SHARD]).toBe(ROLE.RECEIVING);
    const reception = b.state.receptions.get(SHARD)!;
    expect(reception.currentSource()?.from).toBe('a');
    expect(b.persistence.replay().has(recordKey(SHARD))).toBe(true);

    const [key] = keysOf(SHARD, 1) as [string];
    const other = keysOf((SHARD + 1) % COUNT, 1)[0]!;
    b.store.set(key, Buffer.from('v'));
    b.store.set(other, Buffer.from('v'));
    b.store.delete(key);
    b.store.delete(other);
    expect(reception.isTombstoned(key)).toBe(true);
    expect(b.state.isTombstoned(other)).toBe(false);
    const persisted = b.persistence.replay();
    expect(persisted.has(tombstoneKey(key))).toBe(true);
    expect(persisted.has(tombstoneKey(other))).toBe(false);
  });

  it('resumes after a restart with its record and tombstones', () => {
    const b = node('b');
    b.state.applyRing(ring2);
    const [dead, kept] = keysOf(SHARD, 2) as [string, string];
    b.store.set(dead, Buffer.from('x'));
    b.store.delete(dead);
    b.store.set(kept, Buffer.from('y'));

    const again = restart('b', b.persistence);
    const effects = again.state.applyRing(ring2);
    expect(effects.purge).toEqual([]);
    const reception = again.state.receptions.get(SHARD)!;
    expect(again.state.roles[SHARD]).toBe(ROLE.RECEIVING);
    expect(reception.isResolved(dead, again.store.has(dead))).toBe(true);
    expect(reception.isResolved(kept, again.store.has(kept))).toBe(true);
    expect(reception.isResolved('never-seen', false)).toBe(false);
  });

  it('finishes a reception when its sources are done, dropping the tombstones', () => {
    const b = node('b');
    b.state.applyRing(ring2);
    const reception = b.state.receptions.get(SHARD)!;
    const [key] = keysOf(SHARD, 1) as [string];
    b.store.set(key, Buffer.from('x'));
    b.store.delete(key);
    b.state.sourceDone(reception, 'a', true);
    expect(b.state.roles[SHARD]).toBe(ROLE.OWNED);
    expect(b.state.sourceView(SHARD)).toBe('complete');
    const persisted = b.persistence.replay();
    expect(persisted.has(tombstoneKey(key))).toBe(false);
    // The ring without the migration ends it and deletes its record.
    const ring3 = completeMigrations(ring2, [{ shard: SHARD, from: 'a' }]);
    if (!ring3.ok) throw new Error('ring3');
    b.state.applyRing(ring3.ring);
    expect(b.state.receptions.has(SHARD)).toBe(false);
    expect(b.persistence.replay().has(recordKey(SHARD))).toBe(false);
  });

  it('purges leftovers of an earlier ownership before serving a shard that comes back', () => {
    const a = node('a');
    a.state.applyRing(ring1);
    const [key] = keysOf(SHARD, 1) as [string];
    a.store.set(key, Buffer.from('old'));
    a.state.applyRing(ring2); // a is now a source of SHARD
    // The override is removed before b finished: SHARD comes back to a, b is now its source.
    const ring3 = next(ring2, (r) => planOverrideChange(r, { remove: [SHARD] }));
    expect(ring3.migrations).toEqual([
      { shard: SHARD, from: 'b', to: 'a', startedEpoch: ring3.epoch },
    ]);
    const effects = a.state.applyRing(ring3);
    expect(effects.purge).toEqual([SHARD]);
    expect(a.state.roles[SHARD]).toBe(ROLE.PREPARING);
    expect(a.state.shouldRemove(SHARD)).toBe(true);
    expect(a.state.sourceView(SHARD)).toBe('empty');
    a.state.purged(SHARD);
    expect(a.state.roles[SHARD]).toBe(ROLE.RECEIVING);
    expect(a.state.shouldRemove(SHARD)).toBe(false);
  });

  it('needs no purge for a shard it never held', () => {
    const b = node('b');
    expect(b.state.applyRing(ring2).purge).toEqual([]);
  });
});

describe('ClusterState on the old owner', () => {
  it('stays a source while the ring lists it, then drops the shard', () => {
    const a = node('a');
    a.state.applyRing(ring1);
    const [key] = keysOf(SHARD, 1) as [string];
    a.store.set(key, Buffer.from('v'));
    expect(a.state.applyRing(ring2)).toEqual({ purge: [], drop: [] });
    expect(a.state.roles[SHARD]).toBe(ROLE.FOREIGN);
    expect(a.state.isSource(SHARD)).toBe(true);
    expect(a.state.sourceView(SHARD)).toBe('complete');
    expect(a.state.movedError(SHARD)).toBe(`MOVED ${SHARD} b.mlcache:6379`);
    const ring3 = completeMigrations(ring2, [{ shard: SHARD, from: 'a' }]);
    if (!ring3.ok) throw new Error('ring3');
    expect(a.state.applyRing(ring3.ring).drop).toEqual([SHARD]);
    expect(a.state.shouldRemove(SHARD)).toBe(true);
    expect(a.state.sourceView(SHARD)).toBe('empty');
  });

  it('drops after a restart the shards it held keys of and no longer owns', () => {
    const a = node('a');
    a.state.applyRing(ring1);
    const [key] = keysOf(SHARD, 1) as [string];
    a.store.set(key, Buffer.from('v'));
    const again = restart('a', a.persistence);
    const ring3 = completeMigrations(ring2, [{ shard: SHARD, from: 'a' }]);
    if (!ring3.ok) throw new Error('ring3');
    expect(again.state.applyRing(ring3.ring).drop).toEqual([SHARD]);
  });

  it('drops nothing when the ring does not list it', () => {
    const a = node('a');
    a.state.applyRing(ring1);
    a.store.set(keysOf(SHARD, 1)[0]!, Buffer.from('v'));
    const without = ringOf({ epoch: 2, shardCount: COUNT, nodes: [ringNode('b')] });
    expect(a.state.applyRing(without).drop).toEqual([]);
    expect(a.state.roles[SHARD]).toBe(ROLE.FOREIGN);
  });

  it('refuses migration calls from a node with a newer ring or another shard count', () => {
    const a = node('a');
    expect(a.state.checkMigration(2, COUNT)?.reason).toBe('RING_BEHIND');
    a.state.applyRing(ring1);
    expect(a.state.checkMigration(ring2.epoch, COUNT)?.reason).toBe('RING_BEHIND');
    expect(a.state.checkMigration(1, 32)?.reason).toBe('BAD_REQUEST');
    expect(a.state.checkMigration(0, COUNT)?.reason).toBe('BAD_REQUEST');
    a.state.applyRing(ring2);
    expect(a.state.checkMigration(ring2.epoch, COUNT)).toBeUndefined();
  });
});

describe('ClusterState and FLUSHALL', () => {
  it('ends every reception and writes the records again after the clear', () => {
    const b = node('b');
    b.state.applyRing(ring2);
    b.state.flush();
    b.store.clear();
    b.state.afterFlush();
    expect(b.state.roles[SHARD]).toBe(ROLE.OWNED);
    const record = b.persistence.replay().get(recordKey(SHARD));
    expect(record?.value.toString()).toContain('"state":"done"');
  });
});

describe('ClusterState when a shard comes back without a source', () => {
  it('purges what it held, since the owner in between left the ring with newer writes', () => {
    const a = node('a');
    a.state.applyRing(ring1);
    const [key] = keysOf(SHARD, 1) as [string];
    a.store.set(key, Buffer.from('old'));
    a.state.applyRing(ring2);
    // b leaves before its copy finished: the shard is a's again, and b's writes are lost.
    const ring3 = ringOf({ epoch: ring2.epoch + 1, shardCount: COUNT, nodes: [ringNode('a')] });
    expect(a.state.applyRing(ring3).purge).toEqual([SHARD]);
    expect(a.state.roles[SHARD]).toBe(ROLE.PREPARING);
    a.state.purged(SHARD);
    expect(a.state.roles[SHARD]).toBe(ROLE.OWNED);
    // The next ring ends the finished purge-only reception.
    a.state.applyRing(ringOf({ ...ring3, epoch: ring3.epoch + 1 }));
    expect(a.state.receptions.has(SHARD)).toBe(false);
  });

  it('keeps what it held at the first ring after a start (nothing says it is stale)', () => {
    const a = node('a');
    a.state.noteLoadedKey(keysOf(SHARD, 1)[0]!);
    expect(a.state.applyRing(ring1).purge).toEqual([]);
    expect(a.state.roles[SHARD]).toBe(ROLE.OWNED);
  });
});
