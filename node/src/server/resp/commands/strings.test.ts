import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('string commands', () => {
  it('GET and SET', () => {
    const h = new CommandHarness();
    expect(h.run('GET', 'k')).toBeNull();
    expect(h.wire('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(h.wire('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(h.run('set', 'k', Buffer.from([0, 255, 13, 10]))).toBe('OK');
    expect(h.run('GET', 'k')).toBe('\x00\xff\r\n');
  });

  it('copies the value out of the request buffer', () => {
    const h = new CommandHarness();
    const value = Buffer.from('original');
    h.run('SET', 'k', value);
    value.write('XXXXXXXX');
    expect(h.run('GET', 'k')).toBe('original');
  });

  it('SET NX, XX and GET', () => {
    const h = new CommandHarness();
    expect(h.run('SET', 'k', 'a', 'XX')).toBeNull();
    expect(h.run('SET', 'k', 'a', 'NX')).toBe('OK');
    expect(h.run('SET', 'k', 'b', 'NX')).toBeNull();
    expect(h.run('SET', 'k', 'c', 'xx', 'get')).toBe('a');
    expect(h.run('SET', 'k', 'd', 'NX', 'GET')).toBe('c');
    expect(h.run('GET', 'k')).toBe('c');
    expect(h.run('SET', 'new', 'v', 'GET')).toBeNull();
    expect(h.run('SET', 'k', 'v', 'NX', 'NX')).toBeNull();
  });

  it('SET EX, PX, EXAT, PXAT and KEEPTTL', () => {
    const h = new CommandHarness();
    const now = h.clock.now();
    h.run('SET', 'a', 'v', 'EX', '10');
    expect(h.run('PTTL', 'a')).toBe(10_000);
    h.run('SET', 'b', 'v', 'px', '1500');
    expect(h.run('PTTL', 'b')).toBe(1500);
    h.run('SET', 'c', 'v', 'EXAT', String(Math.floor(now / 1000) + 100));
    expect(h.run('TTL', 'c')).toBe(100);
    h.run('SET', 'd', 'v', 'PXAT', String(now + 2500));
    expect(h.run('PTTL', 'd')).toBe(2500);
    h.run('SET', 'a', 'w', 'KEEPTTL');
    expect(h.run('PTTL', 'a')).toBe(10_000);
    h.run('SET', 'a', 'x');
    expect(h.run('PTTL', 'a')).toBe(-1);
    h.clock.advance(1500);
    expect(h.run('GET', 'b')).toBeNull();
    expect(h.run('SET', 'e', 'v', 'PXAT', String(now - 1))).toBe('OK');
    expect(h.run('EXISTS', 'e')).toBe(0);
  });

  it("refuses SET's syntax errors and invalid expiry times with Redis's wording", () => {
    const h = new CommandHarness();
    const syntax = { error: 'ERR syntax error' };
    expect(h.run('SET', 'k', 'v', 'NX', 'XX')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'EX')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'EX', '1', 'PX', '1')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'EX', '1', 'KEEPTTL')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'KEEPTTL', 'EX', '1')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'FOO')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'PERSIST')).toEqual(syntax);
    expect(h.run('SET', 'k', 'v', 'EX', 'ten')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(h.run('SET', 'k', 'v', 'EX', '0')).toEqual({
      error: "ERR invalid expire time in 'set' command",
    });
    expect(h.run('SET', 'k', 'v', 'PX', '-5')).toEqual({
      error: "ERR invalid expire time in 'set' command",
    });
    expect(h.run('SET', 'k', 'v', 'EX', '9223372036854776')).toEqual({
      error: "ERR invalid expire time in 'set' command",
    });
    expect(h.run('SET', 'k', 'v', 'EX', '1', 'EX', '2')).toBe('OK');
    expect(h.run('SET', 'k')).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    expect(h.run('EXISTS', 'k')).toBe(1);
  });

  it('refuses values over the maximum size and keeps the connection usable', () => {
    const h = new CommandHarness({ maxValueSize: 4 });
    const tooLarge = { error: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)' };
    expect(h.run('SET', 'k', '12345')).toEqual(tooLarge);
    expect(h.run('SET', 'k', '1234')).toBe('OK');
    expect(h.run('APPEND', 'k', '5')).toEqual(tooLarge);
    expect(h.run('MSET', 'a', '1', 'b', '12345')).toEqual(tooLarge);
    expect(h.run('EXISTS', 'a')).toBe(0);
  });

  it('answers OOM when the value cannot fit the memory budget', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1000, policy: 'noeviction' } });
    const oom = { error: "OOM command not allowed when used memory > 'maxmemory'." };
    expect(h.run('SET', 'k', 'x'.repeat(2000))).toEqual(oom);
    expect(h.run('SET', 'a', 'x'.repeat(500))).toBe('OK');
    expect(h.run('SET', 'b', 'x'.repeat(500))).toEqual(oom);
  });

  it('GETDEL and GETEX', () => {
    const h = new CommandHarness();
    expect(h.run('GETDEL', 'k')).toBeNull();
    h.run('SET', 'k', 'v');
    expect(h.run('GETDEL', 'k')).toBe('v');
    expect(h.run('EXISTS', 'k')).toBe(0);
    h.run('SET', 'k', 'v');
    expect(h.run('GETEX', 'k', 'EX', '5')).toBe('v');
    expect(h.run('TTL', 'k')).toBe(5);
    expect(h.run('GETEX', 'k', 'PERSIST')).toBe('v');
    expect(h.run('TTL', 'k')).toBe(-1);
    expect(h.run('GETEX', 'k', 'PXAT', String(h.clock.now() - 1))).toBe('v');
    expect(h.run('EXISTS', 'k')).toBe(0);
    expect(h.run('GETEX', 'missing', 'EX', '5')).toBeNull();
    expect(h.run('GETEX', 'k', 'EX', '0')).toEqual({
      error: "ERR invalid expire time in 'getex' command",
    });
    expect(h.run('GETEX', 'k', 'NX')).toEqual({ error: 'ERR syntax error' });
    expect(h.run('GETEX', 'k', 'PERSIST', 'EX', '1')).toEqual({ error: 'ERR syntax error' });
  });

  it('MGET and MSET', () => {
    const h = new CommandHarness();
    expect(h.run('MSET', 'a', '1', 'b', '2')).toBe('OK');
    expect(h.run('MGET', 'a', 'missing', 'b')).toEqual(['1', null, '2']);
    expect(h.run('MSET', 'a', '1', 'b')).toEqual({
      error: "ERR wrong number of arguments for 'mset' command",
    });
  });

  it('MSETNX sets every pair only when no key exists', () => {
    const h = new CommandHarness();
    expect(h.run('MSETNX', 'a', '1', 'b', '2')).toBe(1);
    expect(h.run('MSETNX', 'a', 'x', 'c', '3')).toBe(0);
    expect(h.run('MGET', 'a', 'b', 'c')).toEqual(['1', '2', null]);
    expect(h.run('MSETNX', 'a', '1', 'b')).toEqual({
      error: "ERR wrong number of arguments for 'msetnx' command",
    });
  });

  it('INCRBYFLOAT adds in long double precision, stores the printed sum and keeps the TTL', () => {
    const h = new CommandHarness();
    h.run('SET', 'f', '0.1', 'EX', '100');
    expect(h.run('INCRBYFLOAT', 'f', '0.1')).toBe('0.2');
    expect(h.run('INCRBYFLOAT', 'f', '0.1')).toBe('0.3');
    expect(h.run('GET', 'f')).toBe('0.3');
    expect(h.run('TTL', 'f')).toBe(100);
    expect(h.run('INCRBYFLOAT', 'new', '5.0e3')).toBe('5000');
    expect(h.run('INCRBYFLOAT', 'f', 'abc')).toEqual({ error: 'ERR value is not a valid float' });
    expect(h.run('INCRBYFLOAT', 'f', 'inf')).toEqual({
      error: 'ERR increment would produce NaN or Infinity',
    });
    h.run('SET', 's', 'text');
    expect(h.run('INCRBYFLOAT', 's', '1')).toEqual({ error: 'ERR value is not a valid float' });
    expect(h.run('GET', 'f')).toBe('0.3');
  });

  it('the INCR family', () => {
    const h = new CommandHarness();
    expect(h.run('INCR', 'n')).toBe(1);
    expect(h.run('INCRBY', 'n', '41')).toBe(42);
    expect(h.run('DECR', 'n')).toBe(41);
    expect(h.run('DECRBY', 'n', '50')).toBe(-9);
    expect(h.run('GET', 'n')).toBe('-9');
    expect(h.run('INCRBY', 'n', 'x')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    h.run('SET', 'big', '9223372036854775806');
    expect(h.run('INCR', 'big')).toBe(9223372036854775807n);
    expect(h.run('INCR', 'big')).toEqual({ error: 'ERR increment or decrement would overflow' });
    expect(h.run('DECRBY', 'n', '-9223372036854775808')).toEqual({
      error: 'ERR decrement would overflow',
    });
    h.run('SET', 's', 'abc');
    expect(h.run('INCR', 's')).toEqual({ error: 'ERR value is not an integer or out of range' });
    h.run('SET', 't', '10', 'EX', '100');
    h.run('INCR', 't');
    expect(h.run('TTL', 't')).toBe(100);
  });

  it('APPEND and STRLEN', () => {
    const h = new CommandHarness();
    expect(h.run('STRLEN', 'k')).toBe(0);
    expect(h.run('APPEND', 'k', 'ab')).toBe(2);
    expect(h.run('APPEND', 'k', 'cde')).toBe(5);
    expect(h.run('GET', 'k')).toBe('abcde');
    expect(h.run('STRLEN', 'k')).toBe(5);
  });
});
