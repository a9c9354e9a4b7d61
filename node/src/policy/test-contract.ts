import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { PolicyFactory } from './eviction-policy.ts';
import { createRandom } from '../util/random.ts';
import { replay, TestCache } from './test-replay.ts';

/** Key ids spread over the full 53-bit range, so hashing of both 32-bit halves is exercised. */
const keyId = (k: number): number => (k === 0 ? 0 : k * 1_000_003 + 2 ** 40);

type Op =
  | { readonly kind: 'get'; readonly key: number; readonly size: number }
  | { readonly kind: 'set'; readonly key: number; readonly size: number }
  | { readonly kind: 'del'; readonly key: number }
  | { readonly kind: 'pick'; readonly index: number }
  | { readonly kind: 'resize'; readonly capacity: number }
  | { readonly kind: 'flush' };

const ops = (keys: number, maxSize: number): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      {
        weight: 12,
        arbitrary: fc.record({
          kind: fc.constant('get' as const),
          key: fc.nat(keys),
          size: fc.integer({ min: 1, max: maxSize }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          key: fc.nat(keys),
          size: fc.integer({ min: 1, max: maxSize }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('del' as const), key: fc.nat(keys) }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('pick' as const), index: fc.nat(31) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('resize' as const),
          capacity: fc.integer({ min: 1, max: 300 }),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
    ),
    { maxLength: 400 },
  );

/**
 * The contract every policy must keep (`eviction-policy.ts`), checked with fast-check over
 * random GET/SET/DEL/FLUSHALL sequences and candidate picks, with object and byte budgets:
 * the budget is never exceeded, evict() and candidates() only name resident slots, and after
 * clear() nothing is resident. `TestCache` checks all of it after every call.
 */
export function describePolicyContract(
  name: string,
  factory: PolicyFactory,
  options: { readonly skipResizeQuality?: boolean } = {},
): void {
  describe(`${name}: the policy contract`, () => {
    it('keeps an object budget; evict() and candidates() name resident slots only', () => {
      fc.assert(
        fc.property(
          fc.array(fc.nat(60), { maxLength: 600 }),
          fc.integer({ min: 1, max: 40 }),
          fc.nat(),
          (keys, capacity, seed) => {
            const result = replay(keys, 61, factory({ capacity, seed }), { capacity, check: true });
            expect(result.misses).toBeLessThanOrEqual(keys.length);
          },
        ),
      );
    });

    it('keeps a byte budget with mixed sizes, including objects larger than its queues', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(50), fc.integer({ min: 1, max: 300 })), { maxLength: 500 }),
          fc.integer({ min: 1, max: 1000 }),
          fc.nat(),
          (requests, capacity, seed) => {
            // A key keeps the size it was first seen with, as in the traces.
            const sizeOf = new Map<number, number>();
            for (const [key, size] of requests) if (!sizeOf.has(key)) sizeOf.set(key, size);
            const keys = requests.map(([key]) => key);
            const sizes = keys.map((key) => sizeOf.get(key) as number);
            replay(keys, 51, factory({ capacity, seed }), { capacity, sizes, check: true });
          },
        ),
      );
    });

    it('keeps the contract under SET, DEL, candidate picks, resizes and FLUSHALL', () => {
      fc.assert(
        fc.property(
          ops(40, 50),
          fc.integer({ min: 1, max: 300 }),
          fc.nat(),
          (sequence, capacity, seed) => {
            const cache = new TestCache(factory({ capacity, seed }), capacity);
            for (const op of sequence) {
              if (op.kind === 'get') cache.get(keyId(op.key), op.size);
              else if (op.kind === 'set') cache.set(keyId(op.key), op.size);
              else if (op.kind === 'del') cache.del(keyId(op.key));
              else if (op.kind === 'pick') cache.removeCandidate(op.index);
              else if (op.kind === 'resize') cache.resize(op.capacity);
              else cache.flush();
            }
          },
        ),
      );
    });

    if (options.skipResizeQuality !== true) {
      it('after a resize, hits at least as often as a policy built for the new capacity', () => {
        // A skewed stream over 2,000 keys. A policy built for 40 (or 400) sets the bar; one built
        // without a budget, or for 4,000, then resized, must not end more than 3 points below it.
        // One whose queues keep their old shares does (S3-FIFO, ARC and W-TinyLFU from 0 lose 4 to
        // 9 points). Only a floor: W-TinyLFU's hill climber follows another path after a resize,
        // often a better one.
        const random = createRandom(7);
        const keys = Array.from({ length: 60_000 }, () => Math.floor(2000 * random.next() ** 3));
        const tail = (cache: TestCache): number => {
          let hits = 0;
          for (let i = 0; i < keys.length; i++) {
            const hit = cache.get(keyId(keys[i]!));
            if (i >= keys.length / 2 && hit) hits++;
          }
          return hits / (keys.length / 2);
        };
        for (const capacity of [40, 400]) {
          const fresh = tail(new TestCache(factory({ capacity, seed: 1 }), capacity));
          for (const from of [0, 4000]) {
            const resized = new TestCache(factory({ capacity: from, seed: 1 }), from || 1e9);
            for (let i = 0; i < 500; i++) resized.get(keyId(i));
            resized.resize(capacity);
            expect(tail(resized), `${from} → ${capacity}`).toBeGreaterThan(fresh - 0.03);
          }
        }
      });
    }

    it('evicts nothing and lists nothing after clear(), then works again', () => {
      const cache = new TestCache(factory({ capacity: 8 }), 8);
      for (let i = 0; i < 50; i++) cache.get(keyId(i % 13));
      cache.flush();
      expect(cache.keys()).toEqual([]);
      for (let i = 0; i < 50; i++) cache.get(keyId(i % 11));
      expect(cache.keys().length).toBe(8);
    });
  });
}
