import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { LinkedSlots } from './linked-slots.ts';

describe('LinkedSlots', () => {
  it('matches a model of deques under random pushes at both ends, moves and removals', () => {
    const op = fc.tuple(
      fc.constantFrom('back', 'front', 'move', 'remove'),
      fc.nat(2),
      fc.nat(2000), // slots up to 2000 force growth past the initial 1024
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const lists = new LinkedSlots(3);
        const model: number[][] = [[], [], []];
        const ownerOf = (slot: number): number => model.findIndex((l) => l.includes(slot));
        for (const [kind, list, slot] of ops) {
          const owner = ownerOf(slot);
          if (kind === 'remove' || kind === 'move') {
            expect(lists.remove(slot)).toBe(owner);
            if (owner >= 0) model[owner] = (model[owner] ?? []).filter((s) => s !== slot);
            if (kind === 'move' && owner >= 0) {
              lists.pushBack(list, slot);
              model[list]?.push(slot);
            }
          } else if (owner < 0) {
            if (kind === 'back') {
              lists.pushBack(list, slot);
              model[list]?.push(slot);
            } else {
              lists.pushFront(list, slot);
              model[list]?.unshift(slot);
            }
          }
        }
        for (let list = 0; list < 3; list++) {
          const forward: number[] = [];
          for (let s = lists.first(list); s !== -1; s = lists.next(s)) forward.push(s);
          const backward: number[] = [];
          for (let s = lists.last(list); s !== -1; s = lists.prev(s)) backward.push(s);
          expect(forward).toEqual(model[list]);
          expect(backward.reverse()).toEqual(model[list]);
          expect(lists.isEmpty(list)).toBe(model[list]?.length === 0);
        }
      }),
    );
  });

  it('moves a slot to the newest end of another list', () => {
    const lists = new LinkedSlots(2);
    lists.pushBack(0, 1);
    lists.pushBack(0, 2);
    lists.moveToBack(1, 1);
    expect([lists.first(0), lists.first(1), lists.ownerOf(1)]).toEqual([2, 1, 1]);
    lists.clear();
    expect(lists.ownerOf(2)).toBe(-1);
  });

  it('adds lists past the initial count on demand and inserts before a slot', () => {
    const lists = new LinkedSlots(1);
    expect([lists.first(40), lists.last(40), lists.isEmpty(40)]).toEqual([-1, -1, true]);
    lists.pushBack(40, 7);
    lists.pushBack(40, 9);
    lists.insertBefore(40, 8, 9);
    lists.insertBefore(40, 6, 7);
    const forward: number[] = [];
    for (let s = lists.first(40); s !== -1; s = lists.next(s)) forward.push(s);
    expect(forward).toEqual([6, 7, 8, 9]);
    expect([lists.last(40), lists.prev(8), lists.ownerOf(8)]).toEqual([9, 7, 40]);
    lists.clear();
    expect([lists.first(40), lists.ownerOf(8)]).toEqual([-1, -1]);
  });
});
