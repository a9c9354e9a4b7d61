import { describe, expect, it } from 'vitest';

import { createLfuPolicy } from '../policy/lfu.ts';
import { policyNames } from '../policy/registry.ts';
import { ManualClock } from '../util/clock.ts';
import { ENTRY_OVERHEAD, entryCharge } from './entry-size.ts';
import { RecordingPersistence } from './recording-persistence.ts';
import { Store, type StoreOptions } from './store.ts';
import type { RemovalReason } from './store-types.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

function build(options: Partial<StoreOptions> = {}) {
  const clock = new ManualClock();
  const persistence = new RecordingPersistence();
  const removed: [string, RemovalReason][] = [];
  const store = new Store({
    clock,
    persistence,
    onRemove: (key, reason) => removed.push([key, reason]),
    ...options,
  });
  return { clock, persistence, removed, store };
}

/** A budget that holds exactly `entries` entries of 1-byte keys and `valueLength`-byte values. */
const budgetFor = (entries: number, valueLength: number): number =>
  entries * entryCharge(1, valueLength);

describe('Store basics', () => {
  it('sets, gets, peeks, deletes and counts hits and misses', () => {
    const { store } = build();
    expect(store.set('k', b('v1'))).toEqual({ status: 'OK', previous: undefined });
    expect(store.get('k')).toEqual(b('v1'));
    expect(store.get('nope')).toBeUndefined();
    expect(store.peek('k')).toEqual(b('v1'));
    expect(store.has('k')).toBe(true);
    expect(store.size()).toBe(1);
    expect(store.stats()).toMatchObject({ hits: 1, misses: 1, items: 1, policy: 'lru' });
    expect(store.stats().bytesUsed).toBe(entryCharge(1, 2));
    expect(store.delete('k')).toBe(true);
    expect(store.delete('k')).toBe(false);
    expect(store.has('k')).toBe(false);
    expect(store.stats()).toMatchObject({ items: 0, bytesUsed: 0 });
  });

  it('returns the previous value and honours NX and XX', () => {
    const { store } = build();
    expect(store.set('k', b('a'), { ifPresent: true })).toEqual({
      status: 'NOT_APPLIED',
      previous: undefined,
    });
    expect(store.has('k')).toBe(false);
    expect(store.set('k', b('a'), { ifAbsent: true }).status).toBe('OK');
    expect(store.set('k', b('b'), { ifAbsent: true })).toEqual({
      status: 'NOT_APPLIED',
      previous: b('a'),
    });
    expect(store.set('k', b('c'), { ifPresent: true })).toEqual({ status: 'OK', previous: b('a') });
    expect(store.set('k', b('d'))).toEqual({ status: 'OK', previous: b('c') });
    expect(store.peek('k')).toEqual(b('d'));
  });

  it('keeps, replaces or drops the TTL as SET does', () => {
    const { store, clock } = build();
    const at = clock.now() + 10_000;
    store.set('k', b('1'), { expireAt: at });
    store.set('k', b('2'), { keepTtl: true });
    expect(store.expireAtOf('k')).toBe(at);
    store.set('k', b('3'), { keepTtl: true, expireAt: at + 5 }); // KEEPTTL wins
    expect(store.expireAtOf('k')).toBe(at);
    store.set('k', b('4'));
    expect(store.expireAtOf('k')).toBe(-1);
    store.set('new', b('x'), { keepTtl: true });
    expect(store.expireAtOf('new')).toBe(-1);
    expect(store.expireAtOf('absent')).toBe(-2);
    expect(store.stats().itemsWithTtl).toBe(0);
  });

  it('deletes the key when SET is given an expiry already past', () => {
    const { store, clock, removed } = build();
    store.set('k', b('old'));
    expect(store.set('k', b('new'), { expireAt: clock.now() })).toEqual({
      status: 'OK',
      previous: b('old'),
    });
    expect(store.has('k')).toBe(false);
    expect(removed).toEqual([['k', 'deleted']]);
  });

  it('refuses keys and values over the limits', () => {
    const { store } = build({ maxKeySize: 3, maxValueSize: 4 });
    expect(store.set('long', b('v')).status).toBe('TOO_LARGE');
    expect(store.set('k', b('12345')).status).toBe('TOO_LARGE');
    expect(store.set('k', b('1234')).status).toBe('OK');
    expect(store.append('k', b('5')).status).toBe('TOO_LARGE');
    expect(store.append('long', b('5')).status).toBe('TOO_LARGE');
    expect(store.incrBy('long', 1n).status).toBe('TOO_LARGE');
    expect(store.peek('k')).toEqual(b('1234'));
  });

  it('validates its options', () => {
    const clock = new ManualClock();
    expect(() => new Store({ clock, maxMemory: -1 })).toThrow(RangeError);
    expect(() => new Store({ clock, maxValueSize: 0 })).toThrow(RangeError);
    expect(() => new Store({ clock, maxKeySize: 1.5 })).toThrow(RangeError);
    expect(() => new Store({ clock, policy: 'nope' })).toThrow(/unknown policy "nope"/);
    expect(() => new Store({} as StoreOptions)).toThrow(TypeError);
    expect(new Store({ clock, policy: 'lfu' }).stats().policy).toBe('lfu');
    expect(new Store({ clock, policy: createLfuPolicy }).stats().policy).toBe('lfu');
    expect(() => new Store({ clock }).setExpireAt('k', Number.NaN)).toThrow(RangeError);
  });
});

