import { describe, expect, it } from 'vitest';
import { parseReply } from '../../../protocol/resp/reply-parser.ts';
import { CommandHarness } from '../testing/command-harness.ts';

/**
 * A server with `notify-keyspace-events` set to `setting`, and the events a listener on every
 * event channel hears, as `event key` (the order of Redis 7.0, checked byte for byte against
 * redis-server by resp-vs-redis.int.test.ts).
 */
function listening(setting = 'EAnm') {
  const h = new CommandHarness({ notifyKeyspaceEvents: setting });
  const listener = h.connect();
  const heard: string[] = [];
  listener.push = (frame) => {
    const message = parseReply(frame)?.value as Buffer[];
    const [, , channel, key] = message.map((part) => part.toString('latin1'));
    heard.push(`${channel!.replace(/^__key(event|space)@0__:/, '')} ${key}`);
  };
  h.wireAs(listener, 'PSUBSCRIBE', '__keyevent@0__:*', '__keyspace@0__:*');
  /** The events heard since the last call. */
  const take = (): string[] => heard.splice(0);
  return { h, take };
}

describe('keyspace notifications of the string commands', () => {
  it('raises new before set, expire after it, and keymiss for the read of SET ... GET', () => {
    const { h, take } = listening();
    h.run('SET', 'a', '1');
    expect(take()).toEqual(['new a', 'set a']);
    h.run('SET', 'a', '2', 'EX', '100');
    expect(take()).toEqual(['set a', 'expire a']);
    h.run('SET', 'a', '3', 'KEEPTTL');
    h.run('SET', 'a', '3', 'NX');
    expect(take()).toEqual(['set a']);
    h.run('SET', 'b', 'v', 'GET');
    h.run('SET', 'c', 'v', 'XX', 'GET');
    expect(take()).toEqual(['keymiss b', 'new b', 'set b', 'keymiss c']);
    // A time already past: Redis stores the key and expires it a moment later.
    h.run('SET', 'a', 'v', 'PXAT', '1');
    expect(take()).toEqual(['set a', 'expire a', 'expired a']);
  });

  it('notifies SET without options as any other write (its fast path steps aside)', () => {
    const { h, take } = listening('E$');
    h.run('SET', 'k', 'v');
    h.run('SET', 'k', 'w');
    expect(take()).toEqual(['set k', 'set k']);
  });

  it('raises the events of the INCR family, APPEND, SETRANGE, INCRBYFLOAT and MSET', () => {
    const { h, take } = listening();
    h.run('INCR', 'n');
    h.run('DECRBY', 'n', '3');
    h.run('INCR', 'n', 'extra');
    h.run('APPEND', 'n', '0');
    h.run('INCRBYFLOAT', 'f', '1.5');
    h.run('SETRANGE', 'r', '1', 'x');
    h.run('SETRANGE', 's', '0', '');
    expect(take()).toEqual([
      'new n',
      'incrby n',
      'incrby n',
      'append n',
      'new f',
      'incrbyfloat f',
      'new r',
      'setrange r',
    ]);
    h.run('SET', 'word', 'x');
    take();
    expect(h.run('INCR', 'word')).toEqual({ error: 'ERR value is not an integer or out of range' });
    h.run('MSET', 'a', '1', 'word', '2', 'a', '3');
    h.run('MSETNX', 'a', '1', 'b', '2');
    expect(take()).toEqual(['new a', 'set a', 'set word', 'set a']);
  });

  it('raises keymiss for each read that misses, on the fast paths too', () => {
    const { h, take } = listening('Km');
    h.run('SET', 'k', 'v');
    h.run('GET', 'x');
    h.run('MGET', 'y', 'k', 'z');
    h.run('STRLEN', 'k');
    h.run('GETRANGE', 'g', '0', '1');
    h.run('EXISTS', 'k', 'e');
    h.run('TYPE', 't');
    h.run('TTL', 'ttl');
    h.run('TOUCH', 'touch');
    h.run('DUMP', 'dump');
    h.run('LCS', 'k', 'lcs');
    expect(take()).toEqual(
      ['x', 'y', 'z', 'g', 'e', 't', 'ttl', 'touch', 'dump', 'lcs'].map((k) => `${k} keymiss`),
    );
    // Lookups for a write miss nothing: EXPIRE, SETRANGE, OBJECT.
    h.run('EXPIRE', 'w', '10');
    h.run('OBJECT', 'ENCODING', 'w');
    h.run('SETNX', 'w', 'v');
    expect(take()).toEqual([]);
  });

  it('raises SETEX, SETNX, GETSET, GETDEL and GETEX as Redis does', () => {
    const { h, take } = listening();
    h.run('SETEX', 'a', '10', 'v');
    h.run('SETNX', 'a', 'v');
    h.run('SETNX', 'b', 'v');
    h.run('GETSET', 'c', 'v');
    h.run('GETSET', 'c', 'w');
    expect(take()).toEqual([
      'new a',
      'set a',
      'expire a',
      'new b',
      'set b',
      'keymiss c',
      'new c',
      'set c',
      'set c',
    ]);
    h.run('GETEX', 'a', 'PERSIST');
    h.run('GETEX', 'a', 'PERSIST');
    h.run('GETEX', 'b', 'EX', '5');
    h.run('GETEX', 'b', 'PXAT', '1');
    h.run('GETDEL', 'c');
    h.run('GETDEL', 'c');
    expect(take()).toEqual(['persist a', 'expire b', 'del b', 'del c', 'keymiss c']);
  });
});

