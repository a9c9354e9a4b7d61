import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';

describe('connection commands', () => {
  it('PING and ECHO', () => {
    const h = new CommandHarness();
    expect(h.wire('PING')).toBe('+PONG\r\n');
    expect(h.wire('PING', 'hi')).toBe('$2\r\nhi\r\n');
    expect(h.run('PING', 'a', 'b')).toEqual({
      error: "ERR wrong number of arguments for 'ping' command",
    });
    expect(h.wire('ECHO', 'x\r\ny')).toBe('$4\r\nx\r\ny\r\n');
  });

  it('AUTH without a configured password', () => {
    const h = new CommandHarness();
    expect(h.run('AUTH', 'secret')).toEqual({
      error:
        'ERR AUTH <password> called without any password configured for the default user. ' +
        'Are you sure your configuration is correct?',
    });
    expect(h.run('AUTH', 'default', 'anything')).toBe('OK');
    expect(h.run('AUTH', 'alice', 'anything')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(h.run('AUTH', 'a', 'b', 'c')).toEqual({ error: 'ERR syntax error' });
  });

  it('AUTH with --requirepass gates every command but AUTH, HELLO and QUIT', () => {
    const h = new CommandHarness({ requirePass: 's3cret' });
    const noauth = { error: 'NOAUTH Authentication required.' };
    expect(h.run('GET', 'k')).toEqual(noauth);
    expect(h.run('PING')).toEqual(noauth);
    // Unknown commands and wrong arity are reported before authentication, as in Redis.
    expect(h.run('NOPE')).toEqual({
      error: "ERR unknown command 'NOPE', with args beginning with: ",
    });
    expect(h.run('GET')).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(h.run('AUTH', 'wrong')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(h.run('AUTH', 's3cret')).toBe('OK');
    expect(h.run('SET', 'k', 'v')).toBe('OK');
    const other = h.connect();
    expect(h.runAs(other, 'GET', 'k')).toEqual(noauth);
    expect(h.runAs(other, 'AUTH', 'default', 's3cret')).toBe('OK');
    expect(h.runAs(other, 'GET', 'k')).toBe('v');
  });

  it('HELLO answers in RESP2 without a version or with 2, and refuses versions but 2 and 3', () => {
    const h = new CommandHarness();
    expect(h.run('HELLO', '4')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(h.run('HELLO', '1')).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(h.run('HELLO', 'x')).toEqual({
      error: 'ERR Protocol version is not an integer or out of range',
    });
    expect(h.run('HELLO', '2', 'FOO')).toEqual({ error: "ERR Syntax error in HELLO option 'FOO'" });
    const reply = h.run('HELLO', '2', 'SETNAME', 'app') as unknown[];
    expect(reply).toEqual([
      'server',
      'redis',
      'version',
      '7.2.0',
      'proto',
      2,
      'id',
      1,
      'mode',
      'standalone',
      'role',
      'master',
      'modules',
      [],
    ]);
    expect(h.run('CLIENT', 'GETNAME')).toBe('app');
    expect((h.run('HELLO') as unknown[])[5]).toBe(2);
  });

  it('HELLO with AUTH authenticates; without it an unauthenticated client is refused', () => {
    const h = new CommandHarness({ requirePass: 'pw' });
    expect(h.run('HELLO', '2')).toEqual({
      error:
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO ' +
        '<proto> AUTH <user> <pass> option can be used to authenticate the client and select the ' +
        'RESP protocol version at the same time',
    });
    expect(h.run('HELLO', '2', 'AUTH', 'default', 'bad')).toEqual({
      error: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect((h.run('HELLO', '2', 'AUTH', 'default', 'pw') as unknown[])[0]).toBe('server');
    expect(h.run('PING')).toBe('PONG');
  });

  it('SELECT accepts database 0 only', () => {
    const h = new CommandHarness();
    expect(h.run('SELECT', '0')).toBe('OK');
    expect(h.run('SELECT', '1')).toEqual({ error: 'ERR DB index is out of range' });
    expect(h.run('SELECT', 'x')).toEqual({ error: 'ERR value is not an integer or out of range' });
  });

  it('QUIT replies OK and asks the connection to close', () => {
    const h = new CommandHarness({ requirePass: 'pw' });
    expect(h.run('QUIT')).toBe('OK');
    expect(h.session.closeRequested).toBe(true);
  });

  it('CLIENT ID, SETNAME, GETNAME, SETINFO, INFO and LIST', () => {
    const h = new CommandHarness();
    expect(h.run('CLIENT', 'ID')).toBe(1);
    expect(h.run('CLIENT', 'GETNAME')).toBeNull();
    expect(h.run('CLIENT', 'SETNAME', 'worker-1')).toBe('OK');
    expect(h.run('CLIENT', 'SETNAME', 'bad name')).toEqual({
      error: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
    expect(h.run('CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis')).toBe('OK');
    expect(h.run('CLIENT', 'SETINFO', 'lib-ver', '5.0.0')).toBe('OK');
    expect(h.run('CLIENT', 'SETINFO', 'lib-ver', 'a b')).toEqual({
      error: 'ERR lib-ver cannot contain spaces, newlines or special characters.',
    });
    expect(h.run('CLIENT', 'SETINFO', 'color', 'x')).toEqual({
      error: "ERR Unrecognized option 'color'",
    });
    const info = h.run('CLIENT', 'INFO') as string;
    expect(info).toMatch(
      /^id=1 addr=127\.0\.0\.1:50000 laddr=127\.0\.0\.1:6379 .*name=worker-1 .*cmd=client\|info .*lib-name=ioredis lib-ver=5\.0\.0\n$/,
    );
    h.connect();
    const list = h.run('CLIENT', 'LIST') as string;
    expect(list.split('\n').filter(Boolean)).toHaveLength(2);
    expect((h.run('CLIENT', 'LIST', 'ID', '2') as string).startsWith('id=2 ')).toBe(true);
    expect(h.run('CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('');
    expect(h.run('CLIENT', 'NOPE')).toEqual({
      error: "ERR unknown subcommand 'NOPE'. Try CLIENT HELP.",
    });
    expect(h.run('CLIENT')).toEqual({
      error: "ERR wrong number of arguments for 'client' command",
    });
    expect(h.run('CLIENT', 'ID', 'extra')).toEqual({
      error: "ERR wrong number of arguments for 'client|id' command",
    });
    expect((h.run('CLIENT', 'HELP') as string[])[0]).toMatch(/^CLIENT <subcommand>/);
  });

  it('RESET leaves MULTI, watches and subscriptions, and returns to RESP2, unnamed and unauthenticated', () => {
    const h = new CommandHarness({ requirePass: 'pw' });
    expect(h.run('AUTH', 'pw')).toBe('OK');
    h.run('CLIENT', 'SETNAME', 'bob');
    h.wire('HELLO', '3');
    h.run('WATCH', 'k');
    h.run('MULTI');
    h.wire('SUBSCRIBE', 'c');
    expect(h.wire('RESET')).toBe('+RESET\r\n');
    expect(h.session.transaction).toBeUndefined();
    expect(h.session.watched).toBeUndefined();
    expect(h.session.subscriptions.active).toBe(false);
    expect(h.server.pubsub.count('channel', 'c')).toBe(0);
    expect(h.session.resp3).toBe(false);
    expect(h.session.name).toBe('');
    expect(h.run('GET', 'k')).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(h.wire('RESET')).toBe('+RESET\r\n');
  });
});
