import { describe, expect, it } from 'vitest';
import type { Store } from '../../../core/store.ts';
import { CommandHarness } from '../testing/command-harness.ts';

const SYNTAX = { error: 'ERR syntax error' };

describe('CLIENT NO-TOUCH on a node', () => {
  it('leaves LRU order alone: the key a no-touch client kept reading is evicted first', () => {
    // Room for two entries of 114 bytes (1-byte key and value, 112 of overhead), not three.
    const h = new CommandHarness({ storeOptions: { maxMemory: 250, policy: 'lru' } });
    const reader = h.connect();
    h.run('SET', 'a', '1');
    h.run('SET', 'b', '2');
    expect(h.runAs(reader, 'CLIENT', 'NO-TOUCH', 'ON')).toBe('OK');
    expect(h.runAs(reader, 'GET', 'a')).toBe('1');
    expect(h.runAs(reader, 'MGET', 'a', 'missing')).toEqual(['1', null]);
    h.run('SET', 'c', '3');
    expect(h.run('EXISTS', 'a', 'b', 'c')).toBe(2);
    expect(h.run('EXISTS', 'a')).toBe(0);
    // A normal reader's read keeps its key; the no-touch client's reads still count as hits.
    h.run('GET', 'b');
    h.run('SET', 'd', '4');
    expect(h.run('EXISTS', 'b', 'c', 'd')).toBe(2);
    expect(h.run('EXISTS', 'c')).toBe(0);
    expect(h.run('INFO', 'stats')).toMatch(/\r\nkeyspace_hits:3\r\nkeyspace_misses:1\r\n/);
  });

  it('TOUCH still touches, in EXEC too; OFF touches again', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 250, policy: 'lru' } });
    h.run('SET', 'a', '1');
    h.run('SET', 'b', '2');
    h.run('CLIENT', 'NO-TOUCH', 'ON');
    h.run('MULTI');
    h.run('TOUCH', 'a');
    h.run('GET', 'b');
    expect(h.run('EXEC')).toEqual([1, '2']);
    h.run('SET', 'c', '3');
    expect(h.run('EXISTS', 'b')).toBe(0);
    expect(h.run('CLIENT', 'NO-TOUCH', 'off')).toBe('OK');
    h.run('GET', 'a');
    h.run('SET', 'd', '4');
    expect(h.run('EXISTS', 'a', 'c', 'd')).toBe(2);
    expect(h.run('EXISTS', 'a')).toBe(1);
  });

  it('leaves LFU counts and OBJECT IDLETIME alone', () => {
    const h = new CommandHarness({ storeOptions: { maxMemory: 1 << 20, policy: 'lfu' } });
    const store = h.store as Store;
    h.run('SET', 'k', 'v');
    h.run('CLIENT', 'NO-TOUCH', 'ON');
    h.clock.advance(5_000);
    store.tick(h.clock.monotonic());
    h.run('GET', 'k');
    h.run('GETRANGE', 'k', '0', '0');
    expect(h.run('OBJECT', 'FREQ', 'k')).toBe(1);
    expect(h.run('OBJECT', 'IDLETIME', 'k')).toBe(5);
    h.run('TOUCH', 'k');
    expect(h.run('OBJECT', 'IDLETIME', 'k')).toBe(0);
    expect(h.run('OBJECT', 'FREQ', 'k')).toBe(2);
  });

  it('shows flags e and T in CLIENT LIST; errors as Redis; RESET keeps them', () => {
    const h = new CommandHarness();
    const id = String(h.session.id);
    expect(h.run('CLIENT', 'NO-TOUCH', 'maybe')).toEqual(SYNTAX);
    expect(h.run('CLIENT', 'NO-EVICT', 'maybe')).toEqual(SYNTAX);
    expect(h.run('CLIENT', 'NO-TOUCH')).toEqual({
      error: "ERR wrong number of arguments for 'client|no-touch' command",
    });
    expect(h.run('CLIENT', 'NO-TOUCH', 'ON')).toBe('OK');
    expect(h.run('CLIENT', 'LIST', 'ID', id)).toMatch(/ flags=T db=0 /);
    expect(h.run('CLIENT', 'NO-EVICT', 'ON')).toBe('OK');
    h.run('SUBSCRIBE', 'ch');
    expect(h.runAs(h.connect(), 'CLIENT', 'LIST', 'ID', id)).toMatch(/ flags=PeT db=0 /);
    expect(h.run('RESET')).toBe('RESET');
    expect(h.run('CLIENT', 'INFO')).toMatch(/ flags=eT db=0 /);
    h.run('CLIENT', 'NO-EVICT', 'OFF');
    h.run('CLIENT', 'NO-TOUCH', 'OFF');
    expect(h.run('CLIENT', 'INFO')).toMatch(/ flags=N db=0 /);
  });

  it('CLIENT HELP names REPLY, NO-EVICT and NO-TOUCH in Redis 7.2 words', () => {
    const h = new CommandHarness();
    const help = h.run('CLIENT', 'HELP') as string[];
    expect(help.slice(-6)).toEqual([
      'NO-EVICT (ON|OFF)',
      '    Protect current client connection from eviction.',
      'NO-TOUCH (ON|OFF)',
      '    Will not touch LRU/LFU stats when this mode is on.',
      'HELP',
      '    Print this help.',
    ]);
    expect(help).toContain('REPLY (ON|OFF|SKIP)');
  });
});
