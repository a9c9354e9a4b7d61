import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { dispatch } from '../dispatch.ts';
import { CommandHarness } from '../testing/command-harness.ts';

const sha = (body: string): string => createHash('sha1').update(body).digest('hex');

/** Runs a command through the dispatcher and says whether its reply must wait for durability. */
function waitsForDurability(h: CommandHarness, ...args: string[]): boolean {
  const write = dispatch(
    h.session,
    CommandArgs.fromBuffers(args.map((a) => Buffer.from(a))),
    h.writer,
  );
  h.writer.take();
  return write !== undefined;
}

describe('EVAL and EVALSHA', () => {
  it('runs a script against the store, with KEYS and ARGV', () => {
    const h = new CommandHarness();
    const body = 'redis.call("SET", KEYS[1], ARGV[1]) return redis.call("GET", KEYS[1]) .. "!"';
    expect(h.run('EVAL', body, '1', 'k', 'v')).toBe('v!');
    expect(h.run('GET', 'k')).toBe('v');
    expect(h.run('EVALSHA', sha(body), '1', 'k2', 'w')).toBe('w!');
    expect(h.run('EVALSHA', sha(body).toUpperCase(), '1', 'k3', 'x')).toBe('x!');
  });

  it('passes keys, arguments and replies byte for byte', () => {
    const h = new CommandHarness();
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const wire = h.wire(
      'EVAL',
      'redis.call("SET", KEYS[1], ARGV[1]) return redis.call("GET", KEYS[1])',
      '1',
      bytes,
      bytes,
    );
    expect(
      Buffer.from(wire, 'latin1').equals(
        Buffer.concat([Buffer.from('$256\r\n'), bytes, Buffer.from('\r\n')]),
      ),
    ).toBe(true);
    expect(Buffer.from(h.wire('GET', bytes), 'latin1').subarray(6, 262).equals(bytes)).toBe(true);
  });

  it('does arithmetic in doubles, as Lua 5.1 does, not in 32-bit integers', () => {
    const h = new CommandHarness();
    expect(h.run('EVAL', 'return 3600 * 1000 * 24 * 365', '0')).toBe(31536000000);
    expect(h.run('EVAL', 'return tostring(2147483647 + 1) .. " " .. 7 / 2', '0')).toBe(
      '2147483648 3.5',
    );
    expect(h.run('EVAL', 'return tonumber(ARGV[1]) * 1000', '0', '1764000000')).toBe(1764000000000);
    expect(
      h.run('EVAL', 'local n = redis.call("INCRBY", "c", "3000000000") return n * 2', '0'),
    ).toBe(6000000000);
  });

  it('makes the reply of a script that wrote wait for durability, and not one that only read', () => {
    const h = new CommandHarness();
    expect(waitsForDurability(h, 'EVAL', 'return redis.call("GET", "k")', '0')).toBe(false);
    expect(waitsForDurability(h, 'EVAL', 'return redis.call("SET", "k", "v")', '0')).toBe(true);
    // Even when the script fails after writing: what it wrote stays.
    expect(waitsForDurability(h, 'EVAL', 'redis.call("SET", "k", "w") error("late")', '0')).toBe(
      true,
    );
    expect(h.run('GET', 'k')).toBe('w');
    expect(waitsForDurability(h, 'EVAL', 'return redis.pcall("INCR", "k")', '0')).toBe(false);
  });

  it('runs inside MULTI, and EXEC waits for its writes', () => {
    const h = new CommandHarness();
    h.run('MULTI');
    expect(h.run('EVAL', 'return redis.call("INCR", KEYS[1])', '1', 'n')).toBe('QUEUED');
    expect(waitsForDurability(h, 'EXEC')).toBe(true);
    expect(h.run('GET', 'n')).toBe('1');
  });

  it('refuses writes from read-only scripts, and commands no script may run', () => {
    const h = new CommandHarness();
    const refusal = 'ERR Write commands are not allowed from read-only scripts.';
    expect(h.run('EVAL_RO', 'return redis.pcall("SET", "k", "v")', '0')).toEqual({
      error: refusal,
    });
    expect(
      h.run('EVAL', '#!lua flags=no-writes\nreturn redis.pcall("SET", "k", "v")', '0'),
    ).toEqual({
      error: refusal,
    });
    expect(h.run('EXISTS', 'k')).toBe(0);
    for (const command of [
      '"MULTI"',
      '"EXEC"',
      '"WATCH", "k"',
      '"EVAL", "return 1", "0"',
      '"SCRIPT", "FLUSH"',
      '"AUTH", "x"',
      '"CLIENT", "ID"',
    ]) {
      expect(h.run('EVAL', `return redis.pcall(${command})`, '0')).toEqual({
        error: 'ERR This Redis command is not allowed from script',
      });
    }
  });

  it('answers MISCONF for a write while persistence refuses writes', () => {
    const h = new CommandHarness();
    Object.defineProperty(h.store, 'writable', { value: false });
    const reply = h.run('EVAL', 'return redis.pcall("SET", "k", "v")', '0') as { error: string };
    expect(reply.error).toMatch(/^MISCONF/);
    expect(h.run('EVAL', 'return redis.pcall("GET", "k")', '0')).toBe(null);
  });

  it('keeps scripts apart: no global survives a script, KEYS are each call’s own', () => {
    const h = new CommandHarness();
    expect(h.run('EVAL', 'x = 1', '0')).toEqual({
      error: `ERR user_script:1: Attempt to modify a readonly table script: ${sha('x = 1')}, on @user_script:1.`,
    });
    expect(h.run('EVAL', 'return #KEYS .. #ARGV', '2', 'a', 'b', 'c')).toBe('21');
    expect(h.run('EVAL', 'return #KEYS .. #ARGV', '0')).toBe('00');
    expect(h.run('EVAL', 'rawset(string, "len", nil) return 1', '0')).toBe(1);
    // The library tables scripts see are read-only copies: the real ones are untouched.
    expect(h.run('EVAL', 'return string.len("abc")', '0')).toBe(3);
  });

  it('stops a script that runs past the time limit; the server goes on', () => {
    const h = new CommandHarness({ scriptTimeLimitMs: 1000 });
    let now = 0;
    // Every look at the clock (one per 10,000 VM instructions) finds 50 ms more gone.
    h.clock.monotonic = () => (now += 50);
    const reply = h.run('EVAL', 'redis.call("SET", "k", "before") while true do end', '0') as {
      error: string;
    };
    expect(reply.error).toMatch(/^ERR Script ran longer than 1000 ms and was stopped/);
    expect(h.run('GET', 'k')).toBe('before');
    // A script that catches the error is stopped again at its next look at the clock.
    const caught = h.run(
      'EVAL',
      'while true do pcall(function() while true do end end) end',
      '0',
    ) as { error: string };
    expect(caught.error).toMatch(/^ERR Script ran longer than 1000 ms/);
    expect(h.run('EVAL', 'return 1', '0')).toBe(1);
  });

  it('caches scripts: SCRIPT LOAD, EXISTS and FLUSH; EVAL-cached scripts are bounded', () => {
    const h = new CommandHarness();
    expect(h.run('SCRIPT', 'LOAD', 'return 7')).toBe(sha('return 7'));
    expect(h.run('SCRIPT', 'EXISTS', sha('return 7'), sha('return 8'))).toEqual([1, 0]);
    for (let i = 0; i < 502; i++) h.run('EVAL', `return ${i}`, '0');
    expect(
      h.run(
        'SCRIPT',
        'EXISTS',
        sha('return 0'),
        sha('return 1'),
        sha('return 500'),
        sha('return 7'),
      ),
    ).toEqual([0, 1, 1, 1]);
    expect(h.run('INFO', 'memory')).toMatch(/\r\nnumber_of_cached_scripts:501\r\n/);
    expect(h.run('SCRIPT', 'FLUSH')).toBe('OK');
    expect(h.run('INFO', 'memory')).toMatch(
      /\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\n/,
    );
    expect(h.run('EVALSHA', sha('return 7'), '0')).toEqual({
      error: 'NOSCRIPT No matching script. Please use EVAL.',
    });
    expect(h.run('EVAL', 'return 9', '0')).toBe(9);
  });

  it('counts the commands a script runs in INFO commandstats', () => {
    const h = new CommandHarness();
    h.run('EVAL', 'redis.call("SET", "a", "1") redis.call("SET", "b", "2") return 1', '0');
    const stats = h.run('INFO', 'commandstats') as string;
    expect(stats).toMatch(/cmdstat_set:calls=2,/);
    expect(stats).toMatch(/cmdstat_eval:calls=1,/);
  });
});
