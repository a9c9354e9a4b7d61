import { describe, expect, it } from 'vitest';

import { createBackgroundEviction } from './background-eviction.ts';

/** A store that has `owed` victims to evict, and a scheduler that queues runs until `drain`. */
function setUp(owed: number, batch = 10) {
  const state = { owed, calls: [] as number[] };
  const queue: (() => void)[] = [];
  const store = {
    evictAhead(max: number): boolean {
      state.calls.push(max);
      state.owed -= Math.min(max, state.owed);
      return state.owed > 0;
    },
  };
  const eviction = createBackgroundEviction({ store, schedule: (run) => queue.push(run), batch });
  const step = (): void => queue.shift()?.();
  return { state, queue, eviction, step };
}

describe('background eviction', () => {
  it('runs one batch per turn until the store has caught up, then stops', () => {
    const { state, queue, eviction, step } = setUp(25);
    eviction.due();
    expect(state.calls).toEqual([]);
    expect(queue).toHaveLength(1);
    step();
    step();
    expect(state.owed).toBe(5);
    step();
    expect(state.calls).toEqual([10, 10, 10]);
    expect(queue).toHaveLength(0);
    expect(eviction.runs).toBe(3);
  });

  it('coalesces: due() while a run is pending schedules nothing more', () => {
    const { queue, eviction, step } = setUp(15);
    eviction.due();
    eviction.due();
    expect(queue).toHaveLength(1);
    step();
    eviction.due();
    expect(queue).toHaveLength(1);
    step();
    expect(queue).toHaveLength(0);
    // Caught up: the next due() schedules again.
    eviction.due();
    expect(queue).toHaveLength(1);
  });

  it('does nothing after close, even for a run already scheduled', () => {
    const { state, queue, eviction, step } = setUp(100);
    eviction.due();
    eviction.close();
    step();
    eviction.due();
    expect(state.calls).toEqual([]);
    expect(queue).toHaveLength(0);
  });

  it('reports a failing run to onError and starts over at the next due()', () => {
    const queue: (() => void)[] = [];
    const errors: unknown[] = [];
    let fail = true;
    const eviction = createBackgroundEviction({
      store: {
        evictAhead: () => {
          if (fail) throw new Error('policy chose an empty slot');
          return false;
        },
      },
      schedule: (run) => queue.push(run),
      onError: (error) => errors.push(error),
    });
    eviction.due();
    queue.shift()!();
    expect(errors).toHaveLength(1);
    fail = false;
    eviction.due();
    expect(queue).toHaveLength(1);
    queue.shift()!();
    expect(errors).toHaveLength(1);
  });

  it('refuses a batch below 1', () => {
    expect(() =>
      createBackgroundEviction({
        store: { evictAhead: () => false },
        schedule: () => {},
        batch: 0,
      }),
    ).toThrow(/batch/);
  });
});
