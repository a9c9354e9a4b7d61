import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { GhostLists } from './ghost-lists.ts';

type Op =
  | readonly ['push', number, number, number]
  | readonly ['remove', number]
  | readonly ['drop', number];

describe('GhostLists', () => {
  it('matches a model of FIFO lists with sizes under random pushes, removals and drops', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.tuple(fc.constant('push' as const), fc.nat(2), fc.nat(50), fc.integer({ min: 1, max: 9 })),
      fc.tuple(fc.constant('remove' as const), fc.nat(50)),
      fc.tuple(fc.constant('drop' as const), fc.nat(2)),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 500 }), (ops) => {
        const ghosts = new GhostLists(3);
        const model: Array<Array<[number, number]>> = [[], [], []];
        const find = (key: number): number => model.findIndex((l) => l.some(([k]) => k === key));
        const take = (list: number, key: number): void => {
          model[list] = (model[list] ?? []).filter(([k]) => k !== key);
        };
        for (const o of ops) {
          if (o[0] === 'push') {
            const [, list, key, size] = o;
            const was = find(key);
            if (was >= 0) take(was, key);
            model[list]?.push([key, size]);
            ghosts.pushNewest(list, key, size);
          } else if (o[0] === 'remove') {
            const key = o[1];
            const list = find(key);
            expect(ghosts.remove(key)).toBe(list);
            if (list >= 0) {
              expect(ghosts.removedSize).toBe(model[list]?.find(([k]) => k === key)?.[1]);
              take(list, key);
            }
          } else {
            const list = o[1];
            expect(ghosts.dropOldest(list)).toBe((model[list]?.length ?? 0) > 0);
            model[list]?.shift();
          }
          for (let list = 0; list < 3; list++) {
            const entries = model[list] ?? [];
            expect(ghosts.length(list)).toBe(entries.length);
            expect(ghosts.used(list)).toBe(entries.reduce((sum, [, size]) => sum + size, 0));
          }
        }
      }),
    );
  });

  it('forgets every ghost on clear()', () => {
    const ghosts = new GhostLists(2);
    for (let key = 0; key < 500; key++) ghosts.pushNewest(key % 2, key, 1);
    ghosts.clear();
    expect(ghosts.length(0) + ghosts.length(1)).toBe(0);
    expect(ghosts.remove(4)).toBe(-1);
  });
});
