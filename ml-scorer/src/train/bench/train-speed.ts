/**
 * Training time on 262,144 rows × 11 features, 32 trees × 32 leaves (research note §4.4), in
 * this thread and in a worker, and the cost of the TS `predict` per row.
 * Run: npx node ml-scorer/src/train/bench/train-speed.ts [rows] [features] [repeats]
 */
import { trainGbdt } from '../gbdt.ts';
import { rmse } from '../metrics.ts';
import { syntheticData } from '../synthetic-data.ts';
import { trainInWorker } from '../train-in-worker.ts';
import { FlatEnsemble } from '../flat-ensemble.ts';
import { nodeCount, predict } from '../tree-ensemble.ts';

const nRows = Number(process.argv[2] ?? 262_144);
const nFeatures = Number(process.argv[3] ?? 11);
const repeats = Number(process.argv[4] ?? 3);
const data = syntheticData(nRows, nFeatures, 1);
const probe = syntheticData(16_384, nFeatures, 2);

for (let i = 0; i < repeats; i++) {
  const start = performance.now();
  const model = trainGbdt(data.rows, data.labels, nFeatures);
  const ms = performance.now() - start;
  const out = new Float32Array(probe.labels.length);
  predict(model, probe.rows, nFeatures, out);
  console.log(
    `in-thread: ${ms.toFixed(0)} ms, ${nodeCount(model)} nodes, held-out RMSE ${rmse(out, probe.labels).toFixed(4)}`,
  );
}
{
  const start = performance.now();
  await trainInWorker(data.rows.slice(), data.labels.slice(), nFeatures);
  console.log(`in a worker (incl. start-up): ${(performance.now() - start).toFixed(0)} ms`);
}

const model = trainGbdt(data.rows, data.labels, nFeatures);
const out = new Float32Array(16);
const flat = new FlatEnsemble(model);
for (const batch of [16, 16_384]) {
  const rounds = Math.max(1, Math.floor(2_000_000 / batch));
  const o = batch === 16 ? out : new Float32Array(batch);
  predict(model, probe.rows, nFeatures, o, batch); // warm up
  const start = performance.now();
  for (let r = 0; r < rounds; r++) predict(model, probe.rows, nFeatures, o, batch);
  const nsPerRow = ((performance.now() - start) * 1e6) / (rounds * batch);
  console.log(
    `predict, batches of ${batch}: ${(nsPerRow / 1000).toFixed(2)} µs per row (32 trees)`,
  );
  const flatStart = performance.now();
  for (let r = 0; r < rounds; r++) flat.predict(probe.rows, o, batch);
  const flatNs = ((performance.now() - flatStart) * 1e6) / (rounds * batch);
  console.log(`FlatEnsemble, batches of ${batch}: ${(flatNs / 1000).toFixed(2)} µs per row`);
}