describe('Store byte budget', () => {
  it('evicts least recently used entries to make room, counting them', () => {
    const { store, removed, persistence } = build({ maxMemory: budgetFor(3, 10) });
    for (const key of ['a', 'b', 'c']) store.set(key, Buffer.alloc(10));
    store.get('a');
    persistence.reset();
    expect(store.set('d', Buffer.alloc(10)).status).toBe('OK');
    expect(removed).toEqual([['b', 'capacity']]);
    expect(persistence.calls.map((c) => c.op)).toEqual(['delete', 'put']);
    expect(store.stats()).toMatchObject({ evictedCapacity: 1, items: 3 });
    expect(store.stats().bytesUsed).toBe(budgetFor(3, 10));
  });

  it('evicts for growth of an existing entry, possibly the entry itself', () => {
    const { store, removed } = build({ maxMemory: budgetFor(2, 10) });
    store.set('a', Buffer.alloc(10));
    store.set('b', Buffer.alloc(10));
    // Growing b by 5 bytes needs room: a (least recently used) goes.
    expect(store.append('b', Buffer.alloc(5))).toEqual({ status: 'OK', value: 15 });
    expect(removed).toEqual([['a', 'capacity']]);
    store.set('c', Buffer.alloc(5));
    // c alone is resident besides b; b is now the LRU and is itself evicted to fit its growth.
    // A value that fills the whole budget alone.
    expect(store.set('b', Buffer.alloc(ENTRY_OVERHEAD + 21)).status).toBe('OK');
    expect(removed.slice(1)).toEqual([
      ['b', 'capacity'],
      ['c', 'capacity'],
    ]);
    expect(store.peek('b')?.length).toBe(ENTRY_OVERHEAD + 21);
    expect(store.stats().bytesUsed).toBe(budgetFor(2, 10));
    expect(store.size()).toBe(1);
  });

  it('answers OOM and changes nothing when one entry exceeds the whole budget', () => {
    const { store, persistence } = build({ maxMemory: budgetFor(2, 10) });
    store.set('a', Buffer.alloc(10));
    persistence.reset();
    expect(store.set('b', Buffer.alloc(budgetFor(2, 10)))).toEqual({
      status: 'OOM',
      previous: undefined,
    });
    expect(store.set('a', Buffer.alloc(budgetFor(2, 10)))).toEqual({
      status: 'OOM',
      previous: Buffer.alloc(10),
    });
    expect(store.peek('a')).toEqual(Buffer.alloc(10));
    expect(persistence.calls).toEqual([]);
    expect(store.stats().evictedCapacity).toBe(0);
  });

  it('answers OOM under noeviction once the budget is full', () => {
    const { store } = build({ maxMemory: budgetFor(2, 10), policy: 'noeviction' });
    store.set('a', Buffer.alloc(10));
    store.set('b', Buffer.alloc(10));
    expect(store.set('c', Buffer.alloc(10)).status).toBe('OOM');
    expect(store.append('a', b('x')).status).toBe('OOM');
    expect(store.incrBy('n', 1n).status).toBe('OOM');
    expect(store.set('a', Buffer.alloc(9)).status).toBe('OK'); // shrinking always fits
    expect(store.size()).toBe(2);
    expect(store.stats().bytesUsed).toBeLessThanOrEqual(budgetFor(2, 10));
  });

  it('shrinks to a smaller budget set at run time', () => {
    const { store } = build({ maxMemory: budgetFor(4, 10) });
    for (const key of ['a', 'b', 'c', 'd']) store.set(key, Buffer.alloc(10));
    expect(store.setMaxMemory(budgetFor(2, 10))).toBe(2);
    expect(store.has('a') || store.has('b')).toBe(false);
    expect(store.stats().bytesCapacity).toBe(budgetFor(2, 10));
    expect(() => store.setMaxMemory(-5)).toThrow(RangeError);
  });

  it('starts every policy without a budget and evicts by it once one is set', () => {
    for (const policy of policyNames().filter((name) => name !== 'noeviction')) {
      const { store } = build({ maxMemory: 0, policy });
      for (let i = 0; i < 100; i++) store.set(`k${i}`, Buffer.alloc(10));
      expect(store.size(), policy).toBe(100);
      const budget = 20 * entryCharge(3, 10);
      expect(store.setMaxMemory(budget), policy).toBeGreaterThanOrEqual(80);
      for (let i = 100; i < 400; i++) store.set(`k${i}`, Buffer.alloc(10));
      expect(store.stats().bytesUsed, policy).toBeLessThanOrEqual(budget);
      expect(store.size(), policy).toBeGreaterThanOrEqual(15);
    }
  });
});