describe('keyspace notifications of the generic commands', () => {
  it('raises del, expire, persist, rename and copy events', () => {
    const { h, take } = listening('Eg');
    h.run('MSET', 'a', '1', 'b', '2');
    h.run('DEL', 'a', 'none', 'b');
    h.run('SET', 'k', 'v');
    h.run('EXPIRE', 'k', '100');
    h.run('PERSIST', 'k');
    h.run('PERSIST', 'k');
    h.run('PEXPIREAT', 'k', '1');
    expect(take()).toEqual(['del a', 'del b', 'expire k', 'persist k', 'del k']);
    h.run('SET', 'from', 'v');
    h.run('RENAME', 'from', 'to');
    h.run('COPY', 'to', 'copy');
    h.run('COPY', 'to', 'copy');
    expect(take()).toEqual(['rename_from from', 'rename_to to', 'copy_to copy']);
  });

  it('raises new for the target of RENAME, COPY and RESTORE even where it replaced a key', () => {
    const { h, take } = listening('En');
    h.run('MSET', 'a', '1', 'b', '2');
    take();
    h.run('RENAME', 'a', 'b');
    h.run('COPY', 'b', 'c');
    h.run('COPY', 'b', 'c', 'REPLACE');
    const payload = Buffer.from(h.run('DUMP', 'b') as string, 'latin1');
    h.run('RESTORE', 'c', '0', payload, 'REPLACE');
    expect(take()).toEqual(['new b', 'new c', 'new c', 'new c']);
  });

  it('answers RESTORE with restore, or del when a time already past removed the old key', () => {
    const { h, take } = listening('Eg');
    h.run('SET', 'k', 'v');
    const payload = Buffer.from(h.run('DUMP', 'k') as string, 'latin1');
    h.run('RESTORE', 'r', '1000', payload);
    h.run('RESTORE', 'r', '1', payload, 'ABSTTL', 'REPLACE');
    h.run('RESTORE', 'r', '1', payload, 'ABSTTL');
    expect(take()).toEqual(['restore r', 'del r']);
  });

  it('notifies nothing for FLUSHALL, and expired from the store for a key that expired', () => {
    const { h, take } = listening('EA');
    h.run('SET', 'k', 'v', 'PX', '10');
    h.run('SET', 'j', 'v');
    h.clock.advance(20);
    take();
    h.run('GET', 'k');
    h.run('FLUSHALL');
    expect(take()).toEqual(['expired k']);
  });
});

describe('keyspace notifications of bitmaps and HyperLogLogs', () => {
  it('raises setbit when SETBIT made, grew or changed the value, and BITOP set or del', () => {
    const { h, take } = listening();
    h.run('SETBIT', 'b', '3', '0');
    h.run('SETBIT', 'b', '3', '0');
    h.run('SETBIT', 'b', '3', '1');
    h.run('SETBIT', 'b', '20', '0');
    h.run('BITOP', 'NOT', 'dest', 'b');
    h.run('BITOP', 'OR', 'dest', 'none');
    h.run('BITOP', 'OR', 'dest', 'none');
    expect(take()).toEqual([
      'new b',
      'setbit b',
      'setbit b',
      'setbit b',
      'new dest',
      'set dest',
      'keymiss none',
      'del dest',
      'keymiss none',
    ]);
  });

  it('raises setbit for BITFIELD writes that changed a field or grew the value', () => {
    const { h, take } = listening();
    h.run('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300');
    h.run('BITFIELD', 'f', 'SET', 'u8', '0', '0');
    h.run('BITFIELD', 'f', 'SET', 'u8', '8', '0');
    h.run('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '16', '300');
    h.run('BITFIELD', 'f', 'INCRBY', 'u8', '0', '1');
    h.run('BITFIELD', 'none', 'GET', 'u8', '0');
    expect(take()).toEqual(['new f', 'setbit f', 'setbit f', 'keymiss none']);
  });

  it('raises pfadd for PFADD and PFMERGE, and nothing for a PFCOUNT that caches', () => {
    const { h, take } = listening();
    h.run('PFADD', 'h', 'a');
    h.run('PFADD', 'h', 'a');
    h.run('PFCOUNT', 'h');
    h.run('PFMERGE', 'm', 'none', 'h');
    h.run('PFMERGE', 'm');
    expect(take()).toEqual([
      'new h',
      'pfadd h',
      'keymiss m',
      'keymiss none',
      'new m',
      'pfadd m',
      'pfadd m',
    ]);
  });
});

describe('keyspace notifications from scripts and transactions, and when off', () => {
  it('raises the events of commands run by EVAL and by EXEC, in order', () => {
    const { h, take } = listening();
    h.run(
      'EVAL',
      "redis.call('set', KEYS[1], 'v'); return redis.call('get', KEYS[2])",
      '2',
      'a',
      'b',
    );
    h.run('MULTI');
    h.run('INCR', 'c');
    h.run('DEL', 'a');
    h.run('EXEC');
    expect(take()).toEqual(['new a', 'set a', 'keymiss b', 'new c', 'incrby c', 'del a']);
  });

  it('sends each event to the key channel, then to the event channel', () => {
    const { h, take } = listening('KE$');
    h.run('APPEND', 'k', 'v');
    expect(take()).toEqual(['k append', 'append k']);
  });

  it('publishes nothing without K or E, or for a class that is off', () => {
    const { h, take } = listening('g$nmA');
    h.run('SET', 'k', 'v');
    h.run('GET', 'x');
    h.run('CONFIG', 'SET', 'notify-keyspace-events', 'KEx');
    h.run('SET', 'k', 'v');
    h.run('DEL', 'k');
    h.run('GET', 'x');
    expect(take()).toEqual([]);
  });
});
