import { describe, expect, it } from 'vitest';
import { Store } from '../../core/store.ts';
import { CommandArgs } from '../../protocol/resp/command-args.ts';
import { ManualClock } from '../../util/clock.ts';
import { dispatch } from './dispatch.ts';
import { CommandHarness } from './testing/command-harness.ts';

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

  it('counts calls and errors per command, subcommands under their full name', () => {
    const h = new CommandHarness();
    h.run('SET', 'k', 'v');
    h.run('GET', 'k');
    h.run('GET', 'k');
    h.run('GET');
    h.run('INCR', 'k');
    h.run('CONFIG', 'GET', 'save');
    h.run('NOPE');
    const seen = new Map<string, [number, number]>();
    h.server.stats.forEachCommand((name, calls, errors) => seen.set(name, [calls, errors]));
    expect(seen.get('get')).toEqual([3, 1]);
    expect(seen.get('set')).toEqual([1, 0]);
    expect(seen.get('incr')).toEqual([1, 1]);
    expect(seen.get('config|get')).toEqual([1, 0]);
    expect(seen.has('ping')).toBe(false);
    expect(h.server.stats.errorReplies).toBe(3);
    expect(h.server.stats.totalCommands).toBe(7);
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
