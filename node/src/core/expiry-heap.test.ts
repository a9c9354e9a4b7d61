import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ExpiryHeap } from './expiry-heap.ts';

describe('ExpiryHeap', () => {
  it('pops slots in expiry order after sets, moves and deletes (against a sorted model)', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), slot: fc.nat(40), time: fc.nat(1000) }),
      fc.record({ kind: fc.constant('set' as const), slot: fc.nat(3000), time: fc.nat(1000) }),
      fc.record({ kind: fc.constant('delete' as const), slot: fc.nat(40) }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300, size: 'max' }), (steps) => {
        const heap = new ExpiryHeap();
        const model = new Map<number, number>();
        for (const s of steps) {
          if (s.kind === 'set') {
            heap.set(s.slot, s.time);
            model.set(s.slot, s.time);
          } else if (s.kind === 'delete') {
            heap.delete(s.slot);
            model.delete(s.slot);
          } else if (model.size > 0) {
            const min = Math.min(...model.values());
            expect(heap.peekTime()).toBe(min);
            const slot = heap.peekSlot();
            expect(model.get(slot)).toBe(min);
            heap.delete(slot);
            model.delete(slot);
          }
          expect(heap.size).toBe(model.size);
        }
        const drained: number[] = [];
        while (heap.size > 0) {
          drained.push(heap.peekTime());
          heap.delete(heap.peekSlot());
        }
        expect(drained).toEqual([...model.values()].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('is empty after clear', () => {
    const heap = new ExpiryHeap();
    heap.set(5, 10);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.peekTime()).toBe(Infinity);
    expect(heap.peekSlot()).toBe(-1);
    heap.delete(5);
    heap.delete(1_000_000);
    expect(heap.size).toBe(0);
  });
});
