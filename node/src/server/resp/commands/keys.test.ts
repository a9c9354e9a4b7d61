import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';
import type { Reply } from '../testing/command-harness.ts';

describe('key commands', () => {
  it('DEL, UNLINK, EXISTS and TYPE', () => {
    const h = new CommandHarness();
    h.run('MSET', 'a', '1', 'b', '2', 'c', '3');
    expect(h.run('EXISTS', 'a', 'a', 'missing', 'b')).toBe(3);
    expect(h.run('TYPE', 'a')).toBe('string');
    expect(h.run('TYPE', 'missing')).toBe('none');
    expect(h.run('DEL', 'a', 'missing')).toBe(1);
    expect(h.run('UNLINK', 'b', 'c')).toBe(2);
    expect(h.run('EXISTS', 'a', 'b', 'c')).toBe(0);
  });

  it('TOUCH counts the keys that exist and is an access: LRU keeps a touched key', () => {
    // Room for two entries of 114 bytes (1-byte key and value, 112 of overhead), not three.
    const h = new CommandHarness({ storeOptions: { maxMemory: 250, policy: 'lru' } });
    h.run('SET', 'a', '1');
    h.run('SET', 'b', '2');
    expect(h.run('TOUCH', 'a', 'missing', 'a')).toBe(2);
    h.run('SET', 'c', '3');
    expect(h.run('EXISTS', 'a', 'b', 'c')).toBe(2);
    expect(h.run('EXISTS', 'b')).toBe(0);
  });

  it('KEYS lists every live key that matches, once', () => {
    const h = new CommandHarness();
    const names = Array.from({ length: 3000 }, (_, i) => `user:${i}`);
    h.run('MSET', ...names.flatMap((key) => [key, 'v']), 'other', 'v');
    h.run('SET', 'user:gone', 'v', 'PX', '10');
    h.clock.advance(10);
    expect((h.run('KEYS', 'user:*') as string[]).sort()).toEqual([...names].sort());
    expect(h.run('KEYS', 'oth?r')).toEqual(['other']);
    expect(h.run('KEYS', 'none*')).toEqual([]);
    expect((h.run('KEYS', '*') as string[]).length).toBe(3001);
  });

  it('RENAME and RENAMENX move the value and its TTL', () => {
    const h = new CommandHarness();
    h.run('SET', 'a', '1', 'EX', '100');
    h.run('SET', 'b', '2');
    expect(h.run('RENAME', 'a', 'c')).toBe('OK');
    expect([h.run('GET', 'c'), h.run('TTL', 'c'), h.run('EXISTS', 'a')]).toEqual(['1', 100, 0]);
    expect(h.run('RENAMENX', 'c', 'b')).toBe(0);
    expect(h.run('RENAME', 'c', 'b')).toBe('OK');
    expect([h.run('GET', 'b'), h.run('TTL', 'b')]).toEqual(['1', 100]);
    expect(h.run('RENAMENX', 'b', 'd')).toBe(1);
    expect(h.run('RENAME', 'd', 'd')).toBe('OK');
    expect(h.run('RENAMENX', 'd', 'd')).toBe(0);
    expect(h.run('RENAME', 'missing', 'x')).toEqual({ error: 'ERR no such key' });
    expect(h.run('DBSIZE')).toBe(1);
  });

  it('DBSIZE, FLUSHDB and FLUSHALL', () => {
    const h = new CommandHarness();
    h.run('MSET', 'a', '1', 'b', '2');
    expect(h.run('DBSIZE')).toBe(2);
    expect(h.run('FLUSHDB', 'ASYNC')).toBe('OK');
    expect(h.run('DBSIZE')).toBe(0);
    h.run('SET', 'a', '1');
    expect(h.run('FLUSHALL', 'sync')).toBe('OK');
    expect(h.run('DBSIZE')).toBe(0);
    expect(h.run('FLUSHALL', 'later')).toEqual({ error: 'ERR syntax error' });
    expect(h.run('FLUSHALL', 'ASYNC', 'SYNC')).toEqual({ error: 'ERR syntax error' });
  });

  it('SCAN walks every key once, with MATCH, COUNT and TYPE', () => {
    const h = new CommandHarness();
    for (let i = 0; i < 250; i++) h.run('SET', `key:${i}`, 'v');
    h.run('SET', 'other', 'v');
    const seen: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = h.run('SCAN', cursor, 'MATCH', 'key:*', 'COUNT', '20') as [
        string,
        string[],
      ];
      seen.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    expect(new Set(seen).size).toBe(250);
    expect(seen).not.toContain('other');

    const all = scanAll(h, ['TYPE', 'string']);
    expect(all).toHaveLength(251);
    expect(scanAll(h, ['TYPE', 'hash'])).toEqual([]);
  });

  it("refuses SCAN's bad arguments", () => {
    const h = new CommandHarness();
    expect(h.run('SCAN', 'x')).toEqual({ error: 'ERR invalid cursor' });
    expect(h.run('SCAN', ' 1')).toEqual({ error: 'ERR invalid cursor' });
    expect(h.run('SCAN', '18446744073709551616')).toEqual({ error: 'ERR invalid cursor' });
    // strtoul semantics: -1 wraps to the largest cursor, past the end.
    h.run('SET', 'k', 'v');
    expect(h.run('SCAN', '-1')).toEqual(['0', []]);
    expect(h.run('SCAN', '0', 'COUNT', '0')).toEqual({ error: 'ERR syntax error' });
    expect(h.run('SCAN', '0', 'COUNT', 'x')).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    expect(h.run('SCAN', '0', 'MATCH')).toEqual({ error: 'ERR syntax error' });
    expect(h.run('SCAN', '0', 'FOO', 'bar')).toEqual({ error: 'ERR syntax error' });
    expect(h.run('SCAN', '0', 'TYPE', 'widget')).toEqual({
      error: "ERR unknown type name 'widget'",
    });
    expect(h.run('SCAN', '0')).toEqual(['0', ['k']]);
  });
});

function scanAll(h: CommandHarness, options: string[]): string[] {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const reply = h.run('SCAN', cursor, ...options) as Reply[];
    cursor = reply[0] as string;
    keys.push(...(reply[1] as string[]));
  } while (cursor !== '0');
  return keys;
}
