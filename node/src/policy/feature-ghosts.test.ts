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

  it('stays exact under long churn, where most index entries go stale before a return', () => {
    // Far more claims than buckets: the sweep must delete stale entries, or probes would run
    // through a full table. A Map of key → last claim number is the model.
    const capacity = 1000;
    const ghosts = new FeatureGhosts(capacity);
    const newest = new Map<number, number>();
    let claims = 0;
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let mismatches = 0;
    let returned = 0;
    for (let step = 0; step < 50_000; step++) {
      // 3000 keys spread over 53 bits, so both hash halves matter.
      const key = next(3000) * 2654435761 * 1024 + 5;
      if (next(4) === 0) {
        const last = newest.get(key);
        const live = last !== undefined && claims - last <= capacity;
        const offset = ghosts.take(key);
        if (offset >= 0 !== live) mismatches++;
        if (live) returned++;
        newest.delete(key);
      } else {
        ghosts.claim(key);
        newest.set(key, claims++);
      }
    }
    expect(mismatches).toBe(0);
    expect(returned).toBeGreaterThan(1000);
    let live = 0;
    for (const last of newest.values()) if (claims - last <= capacity) live++;
    expect(ghosts.size).toBe(live);
  });
});
