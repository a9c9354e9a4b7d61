import { describe, expect, it } from 'vitest';
import { entryCharge } from '../../../core/entry-size.ts';
import { CommandHarness } from '../testing/command-harness.ts';

describe('MEMORY', () => {
  it('USAGE answers the bytes the budget is charged for the key, and nil when it is absent', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1 << 20, policy: 'lru' } });
    h.run('SET', 'key', 'x'.repeat(100));
    expect(h.run('MEMORY', 'USAGE', 'key')).toBe(entryCharge(3, 100));
    expect(h.run('MEMORY', 'usage', 'key', 'SAMPLES', '0')).toBe(entryCharge(3, 100));
    expect(h.run('MEMORY', 'USAGE', 'missing')).toBeNull();
    // The figure is the one eviction works with: the store's bytes in use are the sum.
    h.run('SET', 'other', 'y');
    const used =
      (h.run('MEMORY', 'USAGE', 'key') as number) + (h.run('MEMORY', 'USAGE', 'other') as number);
    expect(h.store.stats().bytesUsed).toBe(used);
  });

  it('checks SAMPLES as Redis does, before looking the key up', () => {
    const h = new CommandHarness();
    const syntax = { error: 'ERR syntax error' };
    expect(h.run('MEMORY', 'USAGE', 'missing', 'SAMPLES', '-1')).toEqual(syntax);
    expect(h.run('MEMORY', 'USAGE', 'missing', 'SAMPLES')).toEqual(syntax);
    expect(h.run('MEMORY', 'USAGE', 'missing', 'BOGUS')).toEqual(syntax);
    expect(h.run('MEMORY', 'USAGE', 'missing', 'SAMPLES', 'x')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(h.run('MEMORY', 'USAGE')).toEqual({
      error: "ERR wrong number of arguments for 'memory|usage' command",
    });
    expect((h.run('MEMORY', 'HELP') as string[])[1]).toBe('USAGE <key> [SAMPLES <count>]');
  });
});
