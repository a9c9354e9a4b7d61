import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';
import type { Session } from '../session.ts';

/** Points a session's pushes at an array (the connection points them at its socket). */
function capture(session: Session): string[] {
  const frames: string[] = [];
  session.push = (frame) => frames.push(frame.toString('latin1'));
  return frames;
}

const invalidate = (key: string): string =>
  `>2\r\n$10\r\ninvalidate\r\n*1\r\n$${key.length}\r\n${key}\r\n`;

describe('CLIENT TRACKING on a node', () => {
  it('shows tracking in CLIENT LIST (flags t, B, R and redir), INFO and CONFIG', () => {
    const h = new CommandHarness();
    const other = h.connect();
    h.run('HELLO', '3');
    expect(h.run('CONFIG', 'GET', 'tracking-table-max-keys')).toEqual([
      'tracking-table-max-keys',
      '1000000',
    ]);
    expect(h.run('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(other.id))).toBe('OK');
    expect(h.run('CLIENT', 'LIST', 'ID', String(h.session.id))).toMatch(
      new RegExp(` flags=t db=0 .* redir=${other.id} resp=3 `),
    );
    h.run('GET', 'a');
    expect(h.run('INFO', 'clients')).toMatch(/\r\ntracking_clients:1\r\n/);
    expect(h.run('INFO', 'stats')).toMatch(
      /tracking_total_keys:1\r\ntracking_total_items:1\r\ntracking_total_prefixes:0\r\n/,
    );
    h.server.sessions.delete(other.id);
    h.runAs(other, 'SET', 'a', '1');
    expect(h.run('CLIENT', 'LIST', 'ID', String(h.session.id))).toMatch(/ flags=tR db=0 /);
    h.run('CLIENT', 'TRACKING', 'OFF');
    h.run('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b');
    expect(h.run('CLIENT', 'LIST', 'ID', String(h.session.id))).toMatch(
      / flags=tB db=0 .* redir=0 /,
    );
    expect(h.run('INFO', 'stats')).toMatch(/tracking_total_prefixes:2\r\n/);
    expect(h.run('CONFIG', 'SET', 'tracking-table-max-keys', '-1')).toEqual({
      error:
        "ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - " +
        'argument must be between 0 and 9223372036854775807 inclusive',
    });
    expect(h.run('RESET')).toBe('RESET');
    expect(h.run('CLIENT', 'LIST', 'ID', String(h.session.id))).toMatch(/ flags=N .* redir=-1 /);
    expect(h.run('INFO', 'clients')).toMatch(/\r\ntracking_clients:0\r\n/);
  });

  it("tracks the keys a script reads for the client that ran it, not EVAL_RO's declared keys", () => {
    const h = new CommandHarness();
    const frames = capture(h.session);
    h.run('HELLO', '3');
    h.run('CLIENT', 'TRACKING', 'ON');
    h.run('EVAL', "return redis.call('GET', 'read')", '1', 'declared');
    h.run('EVAL_RO', "return redis.call('GET', 'read2')", '1', 'declared2');
    const writer = h.connect();
    for (const key of ['declared', 'declared2', 'read', 'read2']) h.runAs(writer, 'SET', key, 'v');
    expect(frames).toEqual([invalidate('read'), invalidate('read2')]);
  });

  it('sends a client its own invalidation after the reply, and after a whole EXEC', () => {
    const h = new CommandHarness();
    h.run('HELLO', '3');
    h.run('CLIENT', 'TRACKING', 'ON');
    h.run('GET', 'k');
    // As the connection does while it runs the client's commands: pushes join the reply stream.
    h.session.push = (frame) => h.writer.raw(frame);
    expect(h.wire('SET', 'k', 'v')).toBe(`+OK\r\n${invalidate('k')}`);
    h.run('GET', 'k');
    h.run('MULTI');
    h.run('SET', 'k', 'w');
    h.run('GET', 'k');
    h.run('DEL', 'k');
    expect(h.wire('EXEC')).toBe(
      `*3\r\n+OK\r\n$1\r\nw\r\n:1\r\n${invalidate('k')}${invalidate('k')}`,
    );
  });

  it('keeps WATCH working beside tracking: both hear every change', () => {
    const h = new CommandHarness();
    const frames = capture(h.session);
    h.run('HELLO', '3');
    h.run('CLIENT', 'TRACKING', 'ON');
    h.run('GET', 'k');
    const watcher = h.connect();
    h.runAs(watcher, 'WATCH', 'k');
    h.runAs(h.connect(), 'SET', 'k', 'v');
    h.runAs(watcher, 'MULTI');
    h.runAs(watcher, 'GET', 'k');
    expect(h.runAs(watcher, 'EXEC')).toBeNull();
    expect(frames).toEqual([invalidate('k')]);
    h.run('CLIENT', 'TRACKING', 'OFF');
    h.runAs(watcher, 'WATCH', 'k');
    h.runAs(h.connect(), 'SET', 'k', 'w');
    h.runAs(watcher, 'MULTI');
    expect(h.runAs(watcher, 'EXEC')).toBeNull();
  });
});
