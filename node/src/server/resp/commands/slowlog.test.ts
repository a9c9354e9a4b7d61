import { describe, expect, it } from 'vitest';
import { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { logSlowCall } from '../slow-calls.ts';
import { CommandHarness } from '../testing/command-harness.ts';

const args = (...words: string[]): CommandArgs =>
  CommandArgs.fromBuffers(words.map((word) => Buffer.from(word)));

describe('SLOWLOG', () => {
  it('starts empty with Redis defaults, set and read through CONFIG', () => {
    const h = new CommandHarness();
    expect(h.run('SLOWLOG', 'LEN')).toBe(0);
    expect(h.run('SLOWLOG', 'GET')).toEqual([]);
    expect(h.run('CONFIG', 'GET', 'slowlog-*')).toEqual([
      'slowlog-max-len',
      '128',
      'slowlog-log-slower-than',
      '10000',
    ]);
    expect(h.run('CONFIG', 'SET', 'slowlog-log-slower-than', '-1', 'slowlog-max-len', '5')).toBe(
      'OK',
    );
    expect(h.server.slowLog.slowerThanUs).toBe(-1);
    expect(h.server.slowLog.maxLen).toBe(5);
  });

  it("refuses out-of-range settings with Redis's texts, changing nothing", () => {
    const h = new CommandHarness();
    const failed = (name: string, problem: string) => ({
      error: `ERR CONFIG SET failed (possibly related to argument '${name}') - ${problem}`,
    });
    expect(h.run('CONFIG', 'SET', 'slowlog-log-slower-than', '-2')).toEqual(
      failed(
        'slowlog-log-slower-than',
        'argument must be between -1 and 9223372036854775807 inclusive',
      ),
    );
    expect(h.run('CONFIG', 'SET', 'slowlog-max-len', '-1')).toEqual(
      failed('slowlog-max-len', 'argument must be between 0 and 9223372036854775807 inclusive'),
    );
    for (const bad of ['1.5', 'abc', '', '9223372036854775808']) {
      expect(h.run('CONFIG', 'SET', 'slowlog-max-len', bad)).toEqual(
        failed('slowlog-max-len', "argument couldn't be parsed into an integer"),
      );
    }
    expect(h.run('CONFIG', 'GET', 'slowlog-max-len')).toEqual(['slowlog-max-len', '128']);
  });

  it('logs the commands EXEC runs, not EXEC, with their time, client and name', () => {
    const h = new CommandHarness();
    h.run('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    h.run('CLIENT', 'SETNAME', 'batch');
    h.run('MULTI');
    h.run('SET', 'k', 'v');
    h.run('GET', 'k');
    h.run('EXEC');
    // The harness runs commands without a connection, which times them: only EXEC's are logged.
    const seconds = Math.floor(h.clock.now() / 1000);
    expect(h.run('SLOWLOG', 'GET')).toEqual([
      [1, seconds, 0, ['GET', 'k'], '127.0.0.1:50000', 'batch'],
      [0, seconds, 0, ['SET', 'k', 'v'], '127.0.0.1:50000', 'batch'],
    ]);
    expect(h.run('SLOWLOG', 'GET', '1')).toHaveLength(1);
    expect(h.run('SLOWLOG', 'GET', '-1')).toHaveLength(2);
    expect(h.run('SLOWLOG', 'LEN')).toBe(2);
    expect(h.run('SLOWLOG', 'RESET')).toBe('OK');
    expect(h.run('SLOWLOG', 'LEN')).toBe(0);
  });

  it("answers bad counts and extra arguments with Redis's errors", () => {
    const h = new CommandHarness();
    for (const count of ['-2', 'x', '1.5']) {
      expect(h.run('SLOWLOG', 'GET', count)).toEqual({
        error: 'ERR count should be greater than or equal to -1',
      });
    }
    expect(h.run('SLOWLOG', 'get', '1', '2')).toEqual({
      error: "ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.",
    });
    expect(h.run('SLOWLOG', 'LEN', 'x')).toEqual({
      error: "ERR wrong number of arguments for 'slowlog|len' command",
    });
    expect(h.run('SLOWLOG', 'NOPE')).toEqual({
      error: "ERR unknown subcommand 'NOPE'. Try SLOWLOG HELP.",
    });
  });

  it("redacts AUTH's and HELLO AUTH's secrets, as Redis does", () => {
    const h = new CommandHarness();
    h.server.slowLog.slowerThanUs = 0;
    const session = h.session;
    const logged = (...words: string[]): string[] => {
      session.called = h.server.registry.find(words[0]!);
      logSlowCall(session, args(...words), 0.002);
      return h.server.slowLog.newest(1)[0]!.args.map((arg) => arg.toString());
    };
    expect(logged('AUTH', 'secret')).toEqual(['AUTH', '(redacted)']);
    expect(logged('AUTH', 'user', 'secret')).toEqual(['AUTH', '(redacted)', '(redacted)']);
    // A syntax error before Redis redacts: shown as sent.
    expect(logged('AUTH', 'a', 'b', 'c')).toEqual(['AUTH', 'a', 'b', 'c']);
    expect(logged('HELLO', '3', 'AUTH', 'u', 'p', 'SETNAME', 'n', 'auth', 'z')).toEqual([
      'HELLO',
      '3',
      'AUTH',
      '(redacted)',
      '(redacted)',
      'SETNAME',
      'n',
      'auth',
      'z',
    ]);
    expect(h.server.slowLog.newest(1)[0]!.durationUs).toBe(2);
  });

  it('leaves out EXEC and commands that did not run', () => {
    const h = new CommandHarness();
    h.server.slowLog.slowerThanUs = 0;
    h.session.called = h.server.registry.find('exec');
    logSlowCall(h.session, args('EXEC'), 1);
    h.session.called = undefined;
    logSlowCall(h.session, args('GET'), 1);
    expect(h.server.slowLog.length).toBe(0);
  });
});
