import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('MULTI, EXEC, DISCARD, WATCH and UNWATCH', () => {
  it('queues, then runs the queue in order as one array; an error is an element', () => {
    const h = new CommandHarness();
    expect(h.run('MULTI')).toBe('OK');
    expect(h.run('SET', 'k', 'v')).toBe('QUEUED');
    expect(h.run('INCR', 'k')).toBe('QUEUED');
    expect(h.run('GET', 'k')).toBe('QUEUED');
    // Nothing ran yet.
    const other = h.connect();
    expect(h.runAs(other, 'EXISTS', 'k')).toBe(0);
    expect(h.run('EXEC')).toEqual([
      'OK',
      { error: 'ERR value is not an integer or out of range' },
      'v',
    ]);
    expect(h.run('EXEC')).toEqual({ error: 'ERR EXEC without MULTI' });
  });

  it('aborts with EXECABORT when a command was refused while queuing, and runs nothing', () => {
    const h = new CommandHarness();
    h.run('MULTI');
    expect(h.run('SET', 'k', 'v')).toBe('QUEUED');
    expect(h.run('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(h.run('EXEC')).toEqual({
      error: 'EXECABORT Transaction discarded because of previous errors.',
    });
    expect(h.run('EXISTS', 'k')).toBe(0);
  });

  it('DISCARD drops the queue and the watches', () => {
    const h = new CommandHarness();
    h.run('WATCH', 'w');
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    expect(h.run('DISCARD')).toBe('OK');
    expect(h.run('EXISTS', 'k')).toBe(0);
    h.runAs(h.connect(), 'SET', 'w', 'x');
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    expect(h.run('EXEC')).toEqual(['OK']);
  });

  it("WATCH: another client's write to a watched key makes EXEC answer nil and run nothing", () => {
    const h = new CommandHarness();
    const other = h.connect();
    h.run('SET', 'w', '1');
    expect(h.run('WATCH', 'w', 'absent')).toBe('OK');
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    expect(h.runAs(other, 'INCR', 'w')).toBe(2);
    expect(h.run('EXEC')).toBeNull();
    expect(h.run('EXISTS', 'k')).toBe(0);
    // The watch ended with the EXEC: the next transaction runs.
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    expect(h.run('EXEC')).toEqual(['OK']);
  });

  it('WATCH: a write to an unwatched key, or a read, does not abort', () => {
    const h = new CommandHarness();
    const other = h.connect();
    h.run('WATCH', 'w');
    h.runAs(other, 'SET', 'unrelated', 'v');
    h.runAs(other, 'GET', 'w');
    h.run('MULTI');
    h.run('SET', 'w', 'mine');
    expect(h.run('EXEC')).toEqual(['OK']);
  });

  it('WATCH: an expiry or a FLUSHALL of a watched key aborts', () => {
    const h = new CommandHarness();
    const other = h.connect();
    h.run('SET', 'w', 'v', 'PX', '100');
    h.run('WATCH', 'w');
    h.clock.advance(100);
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    expect(h.run('EXEC')).toBeNull();
    h.run('SET', 'w', 'v');
    h.run('WATCH', 'w');
    h.runAs(other, 'FLUSHALL');
    h.run('MULTI');
    expect(h.run('EXEC')).toBeNull();
  });

  it('UNWATCH forgets the watches; WATCH inside MULTI and nested MULTI are refused', () => {
    const h = new CommandHarness();
    const other = h.connect();
    h.run('WATCH', 'w');
    expect(h.run('UNWATCH')).toBe('OK');
    h.runAs(other, 'SET', 'w', 'x');
    h.run('MULTI');
    expect(h.run('WATCH', 'w')).toEqual({ error: 'ERR WATCH inside MULTI is not allowed' });
    expect(h.run('MULTI')).toEqual({ error: 'ERR MULTI calls can not be nested' });
    expect(h.run('EXEC')).toEqual([]);
  });

  it("counts a queued command's call when EXEC runs it", () => {
    const h = new CommandHarness();
    const calls = (): number => {
      let found = 0;
      h.server.stats.forEachCommand((name, count) => {
        if (name === 'get') found = count;
      });
      return found;
    };
    h.run('MULTI');
    h.run('GET', 'k');
    expect(calls()).toBe(0);
    h.run('EXEC');
    expect(calls()).toBe(1);
  });

  it('CLIENT LIST shows a transaction: flags x and the queued count', () => {
    const h = new CommandHarness();
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    h.run('GET', 'k');
    const other = h.connect();
    const line = (h.runAs(other, 'CLIENT', 'LIST') as string)
      .split('\n')
      .find((row) => row.startsWith(`id=${h.session.id} `));
    expect(line).toMatch(/ flags=x .* multi=2 /);
    h.run('EXEC');
  });

  it('drops a queue that grows past maxTransactionBytes, frees it, and aborts the EXEC', () => {
    const h = new CommandHarness({ maxTransactionBytes: 100 });
    h.run('MULTI');
    expect(h.run('SET', 'a', 'v')).toBe('QUEUED');
    expect(h.run('SET', 'b', 'x'.repeat(60))).toEqual({
      error: 'ERR transaction discarded: its queued commands exceed 100 bytes',
    });
    expect(h.session.transaction?.entries).toHaveLength(0);
    expect(h.run('SET', 'c', 'v')).toBe('QUEUED');
    expect(h.run('EXEC')).toEqual({
      error: 'EXECABORT Transaction discarded because of previous errors.',
    });
    expect(h.run('EXISTS', 'a', 'b', 'c')).toBe(0);
  });

  it('WATCH hears of writes that come without a command (a gRPC Set, an import), and not of no-ops', () => {
    const h = new CommandHarness();
    const other = h.connect();
    const listeners: unknown[] = [];
    const observe = h.store.observeChanges.bind(h.store);
    h.store.observeChanges = (listener) => {
      listeners.push(listener);
      observe(listener);
    };
    h.run('SET', 'w', '1');
    h.run('WATCH', 'w');
    // A SET NX that writes nothing changes nothing, as in Redis.
    expect(h.runAs(other, 'SET', 'w', '2', 'NX')).toBeNull();
    h.run('MULTI');
    expect(h.run('EXEC')).toEqual([]);
    h.run('WATCH', 'w');
    h.store.set('w', Buffer.from('from gRPC'));
    h.run('MULTI');
    expect(h.run('EXEC')).toBeNull();
    // With nothing watched the store reports nothing: no key strings are built for writes.
    expect(listeners.at(-1)).toBeUndefined();
    expect(listeners.filter((listener) => listener !== undefined)).toHaveLength(2);
  });
});
