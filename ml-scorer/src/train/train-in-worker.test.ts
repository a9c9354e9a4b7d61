import { describe, expect, it } from 'vitest';
import { trainGbdt } from './gbdt.ts';
import { syntheticData } from './synthetic-data.ts';
import { trainInWorker } from './train-in-worker.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

function flat(model: TreeEnsemble): number[][] {
  return model.trees.flatMap((t) =>
    [t.feature, t.threshold, t.left, t.right, t.value].map((a) => Array.from(a)),
  );
}

describe('trainInWorker', () => {
  it('produces the same model as the in-thread trainer for the same seed', async () => {
    const data = syntheticData(8_000, 5, 21);
    const params = { seed: 9, trees: 12 };
    const local = trainGbdt(data.rows, data.labels, 5, params);
    const rows = data.rows.slice();
    const labels = data.labels.slice();
    const remote = await trainInWorker(rows, labels, 5, params);
    // The inputs were transferred, not copied.
    expect(rows.byteLength).toBe(0);
    expect(labels.byteLength).toBe(0);
    expect(remote.baseScore).toBe(local.baseScore);
    expect(remote.featureSchemaVersion).toBe(local.featureSchemaVersion);
    expect(remote.trees[0]!.threshold).toBeInstanceOf(Float32Array);
    expect(flat(remote)).toEqual(flat(local));
  });

  it('rejects with the trainer error', async () => {
    const bad = trainInWorker(new Float32Array(4), new Float32Array(2), 3);
    await expect(bad).rejects.toThrow(/cannot hold 2 rows/);
  });

  it('stops when aborted', async () => {
    const data = syntheticData(50_000, 5, 2);
    const controller = new AbortController();
    const training = trainInWorker(
      data.rows,
      data.labels,
      5,
      { trees: 500 },
      {
        signal: controller.signal,
      },
    );
    controller.abort(new Error('shutting down'));
    await expect(training).rejects.toThrow('shutting down');
  });
});
