import { describe, expect, it } from 'vitest';
import { Session } from '../session.ts';
import { CommandHarness } from '../testing/command-harness.ts';

/** The HELLO map's bytes in RESP3, for client `id`. */
function helloMap(id: number): string {
  return (
    '%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.0\r\n' +
    `$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n` +
    '$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n'
  );
}

/** A harness whose session has switched to RESP3. */
function resp3Harness(options?: ConstructorParameters<typeof CommandHarness>[0]): CommandHarness {
  const h = new CommandHarness(options);
  expect(h.wire('HELLO', '3')).toBe(helloMap(1));
  return h;
}

describe('HELLO and the protocol switch', () => {
  it('HELLO 3 switches to RESP3 and answers with a map; HELLO 2 switches back', () => {
    const h = new CommandHarness();
    expect(h.wire('GET', 'missing')).toBe('$-1\r\n');
    expect(h.wire('HELLO', '3')).toBe(helloMap(1));
    expect(h.session.resp3).toBe(true);
    expect(h.wire('GET', 'missing')).toBe('_\r\n');
    // Without a version HELLO keeps the protocol, and answers in it.
    expect(h.wire('HELLO')).toBe(helloMap(1));
    expect(h.wire('GET', 'missing')).toBe('_\r\n');
    const resp2 = h.wire('HELLO', '2');
    expect(resp2.startsWith('*14\r\n$6\r\nserver\r\n')).toBe(true);
    expect(resp2).toContain('$5\r\nproto\r\n:2\r\n');
    expect(h.session.resp3).toBe(false);
    expect(h.wire('GET', 'missing')).toBe('$-1\r\n');
  });

  it('a HELLO that fails changes neither the protocol nor the name', () => {
    const h = new CommandHarness();
    expect(h.run('HELLO', '4')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(h.run('HELLO', '-3')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(h.run('HELLO', '3.0')).toEqual({
      error: 'ERR Protocol version is not an integer or out of range',
    });
    expect(h.run('HELLO', '3', 'SETNAME', 'app', 'FOO')).toEqual({
      error: "ERR Syntax error in HELLO option 'FOO'",
    });
    expect(h.run('HELLO', '3', 'AUTH', 'default')).toEqual({
      error: "ERR Syntax error in HELLO option 'AUTH'",
    });
    expect(h.run('HELLO', '3', 'SETNAME', 'bad name')).toEqual({
      error: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
    expect(h.run('HELLO', '3', 'AUTH', 'alice', 'pw', 'SETNAME', 'app')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(h.session.resp3).toBe(false);
    expect(h.session.name).toBe('');
    expect(h.wire('GET', 'missing')).toBe('$-1\r\n');
  });

  it('HELLO 3 AUTH user pass SETNAME name authenticates, then names, then switches', () => {
    const h = new CommandHarness({ requirePass: 'pw' });
    expect(h.run('HELLO', '3')).toEqual({
      error:
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO ' +
        '<proto> AUTH <user> <pass> option can be used to authenticate the client and select the ' +
        'RESP protocol version at the same time',
    });
    expect(h.run('HELLO', '3', 'AUTH', 'default', 'wrong', 'SETNAME', 'app')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    // Only the default user exists.
    expect(h.run('HELLO', '3', 'AUTH', 'admin', 'pw')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(h.session.authenticated).toBe(false);
    expect(h.session.resp3).toBe(false);
    expect(h.wire('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'app')).toBe(helloMap(1));
    expect(h.session.authenticated).toBe(true);
    expect(h.session.name).toBe('app');
    expect(h.wire('CLIENT', 'GETNAME')).toBe('$3\r\napp\r\n');
    expect(h.wire('GET', 'missing')).toBe('_\r\n');
  });

  it('the protocol belongs to the session: sessions sharing the writer keep their own', () => {
    const h = new CommandHarness();
    const other = h.connect();
    expect(h.wire('HELLO', '3')).toBe(helloMap(1));
    expect(h.wireAs(other, 'GET', 'missing')).toBe('$-1\r\n');
    expect(h.wire('GET', 'missing')).toBe('_\r\n');
    expect(h.wireAs(other, 'MGET', 'a', 'b')).toBe('*2\r\n$-1\r\n$-1\r\n');
    expect(h.wire('MGET', 'a', 'b')).toBe('*2\r\n_\r\n_\r\n');
  });

  it('a server that does not speak RESP3 (settings.resp3 unset) refuses HELLO 3', () => {
    const h = new CommandHarness();
    const { resp3: _resp3, ...settings } = h.server.settings;
    const session = new Session(9, { ...h.server, settings });
    expect(h.runAs(session, 'HELLO', '3')).toEqual({
      error: 'NOPROTO unsupported protocol version',
    });
    expect((h.runAs(session, 'HELLO', '2') as unknown[])[5]).toBe(2);
  });
});

describe('replies in RESP3', () => {
  it('nulls are `_` for GET, GETDEL, GETEX, SET ... GET and inside MGET', () => {
    const h = resp3Harness();
    expect(h.wire('GET', 'missing')).toBe('_\r\n');
    expect(h.wire('GETDEL', 'missing')).toBe('_\r\n');
    expect(h.wire('GETEX', 'missing', 'EX', '10')).toBe('_\r\n');
    expect(h.wire('SET', 'k', 'v', 'XX')).toBe('_\r\n');
    expect(h.wire('SET', 'k', 'v', 'GET')).toBe('_\r\n');
    expect(h.wire('SET', 'k', 'w', 'NX')).toBe('_\r\n');
    expect(h.wire('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(h.wire('MGET', 'k', 'missing', 'k')).toBe('*3\r\n$1\r\nv\r\n_\r\n$1\r\nv\r\n');
    expect(h.wire('GETDEL', 'k')).toBe('$1\r\nv\r\n');
    expect(h.wire('CLIENT', 'GETNAME')).toBe('_\r\n');
    // Replies that RESP3 does not change.
    expect(h.wire('INCR', 'n')).toBe(':1\r\n');
    expect(h.wire('TTL', 'missing')).toBe(':-2\r\n');
    expect(h.wire('SCAN', '0', 'MATCH', 'n')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$1\r\nn\r\n');
  });

  it('CONFIG GET answers with a map', () => {
    const h = resp3Harness({ storeOptions: { maxMemory: 1000 } });
    expect(h.wire('CONFIG', 'GET', 'maxmemory')).toBe('%1\r\n$9\r\nmaxmemory\r\n$4\r\n1000\r\n');
    expect(h.wire('CONFIG', 'GET', 'nothing')).toBe('%0\r\n');
    expect(h.run('CONFIG', 'GET', 'save', 'appendonly')).toEqual(['save', '', 'appendonly', 'no']);
    expect(h.wire('CONFIG', 'GET', 'save', 'appendonly').startsWith('%2\r\n')).toBe(true);
  });

  it('INFO, CLIENT INFO and CLIENT LIST answer with verbatim text', () => {
    const h = resp3Harness();
    const info = h.wire('INFO', 'keyspace');
    expect(info).toBe('=16\r\ntxt:# Keyspace\r\n\r\n');
    expect(h.run('INFO', 'keyspace')).toBe('# Keyspace\r\n');
    const client = h.wire('CLIENT', 'INFO');
    expect(client).toMatch(/^=\d+\r\ntxt:id=1 .* resp=3 .*\n\r\n$/);
    const [, length, body] = /^=(\d+)\r\n(.*)\r\n$/s.exec(client) ?? [];
    expect(Number(length)).toBe(Buffer.byteLength(body ?? '', 'latin1'));
    h.connect();
    const list = h.run('CLIENT', 'LIST') as string;
    expect(
      list
        .split('\n')
        .filter(Boolean)
        .map((line) => / resp=(\d) /.exec(line)?.[1]),
    ).toEqual(['3', '2']);
    expect(h.wire('CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('=4\r\ntxt:\r\n');
  });

  it('COMMAND INFO uses sets and `_` for an unknown command; COMMAND DOCS uses maps', () => {
    const h = resp3Harness();
    expect(h.wire('COMMAND', 'INFO', 'nope')).toBe('*1\r\n_\r\n');
    expect(h.wire('COMMAND', 'INFO', 'get')).toBe(
      '*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n' +
        '~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~0\r\n~0\r\n',
    );
    const config = h.wire('COMMAND', 'INFO', 'config');
    // Subcommands are an array of infos, the empty ones a set, as Redis 7 sends them.
    expect(config).toMatch(
      /^\*1\r\n\*10\r\n\$6\r\nconfig\r\n:-2\r\n~0\r\n.*~0\r\n~0\r\n\*3\r\n\*10\r\n/s,
    );
    expect(h.wire('COMMAND', 'DOCS', 'get')).toBe(
      '%1\r\n$3\r\nget\r\n%3\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a key.\r\n' +
        '$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n',
    );
    const docs = h.wire('COMMAND', 'DOCS', 'config');
    expect(docs.startsWith('%1\r\n$6\r\nconfig\r\n%4\r\n')).toBe(true);
    expect(docs).toContain('$11\r\nsubcommands\r\n%3\r\n$10\r\nconfig|get\r\n%3\r\n');
    expect(h.wire('COMMAND', 'DOCS', 'nope')).toBe('%0\r\n');
    // The same values as in RESP2, read through the parser.
    const resp2 = new CommandHarness();
    for (const command of [
      ['COMMAND', 'INFO', 'config', 'nope'],
      ['COMMAND', 'DOCS', 'config', 'get'],
      ['COMMAND'],
    ]) {
      expect(h.run(...command)).toEqual(resp2.run(...command));
    }
  });
});
