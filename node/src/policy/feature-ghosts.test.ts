import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureGhosts, G_KEY } from './feature-ghosts.ts';

describe('FeatureGhosts', () => {
  it('keeps exactly the newest `capacity` removals that were not taken back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.record({
            key: fc.integer({ min: 0, max: 12 }),
            back: fc.boolean(),
            byTake: fc.boolean(),
          }),
          {
            maxLength: 100,
          },
        ),
        (capacity, events) => {
          const ghosts = new FeatureGhosts(capacity);
          // The model: every claim takes the next ring position; a key is remembered while its
          // newest claim is among the last `capacity` claims and it was not released since.
          const claims: number[] = [];
          const released = new Set<number>();
          for (const e of events) {
            if (e.back && e.byTake) {
              // take: the row's offset while remembered, then forgotten (its key cleared).
              const remembered = ghosts.find(e.key);
              if (remembered >= 0) expect(ghosts.rows[remembered + G_KEY]).toBe(e.key);
              const offset = ghosts.take(e.key);
              expect(offset).toBe(remembered);
              if (offset >= 0) expect(ghosts.rows[offset + G_KEY]).toBeNaN();
              released.add(e.key);
            } else if (e.back) {
              ghosts.release(e.key);
              released.add(e.key);
            } else {
              const offset = ghosts.claim(e.key);
              expect(ghosts.rows[offset + G_KEY]).toBe(e.key);
              claims.push(e.key);
              released.delete(e.key);
            }
          }
          const window = claims.slice(-capacity);
          const expected = new Set(window.filter((k) => !released.has(k)));
          for (let k = 0; k <= 12; k++) expect(ghosts.find(k) >= 0).toBe(expected.has(k));
          expect(ghosts.size).toBe(expected.size);
        },
      ),
      { numRuns: 500 },
    );
  });
});
