import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { INT64_MAX, INT64_MIN } from './redis-integer.ts';
import { Store } from './store.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const build = (): Store => new Store({ clock: new ManualClock() });

describe('Store INCRBY', () => {
  it('starts absent keys at 0 and stores decimal ASCII', () => {
    const store = build();
    expect(store.incrBy('n', 5n)).toEqual({ status: 'OK', value: 5 });
    expect(store.incrBy('n', -7n)).toEqual({ status: 'OK', value: -2 });
    expect(store.peek('n')).toEqual(b('-2'));
    store.set('z', b('0'));
    expect(store.incrBy('z', 0n)).toEqual({ status: 'OK', value: 0 });
    expect(store.peek('z')).toEqual(b('0'));
  });

  it('rejects values Redis does not read as integers', () => {
    const store = build();
    for (const text of ['', ' 1', '1 ', '+1', '01', '-0', '-', '1.5', 'abc', '1e3', '00']) {
      store.set('k', b(text));
      expect(store.incrBy('k', 1n), JSON.stringify(text)).toEqual({ status: 'NOT_INTEGER' });
      expect(store.peek('k')).toEqual(b(text));
    }
    store.set('k', b('9223372036854775808')); // INT64_MAX + 1
    expect(store.incrBy('k', -1n)).toEqual({ status: 'NOT_INTEGER' });
    store.set('k', b('-9223372036854775809'));
    expect(store.incrBy('k', 1n)).toEqual({ status: 'NOT_INTEGER' });
    store.set('k', b('1'));
    expect(store.incrBy('k', INT64_MAX + 1n)).toEqual({ status: 'NOT_INTEGER' });
  });

  it('works across the whole 64-bit range and reports overflow at its ends', () => {
    const store = build();
    store.set('k', b('9223372036854775806'));
    expect(store.incrBy('k', 1n)).toEqual({ status: 'OK', value: INT64_MAX });
    expect(store.incrBy('k', 1n)).toEqual({ status: 'OVERFLOW' });
    expect(store.peek('k')).toEqual(b('9223372036854775807'));
    store.set('k', b('-9223372036854775807'));
    expect(store.incrBy('k', -1n)).toEqual({ status: 'OK', value: INT64_MIN });
    expect(store.peek('k')).toEqual(b('-9223372036854775808'));
    expect(store.incrBy('k', -1n)).toEqual({ status: 'OVERFLOW' });
    expect(store.incrBy('k', INT64_MAX)).toEqual({ status: 'OK', value: -1 });
    store.set('k', b('9007199254740991')); // 2^53 - 1: beyond the 15-digit fast path
    const result = store.incrBy('k', 2n);
    expect(result.status === 'OK' && BigInt(result.value)).toBe(9007199254740993n);
    expect(store.peek('k')).toEqual(b('9007199254740993'));
  });
});

describe('Store APPEND', () => {
  it('creates, extends and returns the new length without touching the old buffer', () => {
    const store = build();
    expect(store.append('s', b('ab'))).toEqual({ status: 'OK', value: 2 });
    const before = store.peek('s')!;
    expect(store.append('s', b('cd'))).toEqual({ status: 'OK', value: 4 });
    expect(store.peek('s')).toEqual(b('abcd'));
    expect(before).toEqual(b('ab'));
    expect(store.append('s', b(''))).toEqual({ status: 'OK', value: 4 });
  });
});
