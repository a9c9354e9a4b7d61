import { describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { createRandom } from '../util/random.ts';
import { Store } from './store.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('Store.randomKey (RANDOMKEY)', () => {
  it('answers undefined when empty, and every key over many draws', () => {
    const store = new Store({ clock: new ManualClock() });
    const random = createRandom(1);
    expect(store.randomKey(random)).toBeUndefined();
    for (let i = 0; i < 10; i++) store.set(`k${i}`, b('v'));
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(store.randomKey(random)!);
    expect([...seen].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
    // Not an access: hits and misses stay as they were.
    expect(store.stats().hits + store.stats().misses).toBe(0);
  });

  it('finds the one key left among many free slots, and never answers an expired key', () => {
    const clock = new ManualClock();
    const store = new Store({ clock });
    const random = createRandom(2);
    for (let i = 0; i < 10_000; i++) store.set(`k${i}`, b('v'));
    for (let i = 0; i < 9_999; i++) if (i !== 4321) store.delete(`k${i}`);
    store.delete('k9999');
    expect(store.randomKey(random)).toBe('k4321');
    store.set('soon', b('v'), { expireAt: clock.now() + 10 });
    store.delete('k4321');
    clock.advance(10);
    expect(store.randomKey(random)).toBeUndefined();
    expect(store.size()).toBe(0);
  });
});
