import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('PFADD, PFCOUNT and PFMERGE', () => {
  it('count distinct elements, cache the count in the value, and merge into a key', () => {
    const h = new CommandHarness();
    expect(h.run('PFADD', 'a', 'x', 'y', 'z')).toBe(1);
    expect(h.run('PFADD', 'a', 'x')).toBe(0);
    expect(h.run('PFADD', 'b', 'z', 'w')).toBe(1);
    const before = h.run('GET', 'a') as string;
    expect(h.run('PFCOUNT', 'a')).toBe(3);
    // The count is cached in the value's header: the value changed, its registers did not.
    const after = h.run('GET', 'a') as string;
    expect(after).not.toBe(before);
    expect(after.slice(16)).toBe(before.slice(16));
    expect(h.run('PFCOUNT', 'a', 'b', 'missing')).toBe(4);
    h.run('EXPIRE', 'a', '100');
    expect(h.run('PFMERGE', 'a', 'b')).toBe('OK');
    expect(h.run('PFCOUNT', 'a')).toBe(4);
    expect(h.run('TTL', 'a')).toBe(100);
    expect(h.run('PFCOUNT', 'missing')).toBe(0);
  });

  it('answers WRONGTYPE for a string that is not a HyperLogLog, and changes nothing', () => {
    const h = new CommandHarness();
    h.run('SET', 's', 'hello');
    const wrongType = { error: 'WRONGTYPE Key is not a valid HyperLogLog string value.' };
    expect(h.run('PFADD', 's', 'x')).toEqual(wrongType);
    expect(h.run('PFCOUNT', 's')).toEqual(wrongType);
    expect(h.run('PFMERGE', 'd', 's')).toEqual(wrongType);
    expect(h.run('GET', 's')).toBe('hello');
    expect(h.run('EXISTS', 'd')).toBe(0);
  });
});
