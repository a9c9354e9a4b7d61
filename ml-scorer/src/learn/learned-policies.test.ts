import { describe, expect, it } from 'vitest';
import { createLfuPolicy } from '../../../node/src/policy/lfu.ts';
import { createLruPolicy } from '../../../node/src/policy/lru.ts';
import type { MlHybridPolicy } from '../../../node/src/policy/ml-hybrid.ts';
import { LEARNED_POLICIES } from '../sim/learned-policies.ts';
import { simulateMany } from '../sim/simulator.ts';
import { mixedWorkload } from './mixed-workload.ts';
import type { RequestBatch } from '../data/request-batch.ts';

/** One batch as a stream (an array would be read as a list of single requests). */
function* once(batch: RequestBatch): Generator<RequestBatch> {
  yield batch;
}

describe(
  'ML+LRU and ML+LFU in the simulator (end to end, synchronous training)',
  { timeout: 60_000 },
  () => {
    const batch = mixedWorkload({ requests: 200_000, seed: 3 });
    const capacity = 2_000;

    it('beats LRU and LFU by a clear margin on a Zipf core with a loop and one-hit wonders', async () => {
      let mlLru: MlHybridPolicy | undefined;
      const results = await simulateMany(once(batch), [
        { factory: createLruPolicy, capacity, ignoreSize: true },
        { factory: createLfuPolicy, capacity, ignoreSize: true },
        {
          factory: (o) => (mlLru = LEARNED_POLICIES['ml-lru']!(o) as MlHybridPolicy),
          capacity,
          ignoreSize: true,
        },
        { factory: LEARNED_POLICIES['ml-lfu']!, capacity, ignoreSize: true },
      ]);
      const [lru, lfu, ml, mlLfu] = results.map((r) => r.missRatio) as [
        number,
        number,
        number,
        number,
      ];
      expect(ml).toBeLessThan(lru - 0.03);
      expect(ml).toBeLessThan(lfu - 0.01);
      expect(mlLfu).toBeLessThan(lfu - 0.01);
      const s = mlLru!.stats();
      expect(s.modelVersion).toBeGreaterThan(0);
      expect(s.trainings).toBeGreaterThan(0);
      expect(s.modelEvictions).toBeGreaterThan(s.baseEvictions);
    });

    it('is deterministic: the same seed gives the same misses', async () => {
      const run = async () =>
        (
          await simulateMany(once(mixedWorkload({ requests: 60_000, seed: 4 })), [
            { factory: LEARNED_POLICIES['ml-lru']!, capacity: 1_000, ignoreSize: true, seed: 9 },
          ])
        )[0]!.misses;
      expect(await run()).toBe(await run());
    });
  },
);