describe('Store persistence', () => {
  it('mirrors writes, deletions and flushes', () => {
    const { store, persistence, clock } = build();
    store.set('a', b('1'));
    store.set('b', b('2'), { expireAt: clock.now() + 100 });
    store.setExpireAt('a', clock.now() + 50);
    store.delete('b');
    expect(persistence.calls).toEqual([
      { op: 'put', key: 'a', value: b('1'), expireAt: 0 },
      { op: 'put', key: 'b', value: b('2'), expireAt: clock.now() + 100 },
      { op: 'put', key: 'a', value: b('1'), expireAt: clock.now() + 50 },
      { op: 'delete', key: 'b' },
    ]);
    store.clear();
    expect(persistence.calls.at(-1)).toEqual({ op: 'clear' });
    expect(persistence.replay().size).toBe(0);
  });

  it('changes a value in place: a write for persistence and WATCH, its TTL and charge kept', () => {
    const { store, persistence, clock } = build();
    store.set('k', b('abc'), { expireAt: clock.now() + 100 });
    const changes: (string | undefined)[] = [];
    store.observeChanges((key) => changes.push(key));
    persistence.reset();
    const used = store.stats().bytesUsed;
    expect(store.update('k', (value) => ((value[1] = 0x42), true))).toBe('OK');
    expect(store.peek('k')).toEqual(b('aBc'));
    expect(store.update('k', () => false)).toBe('NOT_APPLIED');
    expect(store.update('missing', () => true)).toBe('NOT_FOUND');
    expect(persistence.calls).toEqual([
      { op: 'put', key: 'k', value: b('aBc'), expireAt: clock.now() + 100 },
    ]);
    expect(changes).toEqual(['k']);
    expect(store.stats().bytesUsed).toBe(used);
    persistence.writable = false;
    expect(store.update('k', () => true)).toBe('PERSISTENCE_FAILED');
  });

  it('refuses writes with PERSISTENCE_FAILED while persistence is not writable', () => {
    const { store, persistence } = build();
    store.set('k', b('1'));
    persistence.writable = false;
    persistence.reset();
    expect(store.writable).toBe(false);
    expect(store.set('k', b('2'))).toEqual({ status: 'PERSISTENCE_FAILED', previous: undefined });
    expect(store.incrBy('k', 1n)).toEqual({ status: 'PERSISTENCE_FAILED' });
    expect(store.append('k', b('x'))).toEqual({ status: 'PERSISTENCE_FAILED' });
    expect(store.peek('k')).toEqual(b('1'));
    expect(persistence.calls).toEqual([]);
    persistence.writable = true;
    expect(store.incrBy('k', 1n)).toEqual({ status: 'OK', value: 2 });
  });

  it('delegates durable() to the persistence barrier', async () => {
    const { store, persistence } = build();
    expect(store.durable()).toBeUndefined();
    persistence.pendingBarrier = Promise.resolve();
    await expect(store.durable()).resolves.toBeUndefined();
  });

  it('restores entries without echoing them, skipping expired ones and honouring the budget', () => {
    const { store, persistence, clock } = build({ maxMemory: budgetFor(2, 1) });
    expect(store.restore('a', b('1'), 0)).toBe(true);
    expect(store.restore('old', b('1'), clock.now() - 1)).toBe(false);
    expect(store.restore('b', b('2'), clock.now() + 1000)).toBe(true);
    expect(persistence.calls).toEqual([]);
    expect(store.restore('c', b('3'), 0)).toBe(true); // evicts a, which persistence must forget
    expect(persistence.calls).toEqual([{ op: 'delete', key: 'a' }]);
    expect(store.restore('huge', Buffer.alloc(budgetFor(3, 1)), 0)).toBe(false);
    expect(store.expireAtOf('b')).toBe(clock.now() + 1000);
    expect(store.size()).toBe(2);
  });
});

