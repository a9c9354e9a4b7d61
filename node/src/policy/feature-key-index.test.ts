import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyIndex } from './feature-key-index.ts';

describe('KeyIndex', () => {
  it('stores, overwrites and deletes', () => {
    const index = new KeyIndex(4);
    expect(index.get(1)).toBe(-1);
    index.set(1, 10);
    index.set(2 ** 52 + 3, 20);
    index.set(1, 11);
    expect([index.get(1), index.get(2 ** 52 + 3), index.size]).toEqual([11, 20, 2]);
    index.delete(1);
    index.delete(1);
    expect([index.get(1), index.size]).toEqual([-1, 1]);
    index.clear();
    expect([index.get(2 ** 52 + 3), index.size]).toEqual([-1, 0]);
  });

  it('behaves like a Map under any sequence of operations within its capacity', () => {
    const key = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom(2 ** 53 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 * 3),
    );
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.nat(3) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('take' as const), key }),
      fc.record({ kind: fc.constant('deleteIf' as const), key, value: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const capacity = 48; // more than the distinct keys, so the caller's contract holds
        const index = new KeyIndex(capacity);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            index.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            index.delete(o.key);
            model.delete(o.key);
          } else if (o.kind === 'take') {
            expect(index.take(o.key)).toBe(model.get(o.key) ?? -1);
            model.delete(o.key);
          } else {
            index.deleteIf(o.key, o.value);
            if (model.get(o.key) === o.value) model.delete(o.key);
          }
          expect(index.size).toBe(model.size);
        }
        for (let k = 0; k <= 40; k++) expect(index.get(k)).toBe(model.get(k) ?? -1);
        for (const [k, v] of model) expect(index.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });
});
