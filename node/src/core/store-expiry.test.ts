import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { RecordingPersistence } from './recording-persistence.ts';
import { Store } from './store.ts';
import type { RemovalReason } from './store-types.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

function build() {
  const clock = new ManualClock();
  const persistence = new RecordingPersistence();
  const removed: [string, RemovalReason][] = [];
  const store = new Store({
    clock,
    persistence,
    onRemove: (key, reason) => removed.push([key, reason]),
  });
  return { clock, persistence, removed, store };
}

describe('Store TTL', () => {
  it('hides an expired key from every method (lazy expiry) and counts it once', () => {
    const { store, clock, persistence, removed } = build();
    const lookups: ((key: string) => unknown)[] = [
      (k) => store.get(k),
      (k) => store.peek(k),
      (k) => store.has(k),
      (k) => store.expireAtOf(k),
      (k) => store.delete(k),
      (k) => store.setExpireAt(k, clock.now() + 1000),
    ];
    const absent = [undefined, undefined, false, -2, false, false];
    lookups.forEach((lookup, i) => {
      const key = `k${i}`;
      store.set(key, b('v'), { expireAt: clock.now() + 10 });
      clock.advance(9);
      expect(lookup(key)).not.toEqual(absent[i]);
      store.set(key, b('v'), { expireAt: clock.now() + 10 });
      clock.advance(10); // expireAt <= now: gone
      expect(lookup(key)).toEqual(absent[i]);
      expect(removed.at(-1)).toEqual([key, 'expired']);
      expect(persistence.calls.at(-1)).toEqual({ op: 'delete', key });
    });
    expect(store.stats()).toMatchObject({ evictedExpired: 6, items: 0, itemsWithTtl: 0 });
    expect(store.scan(0, 100).keys).toEqual([]);
  });

  it('treats an expired key as absent for SET NX, INCR and APPEND', () => {
    const { store, clock } = build();
    for (const key of ['nx', 'n', 's']) store.set(key, b('5'), { expireAt: clock.now() + 1 });
    clock.advance(1);
    expect(store.set('nx', b('x'), { ifAbsent: true })).toEqual({
      status: 'OK',
      previous: undefined,
    });
    expect(store.incrBy('n', 1n)).toEqual({ status: 'OK', value: 1 });
    expect(store.expireAtOf('n')).toBe(-1);
    expect(store.append('s', b('ab'))).toEqual({ status: 'OK', value: 2 });
    expect(store.peek('s')).toEqual(b('ab'));
  });

  it('expires actively in bounded steps, earliest first, without lookups', () => {
    const { store, clock, removed } = build();
    const now = clock.now();
    store.set('late', b('v'), { expireAt: now + 300 });
    store.set('early', b('v'), { expireAt: now + 100 });
    store.set('mid', b('v'), { expireAt: now + 200 });
    store.set('never', b('v'));
    store.set('moved', b('v'), { expireAt: now + 50 });
    store.setExpireAt('moved', now + 1000); // the old time must not expire it
    expect(store.expireStep(10)).toBe(0);
    clock.advance(250);
    expect(store.expireStep(1)).toBe(1);
    expect(store.expireStep(10)).toBe(1);
    expect(removed).toEqual([
      ['early', 'expired'],
      ['mid', 'expired'],
    ]);
    expect(store.size()).toBe(3);
    expect(store.stats().itemsWithTtl).toBe(2);
    clock.advance(10_000);
    expect(store.expireStep(10)).toBe(2);
    expect(store.stats()).toMatchObject({ items: 1, itemsWithTtl: 0, evictedExpired: 4 });
  });

  it('sets, clears and moves expiries; a past time deletes the key', () => {
    const { store, clock, removed, persistence } = build();
    store.set('k', b('v'));
    expect(store.setExpireAt('k', clock.now() + 100)).toBe(true);
    expect(store.expireAtOf('k')).toBe(clock.now() + 100);
    expect(store.setExpireAt('k', 0)).toBe(true);
    expect(store.expireAtOf('k')).toBe(-1);
    expect(persistence.calls.at(-1)).toEqual({ op: 'put', key: 'k', value: b('v'), expireAt: 0 });
    expect(store.stats().itemsWithTtl).toBe(0);
    expect(store.setExpireAt('absent', clock.now() + 100)).toBe(false);
    expect(store.setExpireAt('k', clock.now() - 1)).toBe(true);
    expect(store.has('k')).toBe(false);
    expect(removed).toEqual([['k', 'deleted']]);
    expect(store.stats().evictedExpired).toBe(0);
  });

  it('keeps the TTL through INCR and APPEND', () => {
    const { store, clock } = build();
    const at = clock.now() + 500;
    store.set('n', b('41'), { expireAt: at });
    store.set('s', b('ab'), { expireAt: at });
    expect(store.incrBy('n', 1n)).toEqual({ status: 'OK', value: 42 });
    expect(store.append('s', b('c'))).toEqual({ status: 'OK', value: 3 });
    expect(store.expireAtOf('n')).toBe(at);
    expect(store.expireAtOf('s')).toBe(at);
    clock.advance(500);
    expect(store.expireStep(10)).toBe(2);
  });
});
