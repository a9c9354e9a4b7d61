import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyIndex } from './key-index.ts';

describe('KeyIndex', () => {
  it('behaves like a Map under any sequence of sets and deletes', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        key: fc.integer({ min: -50, max: 300 }),
        value: fc.nat(1000),
      }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: -50, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const index = new KeyIndex(4);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            index.set(o.key, o.value);
            model.set(o.key, o.value);
          } else {
            expect(index.delete(o.key)).toBe(model.delete(o.key));
          }
        }
        expect(index.size).toBe(model.size);
        for (let key = -50; key <= 300; key++) expect(index.get(key)).toBe(model.get(key) ?? -1);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps large and negative keys apart', () => {
    const index = new KeyIndex();
    const keys = [
      2 ** 52 + 1,
      2 ** 52 + 2,
      -(2 ** 40),
      4294967296,
      0,
      4294967295,
      8756849942801480,
    ];
    keys.forEach((key, i) => index.set(key, i));
    keys.forEach((key, i) => expect(index.get(key)).toBe(i));
    expect(index.get(1)).toBe(-1);
  });
});
