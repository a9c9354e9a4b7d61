import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { FreeSlots } from './free-slots.ts';

type Step =
  | { readonly kind: 'add'; readonly slot: number }
  | { readonly kind: 'delete'; readonly slot: number }
  | { readonly kind: 'takeLowest' }
  | { readonly kind: 'resize'; readonly capacity: number };

describe('FreeSlots', () => {
  it('behaves like a sorted set of slots across resizes', () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('add'), slot: fc.nat(70_000) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete'), slot: fc.nat(70_000) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('takeLowest') }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('resize'),
          capacity: fc.integer({ min: 1, max: 70_001 }),
        }),
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70_001 }),
        fc.array(step, { maxLength: 300 }),
        (initial, steps) => {
          const set = new FreeSlots(initial);
          const model = new Set<number>();
          const lowest = (): number => (model.size === 0 ? -1 : Math.min(...model));
          for (const s of steps) {
            if (s.kind === 'add') {
              const slot = s.slot % set.capacity;
              if (!model.has(slot)) {
                set.add(slot);
                model.add(slot);
              }
            } else if (s.kind === 'delete') {
              const slot = s.slot % set.capacity;
              if (model.has(slot)) {
                set.delete(slot);
                model.delete(slot);
              }
            } else if (s.kind === 'takeLowest') {
              const slot = set.lowest();
              expect(slot).toBe(lowest());
              if (slot !== -1) {
                set.delete(slot);
                model.delete(slot);
              }
            } else {
              // Members at or above the new capacity leave first, as the entry table trims them.
              for (const slot of [...model]) {
                if (slot >= s.capacity) {
                  set.delete(slot);
                  model.delete(slot);
                }
              }
              set.resize(s.capacity);
              expect(set.capacity).toBe(s.capacity);
            }
            expect(set.size).toBe(model.size);
            expect(set.lowest()).toBe(lowest());
          }
          for (const slot of model) expect(set.has(slot)).toBe(true);
          set.clear();
          expect(set.size).toBe(0);
          expect(set.lowest()).toBe(-1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds the lowest of a million slots through its summary levels', () => {
    const set = new FreeSlots(1 << 20);
    set.add(999_999);
    set.add(123_457);
    expect(set.lowest()).toBe(123_457);
    set.delete(123_457);
    expect(set.lowest()).toBe(999_999);
    expect(set.bytes).toBeLessThan((1 << 20) / 8 + 8 * 1024);
  });
});
