import { describe, expect, it } from 'vitest';
import { Store } from '../../core/store.ts';
import { CommandArgs } from '../../protocol/resp/command-args.ts';
import { ManualClock } from '../../util/clock.ts';
import { dispatch } from './dispatch.ts';
import { renderInfo } from './info.ts';
import { CommandHarness } from './testing/command-harness.ts';

/** Each command's [calls, failed calls, rejected calls], as metrics read them. */
function countsOf(h: CommandHarness): Map<string, [number, number, number]> {
  const seen = new Map<string, [number, number, number]>();
  h.server.stats.forEachCommand((name, calls, errors, rejected) =>
    seen.set(name, [calls, errors, rejected]),
  );
  return seen;
}

describe('dispatch', () => {
  it("reports unknown commands with Redis's wording", () => {
    const h = new CommandHarness();
    expect(h.run('FOO', 'a', 'b')).toEqual({
      error: "ERR unknown command 'FOO', with args beginning with: 'a' 'b' ",
    });
    const long = 'x'.repeat(200);
    const reply = h.run('FOO', long, 'next') as { error: string };
    expect(reply.error).toBe(
      `ERR unknown command 'FOO', with args beginning with: '${'x'.repeat(128)}' `,
    );
    expect(h.wire('FOO\r\nBAR')).toBe(
      "-ERR unknown command 'FOO  BAR', with args beginning with: \r\n",
    );
  });

  it('looks commands up without regard to case', () => {
    const h = new CommandHarness();
    expect(h.run('pInG')).toBe('PONG');
    expect(h.run('config', 'get', 'DATABASES')).toEqual(['databases', '1']);
  });

  it('counts calls, failed and rejected calls per command, subcommands under their full name', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'v');
    h.run('GET', 'k');
    h.run('GET', 'k');
    h.run('GET');
    h.run('INCR', 'k');
    h.run('CONFIG', 'GET', 'save');
    h.run('CONFIG', 'GET');
    h.run('CONFIG', 'NOPE');
    h.run('NOPE');
    const seen = countsOf(h);
    // As redis-server 7.0: a refused call is not a call; an unknown subcommand counts nowhere.
    expect(seen.get('get')).toEqual([2, 0, 1]);
    expect(seen.get('set')).toEqual([1, 0, 0]);
    expect(seen.get('incr')).toEqual([1, 1, 0]);
    expect(seen.get('config|get')).toEqual([1, 0, 1]);
    expect(seen.has('config')).toBe(false);
    expect(seen.has('ping')).toBe(false);
    expect(h.server.stats.errorReplies).toBe(5);
    expect(h.server.stats.totalCommands).toBe(9);
  });

  it('rejects refusals in and around MULTI, and fails an aborted EXEC, as redis-server 7.0', () => {
    const h = new CommandHarness({ requirePass: 'pw' });
    h.run('GET', 'k');
    h.run('AUTH', 'pw');
    h.run('MULTI');
    h.run('SET', 'k');
    h.run('EXEC');
    h.run('EXEC', 'extra');
    const seen = countsOf(h);
    expect(seen.get('get')).toEqual([0, 0, 1]);
    expect(seen.get('set')).toEqual([0, 0, 1]);
    expect(seen.get('exec')).toEqual([1, 1, 1]);
    expect(renderInfo(h.server, ['commandstats'])).toContain(
      'cmdstat_set:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n',
    );
  });

  it('refuses writes with MISCONF while persistence is not writable', () => {
    const clock = new ManualClock();
    let writable = true;
    const persistence = {
      put: () => {},
      delete: () => {},
      clear: () => {},
      barrier: () => undefined,
      get writable() {
        return writable;
      },
    };
    const h = new CommandHarness({ store: new Store({ clock, persistence }) });
    h.run('SET', 'k', 'v');
    writable = false;
    const misconf = {
      error:
        "MISCONF Errors writing to the persistence layer; writes are refused until it recovers (see the node's logs)",
    };
    expect(h.run('SET', 'k', 'w')).toEqual(misconf);
    expect(h.run('DEL', 'k')).toEqual(misconf);
    expect(h.run('EXPIRE', 'k', '10')).toEqual(misconf);
    expect(h.run('FLUSHALL')).toEqual(misconf);
    expect(h.run('GET', 'k')).toBe('v');
    writable = true;
    expect(h.run('DEL', 'k')).toBe(1);
  });

  it('answers a command whose handler throws with an internal error and goes on', () => {
    const store = new Store({ clock: new ManualClock() });
    const broken = {
      get: () => {
        throw new Error('boom');
      },
      stats: () => store.stats(),
      durable: () => undefined,
    } as unknown as Store;
    const h = new CommandHarness({ store: broken });
    expect(h.run('GET', 'k')).toEqual({ error: 'ERR internal error' });
    expect(h.run('PING')).toBe('PONG');
  });

  it('returns EXEC as a write to wait durability for when a queued write ran, and only then', () => {
    const h = new CommandHarness();
    const exec = (): string | undefined => {
      const args = CommandArgs.fromBuffers([Buffer.from('EXEC')]);
      const write = dispatch(h.session, args, h.writer);
      h.writer.take();
      return write?.fullName;
    };
    h.run('MULTI');
    h.run('GET', 'k');
    expect(exec()).toBeUndefined();
    h.run('MULTI');
    h.run('GET', 'k');
    h.run('SET', 'k', 'v');
    expect(exec()).toBe('exec');
    // A write that failed (OOM, a wrong type of value) leaves nothing to wait for.
    h.run('MULTI');
    h.run('INCR', 'k');
    expect(exec()).toBeUndefined();
  });
});
