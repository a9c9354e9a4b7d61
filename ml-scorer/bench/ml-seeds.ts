/**
 * The learned policies over several seeds, as the tuning rounds of docs/learned-eviction.md
 * report them: per policy, the policy-cells won (lower than both LRU and LFU), the runs where it
 * is the best online policy (lower than LRU, LFU, S3-FIFO and W-TinyLFU; and with exact ties),
 * the mean share of the LRU-to-Belady gap closed and the summed miss ratio; and per seed, the
 * cells where one of the learned policies is the lowest of all online policies.
 *
 *   node ml-scorer/bench/ml-eval.ts --policies ml-lru,ml-lfu --seed 2 --out s2.jsonl   (each seed)
 *   node ml-scorer/bench/ml-seeds.ts s1.jsonl s2.jsonl s3.jsonl s4.jsonl
 *       [--reference docs/data/learned-eval.jsonl]
 *
 * Each file holds one seed's rows of the learned policies; the plain policies' and Belady's rows
 * (seed-independent) come from `--reference`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import type { EvalRow } from '../src/sim/seed-standings.ts';
import { seedStandings } from '../src/sim/seed-standings.ts';

const { values, positionals } = parseScriptArgs({
  allowPositionals: true,
  options: {
    reference: {
      type: 'string',
      default: join(import.meta.dirname, '..', '..', 'docs', 'data', 'learned-eval.jsonl'),
    },
  },
});
if (positionals.length === 0) {
  console.error('usage: ml-seeds.ts RUN.jsonl ... [--reference FILE]');
  process.exit(2);
}
const read = (file: string): EvalRow[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EvalRow);

const { policies, learnedLowest } = seedStandings(read(values.reference), positionals.map(read));
console.log(
  'policy   runs  beats LRU and LFU  best online (with ties)  mean gap  summed miss ratio',
);
for (const p of policies) {
  console.log(
    `${p.policy.padEnd(7)} ${String(p.runs).padStart(5)}  ${String(p.beatsBoth).padStart(17)}  ` +
      `${`${p.bestOnline} (${p.bestOnlineWithTies})`.padStart(23)}  ` +
      `${(100 * p.meanGap).toFixed(2).padStart(7)}%  ${p.summedMissRatio.toFixed(3).padStart(17)}`,
  );
}
console.log(
  `cells where a learned policy is the lowest online policy, per run: ${learnedLowest.join(', ')}` +
    ` (total ${learnedLowest.reduce((a, b) => a + b, 0)})`,
);
