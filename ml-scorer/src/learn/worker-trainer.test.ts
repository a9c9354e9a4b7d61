import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../node/src/util/clock.ts';
import { createMlHybridPolicy } from '../../../node/src/policy/ml-hybrid.ts';
import { replay } from '../../../node/src/policy/test-replay.ts';
import { syntheticData } from '../train/synthetic-data.ts';
import { mixedWorkload } from './mixed-workload.ts';
import { createWorkerTrainer } from './worker-trainer.ts';

describe('the worker trainer behind the policy’s trainer port (the node’s set-up)', () => {
  it('trains in a worker thread while the policy keeps evicting, then installs the model', async () => {
    const trainer = createWorkerTrainer();
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 1000,
      trainer,
      clock: new ManualClock(),
      params: { firstTrainAt: 2048 },
    });
    const { keys } = mixedWorkload({ requests: 60_000, seed: 8 });
    // Dense key ids for the replay helper.
    const ids = new Map<number, number>();
    const dense = Array.from(keys, (k) => ids.get(k) ?? (ids.set(k, ids.size), ids.size - 1));
    replay(dense.slice(0, 30_000), ids.size, policy, { capacity: 1000 });
    expect(policy.stats().trainings).toBe(1);
    expect(policy.stats().modelVersion).toBe(0); // still training: evictions went to the base
    for (let i = 0; i < 200 && policy.stats().modelVersion === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(policy.stats().modelVersion).toBe(1);
    // A fresh cache on the same policy (FLUSHALL): the model stays.
    policy.clear();
    replay(dense.slice(30_000), ids.size, policy, { capacity: 1000 });
    expect(policy.stats().modelEvictions).toBeGreaterThan(0);
    trainer.close();
  }, 30_000);
});

describe('createWorkerTrainer', () => {
  const job = (seed: number, n = 3_000) => {
    const data = syntheticData(n, 12, seed);
    return { rows: data.rows, labels: data.labels, nFeatures: 12, seed };
  };

  it('keeps one worker thread for every job, and close() ends it and rejects the job in flight', async () => {
    const trainer = createWorkerTrainer({ trees: 4 });
    expect(trainer.threadId).toBeUndefined();
    const threads: (number | undefined)[] = [];
    for (let seed = 1; seed <= 3; seed++) {
      const model = await trainer.train(job(seed));
      expect(model.trees).toHaveLength(4);
      threads.push(trainer.threadId);
    }
    expect(threads[0]).toBeGreaterThan(0);
    expect(new Set(threads).size).toBe(1);
    const slow = createWorkerTrainer({ trees: 500 });
    const inFlight = slow.train(job(4, 50_000));
    expect(slow.threadId).toBeGreaterThan(0);
    slow.close();
    await expect(inFlight).rejects.toThrow('the trainer was closed');
    expect(slow.threadId).toBeUndefined();
    // The first trainer is untouched by the other's close, and reusable after its own.
    expect((await trainer.train(job(5))).trees).toHaveLength(4);
    expect(trainer.threadId).toBe(threads[0]);
    trainer.close();
    expect(trainer.threadId).toBeUndefined();
    expect((await trainer.train(job(6))).trees).toHaveLength(4);
    expect(trainer.threadId).not.toBe(threads[0]);
    trainer.close();
  }, 30_000);
});