describe('Store flush, hooks and stats', () => {
  it('clears everything and reports each key as flushed', () => {
    const { store, removed, clock } = build({ maxMemory: budgetFor(10, 1) });
    store.set('a', b('1'), { expireAt: clock.now() + 10 });
    store.set('b', b('2'));
    store.clear();
    expect(removed).toEqual([
      ['a', 'flushed'],
      ['b', 'flushed'],
    ]);
    expect(store.stats()).toMatchObject({ items: 0, itemsWithTtl: 0, bytesUsed: 0 });
    expect(store.get('a')).toBeUndefined();
    clock.advance(20);
    expect(store.expireStep(10)).toBe(0);
    store.set('c', b('3'));
    expect(store.get('c')).toEqual(b('3'));
  });

  it('reuses freed slots', () => {
    const { store } = build();
    for (let i = 0; i < 100; i++) store.set(`k${i}`, b('v'));
    for (let i = 0; i < 100; i++) store.delete(`k${i}`);
    for (let i = 0; i < 100; i++) store.set(`n${i}`, b('v'));
    // All new keys live in the 100 old slots: one page of a 100-slot scan covers them all.
    const page = store.scan(0, 100);
    expect(page.cursor).toBe(0);
    expect(page.keys).toHaveLength(100);
  });
});

describe('Store change observer (WATCH)', () => {
  it('reports every key that changes, by any path, and a flush; nothing once stopped', () => {
    const clock = new ManualClock();
    const store = new Store({ clock, maxMemory: 4 * entryCharge(1, 2), policy: 'lru' });
    const changed: (string | undefined)[] = [];
    store.observeChanges((key) => changed.push(key));
    store.set('a', Buffer.from('1'));
    store.setFrom(Buffer.from('b'), 0, 1, Buffer.from('2'), 0, 1);
    store.set('a', Buffer.from('x'), { ifAbsent: true }); // changes nothing
    store.incrBy('c', 1n);
    store.append('c', Buffer.from('0'));
    store.setExpireAt('b', clock.now() + 1000);
    store.set('d', Buffer.from('4'));
    store.set('g', Buffer.from('5')); // over the budget: evicts the least recently used, a
    store.delete('c');
    store.restore('e', Buffer.from('6'), 0);
    clock.advance(1000);
    expect(store.has('b')).toBe(false); // expired, removed when looked up
    store.clear();
    expect(changed).toEqual(['a', 'b', 'c', 'c', 'b', 'd', 'a', 'g', 'c', 'e', 'b', undefined]);
    store.observeChanges(undefined);
    store.set('f', Buffer.from('7'));
    expect(changed).toHaveLength(12);
  });
});
