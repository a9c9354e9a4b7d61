/**
 * The tuning harness of the learned policies (docs/learned-eviction.md, "Tuning: what was
 * tried"): the tuning set only, that is arc_OLTP and c2k_web07 plus three seeded synthetic
 * workloads, at 1%, 5% and 10% of the working set (object budget), ML+LRU and ML+LFU, policy
 * seeds 1 and 2. Prints one line per run (miss ratio, gap closed, whether it beats both LRU and
 * LFU) and the means per policy, with LRU, LFU, S3-FIFO, W-TinyLFU and Belady as references.
 *
 *   npx node ml-scorer/bench/ml-tune.ts [--params '{"marginPerNoise":3}'] [--seeds 1,2]
 *       [--policies ml-lru,ml-lfu] [--sizes 0.01,0.05,0.1] [--only arc_OLTP,loop]
 *       [--part 0/2] [--out FILE.jsonl] [--refs FILE.json] [--sources 'spec;spec']
 *
 * `--params` overrides DEFAULT_ML_HYBRID_PARAMS (validated by the policy). `--only` keeps the
 * sources whose name starts with one of the given prefixes. `--part i/n` runs every n-th
 * source × size cell from the i-th (to split a run over processes; `--summary a.jsonl,b.jsonl`
 * then merges their `--out` files and prints the means without running anything). Reference
 * miss ratios are deterministic and cached in `--refs` (default /tmp/ml-tune-refs.json).
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import type { PolicyFactory } from '../../node/src/policy/eviction-policy.ts';
import type { MlBase } from '../../node/src/policy/ml-hybrid.ts';
import { createMlHybridPolicy } from '../../node/src/policy/ml-hybrid.ts';
import type { MlHybridParams } from '../../node/src/policy/ml-hybrid-params.ts';
import type { RequestBatch } from '../src/data/request-batch.ts';
import { openTrace } from '../src/data/trace-file.ts';
import { createSyncTrainer } from '../src/learn/sync-trainer.ts';
import { gapClosed } from '../src/sim/gap.ts';
import { batchesOf, materializeTrace } from '../src/sim/materialized-trace.ts';
import type { MaterializedTrace } from '../src/sim/materialized-trace.ts';
import { resolvePolicy } from '../src/sim/policy-table.ts';
import { simulateMany } from '../src/sim/simulator.ts';
import { summarizeTrace } from '../src/sim/working-set.ts';
import { generateWorkload } from '../src/sim/workloads/workload.ts';
import { parseWorkloadSpec } from '../src/sim/workloads/workload-spec.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const traces = join(root, '..', 'shared', 'traces', 'csv');
const SOURCES: readonly string[] = [
  'arc_OLTP',
  'c2k_web07',
  'loop:keys=20000,loop=6000,share=0.3,alpha=0.8,requests=300000,seed=1',
  'onehit:keys=20000,share=0.4,alpha=0.8,requests=300000,seed=2',
  'shifting:keys=50000,alpha=0.9,period=50000,shift=0.1,requests=300000,seed=3',
];
const REFERENCES = ['lru', 'lfu', 's3fifo', 'wtinylfu', 'belady'] as const;

const { values } = parseScriptArgs({
  options: {
    params: { type: 'string', default: '{}' },
    seeds: { type: 'string', default: '1,2' },
    policies: { type: 'string', default: 'ml-lru,ml-lfu' },
    sizes: { type: 'string', default: '0.01,0.05,0.1' },
    only: { type: 'string' },
    part: { type: 'string', default: '0/1' },
    out: { type: 'string' },
    refs: { type: 'string', default: '/tmp/ml-tune-refs.json' },
    summary: { type: 'string' },
    sources: { type: 'string' },
  },
});

interface Run {
  source: string;
  fraction: number;
  policy: string;
  seed: number;
  missRatio: number;
  gap: number;
  beatsBoth: boolean;
  refs: Record<string, number>;
  stats: Record<string, number>;
}

if (values.summary !== undefined) {
  const runs = values.summary
    .split(',')
    .flatMap((f) => readFileSync(f, 'utf8').trim().split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Run);
  summarize(runs);
} else {
  await main();
}

async function main(): Promise<void> {
  const params = JSON.parse(values.params) as Partial<MlHybridParams>;
  const seeds = values.seeds.split(',').map(Number);
  const policies = values.policies.split(',');
  const sizes = values.sizes.split(',').map(Number);
  const only = values.only?.split(',');
  const [part, parts] = values.part.split('/').map(Number) as [number, number];
  const refs = loadRefs(values.refs);
  if (values.out !== undefined) writeFileSync(values.out, '');
  const runs: Run[] = [];
  let cell = 0;
  // `--sources a;b`: other sources than the tuning set's (trace names or workload specs).
  for (const source of values.sources?.split(';') ?? SOURCES) {
    const name = shortName(source);
    if (only !== undefined && !only.some((o) => name.startsWith(o))) {
      cell += sizes.length;
      continue;
    }
    let trace: MaterializedTrace | undefined;
    for (const fraction of sizes) {
      if (cell++ % parts !== part) continue;
      trace ??= await materializeTrace(open(source));
      const { uniqueObjects } = await summarizeTrace(batchesOf(trace));
      const capacity = Math.floor(fraction * uniqueObjects);
      const ref: Record<string, number> = {};
      for (const policy of REFERENCES) {
        // Keyed by the full source, not its short name: a cold `onehit` spec and the tuning set's share one.
        const key = `${source}|${fraction}|${policy}`;
        if (refs[key] === undefined) {
          const [r] = await simulateMany(batchesOf(trace), [
            { factory: resolvePolicy(policy, true)!, capacity, ignoreSize: true, seed: 1 },
          ]);
          refs[key] = r!.missRatio;
          saveRefs(values.refs, refs);
        }
        ref[policy] = refs[key];
      }
      for (const policy of policies) {
        for (const seed of seeds) {
          let live: { stats(): object } | undefined;
          const factory: PolicyFactory = (o) => {
            const p = createMlHybridPolicy({
              ...o,
              base: policy.slice(3) as MlBase,
              trainer: createSyncTrainer(),
              params,
            });
            live = p;
            return p;
          };
          const [r] = await simulateMany(batchesOf(trace), [
            { factory, capacity, ignoreSize: true, seed },
          ]);
          const missRatio = r!.missRatio;
          const run: Run = {
            source: name,
            fraction,
            policy,
            seed,
            missRatio,
            gap: gapClosed(ref.lru!, missRatio, ref.belady!) ?? 0,
            beatsBoth: missRatio < ref.lru! && missRatio < ref.lfu!,
            refs: ref,
            stats: pick((live?.stats() ?? {}) as Record<string, number>),
          };
          runs.push(run);
          if (values.out !== undefined) appendFileSync(values.out, `${JSON.stringify(run)}\n`);
          console.log(
            `${name.padEnd(9)} ${String(fraction * 100).padStart(3)}% ${policy} s${seed}: ` +
              `miss ${missRatio.toFixed(4)} (lru ${ref.lru!.toFixed(4)} lfu ${ref.lfu!.toFixed(4)})` +
              ` gap ${pct(run.gap)} ${run.beatsBoth ? 'W' : '-'} margin ${
                run.stats.challengeMargin?.toFixed(2) ?? '?'
              } fallbacks ${run.stats.shadowFallbacks ?? '?'}`,
          );
        }
      }
    }
  }
  summarize(runs);
}

function summarize(runs: readonly Run[]): void {
  const lines: string[] = [];
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    for (const g of [run.policy, `${run.policy} ${realOrSynthetic(run.source)}`]) {
      groups.set(g, [...(groups.get(g) ?? []), run]);
    }
  }
  for (const [group, rs] of [...groups].sort()) {
    const mean = (f: (r: Run) => number): number => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    const refGap = (p: string): number =>
      mean((r) => gapClosed(r.refs.lru!, r.refs[p]!, r.refs.belady!) ?? 0);
    lines.push(
      `${group.padEnd(17)} runs ${String(rs.length).padStart(2)}  gap ${pct(mean((r) => r.gap))}` +
        `  beats both ${rs.filter((r) => r.beatsBoth).length}/${rs.length}` +
        `  (lfu ${pct(refGap('lfu'))}, s3fifo ${pct(refGap('s3fifo'))}, wtinylfu ${pct(
          refGap('wtinylfu'),
        )})`,
    );
  }
  console.log(lines.join('\n'));
}

function pick(stats: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [
    'modelEvictions',
    'priorEvictions',
    'priorGuardTrips',
    'baseEvictions',
    'shadowFallbacks',
    'challengeMargin',
    'lastDisagreement',
    'modelVersion',
    'baseSwitches',
    'otherBaseActive',
  ]) {
    if (typeof stats[k] === 'number') out[k] = stats[k];
  }
  return out;
}

function open(source: string): AsyncIterable<RequestBatch> | Iterable<RequestBatch> {
  return source.includes(':')
    ? generateWorkload(parseWorkloadSpec(source))
    : openTrace(join(traces, `${source}.csv.zst`)).batches;
}

function shortName(source: string): string {
  return source.includes(':') ? source.slice(0, source.indexOf(':')) : source;
}

function realOrSynthetic(name: string): string {
  return name.includes('_') ? 'real' : 'synthetic';
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`.padStart(6);
}

function loadRefs(file: string): Record<string, number> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
}

/**
 * Merges into the file rather than overwriting it: `--part` processes sharing one refs file
 * each add their own cells, and a plain write would drop the other part's. The file is replaced
 * by a rename, so that a part reading it never sees another part's write half done (it did: the
 * reader failed with "Unexpected end of JSON input" and its part stopped).
 */
function saveRefs(file: string, refs: Record<string, number>): void {
  Object.assign(refs, { ...loadRefs(file), ...refs });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(refs, null, 1));
  renameSync(partial, file);
}
