import { describe, expect, it } from 'vitest';
import type { Store } from '../../../core/store.ts';
import { CommandHarness } from '../testing/command-harness.ts';
import { encodingOf } from './object.ts';

const NO_FREQUENCY = {
  error:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that ' +
    'when switching between policies at runtime LRU and LFU data will take some time to adjust.',
};

describe('OBJECT', () => {
  it('FREQ answers the LFU count of the key, and asking it is not an access', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1 << 20, policy: 'lfu' } });
    h.run('SET', 'k', 'v');
    h.run('GET', 'k');
    h.run('GET', 'k');
    h.run('SET', 'cold', 'v');
    expect(h.run('OBJECT', 'FREQ', 'k')).toBe(3);
    expect(h.run('OBJECT', 'freq', 'k')).toBe(3);
    expect(h.run('OBJECT', 'FREQ', 'cold')).toBe(1);
    expect(h.run('OBJECT', 'FREQ', 'missing')).toBeNull();
  });

  it("FREQ is refused with Redis's words where the policy keeps no count", () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1 << 20, policy: 'lru' } });
    h.run('SET', 'k', 'v');
    expect(h.run('OBJECT', 'FREQ', 'k')).toEqual(NO_FREQUENCY);
    expect(h.run('OBJECT', 'FREQ', 'missing')).toBeNull();
  });

  it('ENCODING: int, embstr or raw, as Redis would hold the value', () => {
    const h = new CommandHarness();
    h.run('MSET', 'i', '123', 'neg', '-5', 's', 'x'.repeat(44), 'r', 'x'.repeat(45));
    expect(h.run('OBJECT', 'ENCODING', 'i')).toBe('int');
    expect(h.run('OBJECT', 'ENCODING', 'neg')).toBe('int');
    expect(h.run('OBJECT', 'ENCODING', 's')).toBe('embstr');
    expect(h.run('OBJECT', 'ENCODING', 'r')).toBe('raw');
    expect(h.run('OBJECT', 'ENCODING', 'missing')).toBeNull();
    const of = (text: string): string => encodingOf(Buffer.from(text, 'latin1'));
    expect(['0', '9223372036854775807', '-9223372036854775808'].map(of)).toEqual([
      'int',
      'int',
      'int',
    ]);
    for (const text of ['', '-', '-0', '007', '+5', ' 1', '1.5', '9223372036854775808'])
      expect(of(text), text).toBe('embstr');
  });

  it('REFCOUNT: shared small integers only where Redis shares them (no budget, or noeviction)', () => {
    const shared = new CommandHarness();
    shared.run('MSET', 'small', '123', 'large', '10000', 'text', 'abc');
    expect(shared.run('OBJECT', 'REFCOUNT', 'small')).toBe(2147483647);
    expect(shared.run('OBJECT', 'REFCOUNT', 'large')).toBe(1);
    expect(shared.run('OBJECT', 'REFCOUNT', 'text')).toBe(1);
    expect(shared.run('OBJECT', 'REFCOUNT', 'missing')).toBeNull();
    const evicting = new CommandHarness({ storeOptions: { maxMemory: 1 << 20, policy: 'lfu' } });
    evicting.run('SET', 'small', '123');
    expect(evicting.run('OBJECT', 'REFCOUNT', 'small')).toBe(1);
  });

  it('IDLETIME: seconds since the last read or write, on the clock the node ticks; not an access', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1 << 20, policy: 'lfu' } });
    const store = h.store as Store;
    h.run('SET', 'k', 'v');
    h.run('SET', 'other', 'v');
    // The node's background timer ticks the coarse clock every 100 ms; IDLETIME reads it, and
    // an access stamps its second.
    const later = (ms: number): void => {
      h.clock.advance(ms);
      store.tick(h.clock.monotonic());
    };
    later(5_000);
    expect(h.run('OBJECT', 'IDLETIME', 'k')).toBe(5);
    h.run('GET', 'k');
    // Until the clock is ticked, now is where the last tick left it.
    h.clock.advance(2_000);
    expect(h.run('OBJECT', 'IDLETIME', 'k')).toBe(0);
    later(0);
    expect(h.run('OBJECT', 'IDLETIME', 'k')).toBe(2);
    expect(h.run('OBJECT', 'IDLETIME', 'k')).toBe(2);
    expect(h.run('OBJECT', 'IDLETIME', 'other')).toBe(7);
    h.run('SET', 'other', 'w');
    expect(h.run('OBJECT', 'IDLETIME', 'other')).toBe(0);
    expect(h.run('OBJECT', 'IDLETIME', 'missing')).toBeNull();
  });

  it('HELP, arity and unknown subcommands', () => {
    const h = new CommandHarness();
    const help = h.run('OBJECT', 'HELP') as string[];
    expect(help[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('FREQ <key>');
    expect(h.run('OBJECT', 'FREQ')).toEqual({
      error: "ERR wrong number of arguments for 'object|freq' command",
    });
    expect(h.run('OBJECT', 'NOPE', 'k')).toEqual({
      error: "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.",
    });
    expect(h.run('COMMAND', 'GETKEYS', 'OBJECT', 'FREQ', 'k')).toEqual(['k']);
  });
});
