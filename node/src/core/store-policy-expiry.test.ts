import { describe, expect, it } from 'vitest';

import type { EvictionPolicy } from '../policy/eviction-policy.ts';
import { createLruPolicy } from '../policy/lru.ts';
import { ManualClock } from '../util/clock.ts';
import { Store } from './store.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

/** An LRU that records every call the store makes, `setExpiry` included, in order. */
function recordingPolicy(): { policy: EvictionPolicy; calls: string[] } {
  const lru = createLruPolicy({ capacity: 0 });
  const calls: string[] = [];
  const policy: EvictionPolicy = {
    name: 'recording',
    onMiss: (keyId) => lru.onMiss(keyId),
    onInsert: (slot, keyId, size) => (
      calls.push(`insert ${slot}`),
      lru.onInsert(slot, keyId, size)
    ),
    onAccess: (slot) => lru.onAccess(slot),
    onUpdate: (slot, size) => (calls.push(`update ${slot}`), lru.onUpdate(slot, size)),
    onRemove: (slot) => (calls.push(`remove ${slot}`), lru.onRemove(slot)),
    evict: () => lru.evict(),
    candidates: (out, max) => lru.candidates(out, max),
    setExpiry: (slot, at) => calls.push(`expiry ${slot} ${at}`),
    clear: () => lru.clear(),
  };
  return { policy, calls };
}

describe('Store → policy.setExpiry', () => {
  it('reports expiries after inserts and updates, and every TTL change (0 = none)', () => {
    const clock = new ManualClock(1_000_000);
    const { policy, calls } = recordingPolicy();
    const store = new Store({ clock, policy });
    const at = 1_000_000 + 60_000;

    store.set('plain', b('v'));
    expect(calls).toEqual(['insert 0']); // no TTL: nothing to report

    calls.length = 0;
    store.set('ttl', b('v'), { expireAt: at }); // SET EX
    expect(calls).toEqual(['insert 1', `expiry 1 ${at}`]);

    calls.length = 0;
    store.set('ttl', b('w'), { keepTtl: true }); // SET KEEPTTL: still has an expiry
    expect(calls).toEqual(['update 1', `expiry 1 ${at}`]);

    calls.length = 0;
    store.set('ttl', b('x')); // a plain SET clears the TTL
    expect(calls).toEqual(['update 1', 'expiry 1 0']);

    calls.length = 0;
    store.set('plain', b('y')); // no TTL before or after: nothing
    expect(calls).toEqual(['update 0']);

    calls.length = 0;
    expect(store.setExpireAt('plain', at + 1)).toBe(true); // EXPIRE / PEXPIRE
    expect(store.setExpireAt('plain', at + 1)).toBe(true); // unchanged: not reported again
    expect(store.setExpireAt('plain', 0)).toBe(true); // PERSIST
    expect(calls).toEqual([`expiry 0 ${at + 1}`, 'expiry 0 0']);

    calls.length = 0;
    store.setExpireAt('plain', at);
    expect(store.incrBy('n', 1n).status).toBe('OK');
    store.setExpireAt('n', at);
    expect(store.incrBy('n', 1n).status).toBe('OK'); // INCR keeps the TTL
    expect(calls).toEqual([
      `expiry 0 ${at}`,
      'insert 2',
      `expiry 2 ${at}`,
      'update 2',
      `expiry 2 ${at}`,
    ]);
  });

  it('leaves policies without setExpiry alone', () => {
    const clock = new ManualClock();
    const store = new Store({ clock, policy: 'lru' });
    expect(store.set('k', b('v'), { expireAt: clock.now() + 1000 }).status).toBe('OK');
    expect(store.setExpireAt('k', 0)).toBe(true);
    expect(store.expireAtOf('k')).toBe(-1);
  });

  it('takes a policy instance built by the caller (the composition root builds ML policies)', () => {
    const { policy } = recordingPolicy();
    const store = new Store({ clock: new ManualClock(), policy });
    expect(store.policy).toBe(policy);
    expect(store.stats().policy).toBe('recording');
  });
});
