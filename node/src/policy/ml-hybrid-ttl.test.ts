import { describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION, MISSING } from './features.ts';
import type { MlHybridPolicy } from './ml-hybrid.ts';
import { createMlHybridPolicy } from './ml-hybrid.ts';
import type { Scorer } from './scorer-port.ts';

const START = 1_700_000_000_000;
const LOG2_SIZE = 8;
const TTL_LEFT = 9;

/**
 * A model that ranks bigger entries farther (so the pool's best beats the base's victim, the
 * smallest entry here) and records feature 9 of every row it scores, by entry size.
 */
function recordingScorer(): { scorer: Scorer; ttlBySize: Map<number, number[]> } {
  const ttlBySize = new Map<number, number[]>();
  const scorer: Scorer = {
    featureSchemaVersion: FEATURE_SCHEMA_VERSION,
    nFeatures: FEATURE_COUNT,
    treeCount: 1,
    predict(rows, out, n) {
      for (let i = 0; i < n; i++) {
        const at = i * FEATURE_COUNT;
        const size = 2 ** rows[at + LOG2_SIZE]!;
        const seen = ttlBySize.get(size) ?? [];
        seen.push(rows[at + TTL_LEFT]!);
        ttlBySize.set(size, seen);
        out[i] = rows[at + LOG2_SIZE]!;
      }
    },
  };
  return { scorer, ttlBySize };
}

/** A byte-budget cache of 14 holding A (slot 0, size 2), B (slot 1, size 4), C (slot 2, size 8). */
function filled(clock: ManualClock | undefined, scorer: Scorer): MlHybridPolicy {
  const policy = createMlHybridPolicy({
    base: 'lru',
    capacity: 14,
    seed: 1,
    scorer,
    ...(clock === undefined ? {} : { clock }),
  });
  [2, 4, 8].forEach((size, slot) => {
    policy.onMiss(100 + slot);
    policy.onInsert(slot, 100 + slot, size);
  });
  return policy;
}

describe('MlHybridPolicy.setExpiry: feature 9 is the TTL left', () => {
  it('gives the remaining ms on the injected clock, 0 once passed, MISSING without an expiry', () => {
    const clock = new ManualClock(START);
    const { scorer, ttlBySize } = recordingScorer();
    const policy = filled(clock, scorer);
    policy.setExpiry(0, START + 5000);
    policy.setExpiry(1, START + 1000);
    clock.advance(1200);

    // The base's victim A is always scored; B and C are the fresh candidates.
    expect(policy.evict()).toBe(2); // C, the biggest, beats A by more than the margin
    expect(ttlBySize.get(2)).toEqual([5000 - 1200]);
    expect(ttlBySize.get(4)).toEqual([0]); // expired 200 ms ago: clamped to 0
    expect(ttlBySize.get(8)).toEqual([MISSING]);
  });

  it('rescores the base victim whose expiry changed instead of reusing its score', () => {
    const clock = new ManualClock(START);
    const { scorer, ttlBySize } = recordingScorer();
    const policy = filled(clock, scorer);
    policy.setExpiry(0, START + 5000);
    clock.advance(1200);
    expect(policy.evict()).toBe(2);
    policy.onMiss(200);
    policy.onInsert(2, 200, 8);

    clock.advance(300);
    policy.setExpiry(0, START + 20_000);
    policy.evict();
    // A stayed the base's victim; its first score would be reused had its TTL not changed.
    expect(ttlBySize.get(2)).toEqual([3800, 20_000 - 1500]);
  });

  it('forgets the expiry on an overwrite and on setExpiry(slot, 0)', () => {
    const clock = new ManualClock(START);
    const { scorer, ttlBySize } = recordingScorer();
    const policy = filled(clock, scorer);
    policy.setExpiry(0, START + 5000);
    policy.setExpiry(1, START + 5000);
    policy.onUpdate(0, 2); // SET without KEEPTTL: the cache calls no setExpiry after it
    policy.setExpiry(1, 0); // PERSIST
    // The overwrite made A the most recent entry, so B (slot 1) is the base's victim now.
    policy.evict();
    expect(ttlBySize.get(2)).toEqual([MISSING]);
    expect(ttlBySize.get(4)).toEqual([MISSING]);
  });

  it('keeps feature 9 MISSING without a clock, as the simulator runs', () => {
    const { scorer, ttlBySize } = recordingScorer();
    const policy = filled(undefined, scorer);
    policy.setExpiry(0, 5000);
    policy.setExpiry(1, START + 5000);
    policy.evict();
    expect(ttlBySize.get(2)).toEqual([MISSING]);
    expect(ttlBySize.get(4)).toEqual([MISSING]);
  });

  it('ignores slots that are not resident', () => {
    const clock = new ManualClock(START);
    const { scorer } = recordingScorer();
    const policy = filled(clock, scorer);
    expect(() => policy.setExpiry(7, START + 1000)).not.toThrow();
    expect(policy.stats().requests).toBe(3);
  });
});
