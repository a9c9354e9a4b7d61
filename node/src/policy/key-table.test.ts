import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { KeyTable } from './key-table.ts';

describe('KeyTable', () => {
  it('behaves like a Map under random set/delete/get, through growth and backward shifts', () => {
    // Few distinct keys, many operations: long probe runs, deletions in their middle.
    const key = fc.oneof(fc.nat(200), fc.constantFrom(0, -1, 2 ** 53 - 1, 2 ** 32, 0.5));
    const op = fc.tuple(fc.constantFrom('set', 'delete', 'get'), key, fc.nat(1_000_000));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const table = new KeyTable();
        const model = new Map<number, number>();
        for (const [kind, k, value] of ops) {
          if (kind === 'set') {
            expect(table.set(k, value)).toBe(model.get(k) ?? -1);
            model.set(k, value);
          } else if (kind === 'delete') {
            expect(table.delete(k)).toBe(model.get(k) ?? -1);
            model.delete(k);
          } else {
            expect(table.get(k)).toBe(model.get(k) ?? -1);
          }
          expect(table.size).toBe(model.size);
        }
        for (const [k, value] of model) expect(table.get(k)).toBe(value);
      }),
    );
  });

  it('forgets everything on clear()', () => {
    const table = new KeyTable();
    for (let k = 0; k < 1000; k++) table.set(k, k);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(5)).toBe(-1);
  });
});
