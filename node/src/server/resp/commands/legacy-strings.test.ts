import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('SETEX, PSETEX, SETNX and GETSET', () => {
  it('SETEX and PSETEX set the value with a TTL in seconds or ms, replacing any TTL', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'old', 'EX', '5');
    expect(h.run('SETEX', 'k', '10', 'v')).toBe('OK');
    expect(h.run('GET', 'k')).toBe('v');
    expect(h.run('PTTL', 'k')).toBe(10_000);
    expect(h.run('PSETEX', 'p', '1500', 'w')).toBe('OK');
    expect(h.run('PTTL', 'p')).toBe(1500);
    h.clock.advance(1500);
    expect(h.run('GET', 'p')).toBeNull();
    expect(h.run('GET', 'k')).toBe('v');
  });

  it("refuses SETEX's and PSETEX's bad TTLs with Redis's wording, and keeps the key", () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'kept');
    expect(h.run('SETEX', 'k', '0', 'v')).toEqual({
      error: "ERR invalid expire time in 'setex' command",
    });
    expect(h.run('PSETEX', 'k', '-1', 'v')).toEqual({
      error: "ERR invalid expire time in 'psetex' command",
    });
    expect(h.run('SETEX', 'k', 'ten', 'v')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(h.run('SETEX', 'k', '9223372036854775807', 'v')).toEqual({
      error: "ERR invalid expire time in 'setex' command",
    });
    expect(h.run('SETEX', 'k', '10')).toEqual({
      error: "ERR wrong number of arguments for 'setex' command",
    });
    expect(h.run('GET', 'k')).toBe('kept');
    expect(h.run('TTL', 'k')).toBe(-1);
  });

  it('SETNX sets only an absent key and answers 1 or 0', () => {
    const h = new CommandHarness();
    expect(h.run('SETNX', 'k', 'a')).toBe(1);
    expect(h.run('SETNX', 'k', 'b')).toBe(0);
    expect(h.run('GET', 'k')).toBe('a');
  });

  it('GETSET answers the old value (nil for none) and leaves the key without a TTL', () => {
    const h = new CommandHarness();
    expect(h.run('GETSET', 'k', 'a')).toBeNull();
    h.run('EXPIRE', 'k', '100');
    expect(h.run('GETSET', 'k', 'b')).toBe('a');
    expect(h.run('GET', 'k')).toBe('b');
    expect(h.run('TTL', 'k')).toBe(-1);
  });

  it('refuses values over the maximum size without touching the key', () => {
    const h = new CommandHarness({ maxValueSize: 4 });
    const tooLarge = { error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' };
    h.run('SET', 'k', 'v');
    expect(h.run('SETEX', 'k', '10', '12345')).toEqual(tooLarge);
    expect(h.run('PSETEX', 'k', '10', '12345')).toEqual(tooLarge);
    expect(h.run('SETNX', 'n', '12345')).toEqual(tooLarge);
    expect(h.run('GETSET', 'k', '12345')).toEqual(tooLarge);
    expect(h.run('GET', 'k')).toBe('v');
    expect(h.run('TTL', 'k')).toBe(-1);
    expect(h.run('EXISTS', 'n')).toBe(0);
  });

  it('answers OOM when the value cannot fit the memory budget', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1000, policy: 'noeviction' } });
    const oom = { error: "OOM command not allowed when used memory > 'maxmemory'." };
    const big = 'x'.repeat(2000);
    expect(h.run('SETEX', 'k', '10', big)).toEqual(oom);
    expect(h.run('PSETEX', 'k', '10', big)).toEqual(oom);
    expect(h.run('SETNX', 'k', big)).toEqual(oom);
    expect(h.run('GETSET', 'k', big)).toEqual(oom);
    expect(h.run('EXISTS', 'k')).toBe(0);
  });
});
