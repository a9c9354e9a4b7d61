import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('expiry commands', () => {
  it('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL and PTTL', () => {
    const h = new CommandHarness();
    const now = h.clock.now();
    expect(h.run('EXPIRE', 'missing', '10')).toBe(0);
    expect(h.run('TTL', 'missing')).toBe(-2);
    h.run('SET', 'k', 'v');
    expect(h.run('TTL', 'k')).toBe(-1);
    expect(h.run('EXPIRE', 'k', '10')).toBe(1);
    expect(h.run('TTL', 'k')).toBe(10);
    expect(h.run('PEXPIRE', 'k', '2500')).toBe(1);
    expect(h.run('PTTL', 'k')).toBe(2500);
    expect(h.run('TTL', 'k')).toBe(3); // rounded to the nearest second, as Redis
    expect(h.run('EXPIREAT', 'k', String(Math.floor(now / 1000) + 50))).toBe(1);
    expect(h.run('TTL', 'k')).toBe(50);
    expect(h.run('PEXPIREAT', 'k', String(now + 700))).toBe(1);
    expect(h.run('PTTL', 'k')).toBe(700);
    h.clock.advance(700);
    expect(h.run('GET', 'k')).toBeNull();
  });

  it('EXPIRETIME and PEXPIRETIME: the Unix time of the expiry, -1 without one, -2 when absent', () => {
    const h = new CommandHarness();
    const now = h.clock.now();
    expect(h.run('EXPIRETIME', 'missing')).toBe(-2);
    expect(h.run('PEXPIRETIME', 'missing')).toBe(-2);
    h.run('SET', 'k', 'v');
    expect(h.run('EXPIRETIME', 'k')).toBe(-1);
    h.run('PEXPIREAT', 'k', String(now + 10_499));
    expect(h.run('PEXPIRETIME', 'k')).toBe(now + 10_499);
    // Rounded to the nearest second, as Redis does.
    expect(h.run('EXPIRETIME', 'k')).toBe(Math.floor((now + 10_499 + 500) / 1000));
    h.clock.advance(5000);
    expect(h.run('PEXPIRETIME', 'k')).toBe(now + 10_499);
  });

  it('a time in the past deletes the key', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'v');
    expect(h.run('EXPIRE', 'k', '-1')).toBe(1);
    expect(h.run('EXISTS', 'k')).toBe(0);
    h.run('SET', 'k', 'v');
    expect(h.run('EXPIREAT', 'k', '0')).toBe(1);
    expect(h.run('EXISTS', 'k')).toBe(0);
  });

  it('NX, XX, GT and LT', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'v');
    expect(h.run('EXPIRE', 'k', '10', 'XX')).toBe(0);
    expect(h.run('EXPIRE', 'k', '10', 'GT')).toBe(0); // no TTL counts as infinite
    expect(h.run('EXPIRE', 'k', '10', 'LT')).toBe(1);
    expect(h.run('EXPIRE', 'k', '20', 'NX')).toBe(0);
    expect(h.run('EXPIRE', 'k', '20', 'xx', 'gt')).toBe(1);
    expect(h.run('EXPIRE', 'k', '15', 'GT')).toBe(0);
    expect(h.run('EXPIRE', 'k', '30', 'LT')).toBe(0);
    expect(h.run('TTL', 'k')).toBe(20);
  });

  it("refuses bad options with Redis's wording", () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'v');
    expect(h.run('EXPIRE', 'k', '10', 'NX', 'XX')).toEqual({
      error: 'ERR NX and XX, GT or LT options at the same time are not compatible',
    });
    expect(h.run('EXPIRE', 'k', '10', 'GT', 'LT')).toEqual({
      error: 'ERR GT and LT options at the same time are not compatible',
    });
    expect(h.run('EXPIRE', 'k', '10', 'FOO')).toEqual({ error: 'ERR Unsupported option FOO' });
    expect(h.run('EXPIRE', 'k', 'ten')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(h.run('EXPIRE', 'k', '9223372036854775807')).toEqual({
      error: "ERR invalid expire time in 'expire' command",
    });
    expect(h.run('PEXPIRE', 'k', '9223372036854775807')).toEqual({
      error: "ERR invalid expire time in 'pexpire' command",
    });
  });

  it('PERSIST', () => {
    const h = new CommandHarness();
    expect(h.run('PERSIST', 'missing')).toBe(0);
    h.run('SET', 'k', 'v');
    expect(h.run('PERSIST', 'k')).toBe(0);
    h.run('EXPIRE', 'k', '10');
    expect(h.run('PERSIST', 'k')).toBe(1);
    expect(h.run('TTL', 'k')).toBe(-1);
  });
});
