import { describe, expect, it } from 'vitest';

import type { Flushable } from './turn-end.ts';
import { TurnEnd } from './turn-end.ts';

/** A TurnEnd whose turn ends when the test says (`end`), and a log of what ran. */
function setUp() {
  const turns: (() => void)[] = [];
  const log: string[] = [];
  const turnEnd = new TurnEnd((run) => turns.push(run));
  const item = (name: string, then?: () => void): Flushable => ({
    scheduled: false,
    flush() {
      log.push(name);
      then?.();
    },
  });
  const end = (): void => turns.shift()!();
  return { turns, log, turnEnd, item, end };
}

describe('TurnEnd', () => {
  it('flushes every scheduled item once at the end of the turn, then runs later work', () => {
    const { turns, log, turnEnd, item, end } = setUp();
    const a = item('a');
    turnEnd.later(() => log.push('evict'));
    turnEnd.schedule(a);
    turnEnd.schedule(item('b'));
    turnEnd.schedule(a);
    expect(log).toEqual([]);
    expect(turns).toHaveLength(1);
    end();
    // The replies go before the eviction queued ahead of them, and `a` only once.
    expect(log).toEqual(['a', 'b', 'evict']);
    expect(a.scheduled).toBe(false);
    expect(turns).toHaveLength(0);
  });

  it('flushes what a flush schedules in the same turn; later work queued by later work waits', () => {
    const { turns, log, turnEnd, item, end } = setUp();
    const second = item('second');
    turnEnd.schedule(item('first', () => turnEnd.schedule(second)));
    const again = (): void => {
      log.push('evict');
      if (log.filter((x) => x === 'evict').length < 2) turnEnd.later(again);
    };
    turnEnd.later(again);
    end();
    expect(log).toEqual(['first', 'second', 'evict']);
    // The second run waits for the next turn, behind the requests of this one.
    expect(turns).toHaveLength(1);
    turnEnd.schedule(item('reply'));
    end();
    expect(log).toEqual(['first', 'second', 'evict', 'reply', 'evict']);
    expect(turns).toHaveLength(0);
  });

  it('runs every task when one throws, rethrows the first error and keeps working', () => {
    const { turns, log, turnEnd, item, end } = setUp();
    const broken = item('broken', () => {
      throw new Error('first');
    });
    turnEnd.schedule(broken);
    turnEnd.schedule(item('b'));
    turnEnd.later(() => {
      throw new Error('second');
    });
    turnEnd.later(() => log.push('evict'));
    expect(end).toThrow('first');
    expect(log).toEqual(['broken', 'b', 'evict']);
    expect(broken.scheduled).toBe(false);
    turnEnd.schedule(broken);
    expect(turns).toHaveLength(1);
  });
});
