/**
 * The learned policies' evaluation: every trace of a folder, at 1%, 5% and 10% of the working
 * set, object budget (and byte budget for traces whose sizes differ), through lru, lfu, s3fifo,
 * wtinylfu, ml-lru, ml-lfu and belady. One JSON line per cell on stdout (or --out), which
 * `ml-report.ts` turns into the tables of docs/learned-eviction.md.
 *
 *   npx node ml-scorer/bench/ml-eval.ts [--traces DIR] [--only a,b] [--sizes 0.01,0.05,0.1]
 *       [--byte lcs_cloudPhysicsIO,tencent_photo_sample] [--policies ...] [--out FILE]
 *       [--seed N] [--params '{"priorGuard":false}'] [--entry-overhead 112]
 *
 * `--params` overrides DEFAULT_ML_HYBRID_PARAMS for the ML policies (validated by the policy),
 * as in ml-tune.ts. `--entry-overhead B` (byte budget only) charges every object B bytes beyond
 * its size plus the policy's own per-entry state (`EvictionPolicy.entryOverhead`), as a node's
 * store does with B = 112: policies compared at one memory, not one capacity of data.
 *
 * Each trace is read and materialised once; its read time is reported, so that a cell's time
 * can be given with and without reading. Each policy then replays alone, and its CPU time
 * (user + system, process.cpuUsage) is measured: the machine is shared, and CPU time is less
 * disturbed by other jobs than wall time. The ML policies' synchronous training is inside that
 * time, and also reported on its own. No model is trained ahead of a run: the ML policies start
 * empty on every cell and learn from that cell's past requests only.
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import type { PolicyFactory } from '../../node/src/policy/eviction-policy.ts';
import type { MlBase, MlHybridPolicy } from '../../node/src/policy/ml-hybrid.ts';
import { createMlHybridPolicy } from '../../node/src/policy/ml-hybrid.ts';
import type { MlHybridParams } from '../../node/src/policy/ml-hybrid-params.ts';
import { isTraceFile, openTrace, traceName } from '../src/data/trace-file.ts';
import { createSyncTrainer } from '../src/learn/sync-trainer.ts';
import type { SyncTrainer } from '../src/learn/sync-trainer.ts';
import { batchesOf, materializeTrace } from '../src/sim/materialized-trace.ts';
import { resolvePolicy } from '../src/sim/policy-table.ts';
import { simulateMany } from '../src/sim/simulator.ts';
import { summarizeTrace } from '../src/sim/working-set.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseScriptArgs({
  options: {
    traces: { type: 'string', default: join(root, '..', 'shared', 'traces', 'csv') },
    only: { type: 'string' },
    sizes: { type: 'string', default: '0.01,0.05,0.1' },
    byte: { type: 'string', default: 'lcs_cloudPhysicsIO,tencent_photo_sample' },
    policies: { type: 'string', default: 'lru,lfu,s3fifo,wtinylfu,ml-lru,ml-lfu,belady' },
    out: { type: 'string' },
    seed: { type: 'string', default: '1' },
    params: { type: 'string', default: '{}' },
    'entry-overhead': { type: 'string' },
  },
});
// Byte budget: charge each object this plus the policy's own per-entry state (a node's memory).
const entryOverhead =
  values['entry-overhead'] === undefined ? undefined : Number(values['entry-overhead']);
if (entryOverhead !== undefined && !(entryOverhead >= 0)) {
  throw new RangeError(
    `--entry-overhead must be a number of bytes ≥ 0, got ${values['entry-overhead']}`,
  );
}
const params = JSON.parse(values.params) as Partial<MlHybridParams>;
const sizes = values.sizes.split(',').map(Number);
const byteTraces = new Set(values.byte.split(',').filter((t) => t !== ''));
const policies = values.policies.split(',');
const only = values.only === undefined ? undefined : new Set(values.only.split(','));
const seed = Number(values.seed);
if (values.out !== undefined) writeFileSync(values.out, '');
const emit = (row: Record<string, unknown>): void => {
  const line = `${JSON.stringify(row)}\n`;
  if (values.out === undefined) process.stdout.write(line);
  else appendFileSync(values.out, line);
};

const files = readdirSync(values.traces)
  .filter((f) => isTraceFile(f))
  .sort()
  .filter((f) => only === undefined || only.has(traceName(f)));

for (const file of files) {
  const name = traceName(file);
  let cpu = process.cpuUsage();
  const trace = await materializeTrace(openTrace(join(values.traces, file)).batches);
  const readSeconds = seconds(process.cpuUsage(cpu));
  const summary = await summarizeTrace(batchesOf(trace));
  const modes = byteTraces.has(name) ? [true, false] : [true];
  for (const ignoreSize of modes) {
    for (const fraction of sizes) {
      const workingSet = ignoreSize ? summary.uniqueObjects : summary.uniqueBytes;
      const capacity = Math.floor(fraction * workingSet);
      for (const policy of policies) {
        let learned: { policy?: MlHybridPolicy; trainer?: SyncTrainer } = {};
        const factory: PolicyFactory = policy.startsWith('ml-')
          ? (o) => {
              const trainer = createSyncTrainer();
              const p = createMlHybridPolicy({
                ...o,
                base: policy.slice(3) as MlBase,
                trainer,
                params,
              });
              learned = { policy: p, trainer };
              return p;
            }
          : resolvePolicy(policy, ignoreSize)!;
        cpu = process.cpuUsage();
        const [result] = await simulateMany(batchesOf(trace), [
          {
            factory,
            capacity,
            ignoreSize,
            seed,
            ...(entryOverhead === undefined ? {} : { entryOverhead }),
          },
        ]);
        const cpuSeconds = seconds(process.cpuUsage(cpu));
        const stats = learned.policy?.stats();
        emit({
          trace: name,
          mode: ignoreSize ? 'object' : 'byte',
          fraction,
          capacity,
          policy,
          ...(entryOverhead === undefined || ignoreSize ? {} : { entryOverhead }),
          requests: result!.requests,
          missRatio: result!.missRatio,
          byteMissRatio: result!.byteMissRatio,
          cpuSeconds,
          readSeconds,
          ...(stats === undefined
            ? {}
            : {
                trainingSeconds: learned.trainer!.trainingMs / 1000,
                trainings: stats.trainings,
                modelsInstalled: stats.modelVersion,
                modelEvictions: stats.modelEvictions,
                priorEvictions: stats.priorEvictions,
                baseEvictions: stats.baseEvictions,
                shadowFallbacks: stats.shadowFallbacks,
                priorGuardTrips: stats.priorGuardTrips,
                validationAccuracy: stats.lastValidationCurrent,
                challengeMargin: stats.challengeMargin,
                modelDisagreement: stats.lastDisagreement,
                auditMargin: stats.auditMargin,
                auditResolved: stats.auditResolved,
              }),
        });
      }
    }
  }
}

function seconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}
