/**
 * The CPU a policy costs per SET under the load of `npm run bench:ml` (node/bench/ml-benchmark.ts),
 * without the node around it: no sockets, no RESP, no entry table. That benchmark measures the
 * whole node, whose socket writes and store are most of its CPU and vary a lot on a shared
 * machine, so a change to the policy alone is hard to see there; here it is the whole cost.
 *
 *   node ml-scorer/bench/policy-cost.ts [--policies lfu,ml-lfu,lru,ml-lru] [--ops 2000000]
 *       [--repeats 3] [--params '{"adaptiveBase":false}'] [--budget memory|keys]
 *       [--learning node|untrained|none]
 *
 * The load is the benchmark's: 200,000 keys of 228 bytes each (what the store charges a
 * redis-benchmark entry of -d 100), a budget of half of them, and uniformly random SETs. With
 * `--budget keys` every policy holds half the keys, so that half of the SETs overwrite a resident
 * key and the other half insert one and evict. With `--budget memory` (the default, and the node
 * target's measure) the budget is charged as a node's store charges it: each entry costs the
 * policy's `entryOverhead` more, and its `reservedBytes` (the learned policies' evicted-keys
 * table) come off the budget, so the learned policies hold fewer keys and evict more often, as
 * in `npm run bench:ml`. The learned
 * policies run as a node runs them: with a clock (so `NODE_ML_HYBRID_PARAMS`), the shipped model
 * installed at the start, and a trainer (synchronous here, so its CPU counts in this thread; with
 * `retrainMinMs` it trains about once per run). The cache is filled first; the time is CPU
 * (process.cpuUsage) of the SETs after that, best of the repeats.
 *
 * `--learning` takes the learned policies apart: `node` (the default) as above; `untrained`
 * with the trainer but no model to start from, so that every eviction is the base's and logs a
 * training row and every request samples one, as before a first model (on these uniform SETs no
 * model trained here passed the gate in the runs of 2026-11-27: "by the model" stayed 0%, which
 * the column shows for every run); `none` with neither, so what is left is the per-request
 * bookkeeping (features, sampler, evicted-keys table, shadows).
 */
import { join } from 'node:path';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import type { EvictionPolicy } from '../../node/src/policy/eviction-policy.ts';
import type { MlBase } from '../../node/src/policy/ml-hybrid.ts';
import type { MlHybridParams } from '../../node/src/policy/ml-hybrid-params.ts';
import {
  MlHybridPolicy,
  createBasePolicy,
  createMlHybridPolicy,
} from '../../node/src/policy/ml-hybrid.ts';
import type { TreeEnsemble } from '../../node/src/policy/tree-model.ts';
import { createSystemClock } from '../../node/src/util/clock.ts';
import { createRandom } from '../../node/src/util/random.ts';
import { readOnnxModel } from '../src/export/onnx-import.ts';
import { createSyncTrainer } from '../src/learn/sync-trainer.ts';

const KEYS = 200_000;
/** What the store charges an entry of redis-benchmark's: key:%012d, 100 bytes, 112 of overhead. */
const CHARGE = 16 + 100 + 112;
const BUDGET = Math.floor((KEYS * CHARGE) / 2);

const { values } = parseScriptArgs({
  options: {
    policies: { type: 'string', default: 'lfu,ml-lfu,lru,ml-lru' },
    ops: { type: 'string', default: '2000000' },
    repeats: { type: 'string', default: '3' },
    /** Overrides of the learned policies' knobs (ml-hybrid-params.ts), as JSON. */
    params: { type: 'string', default: '{}' },
    budget: { type: 'string', default: 'memory' },
    learning: { type: 'string', default: 'node' },
  },
});
const learning = values.learning;
if (learning !== 'node' && learning !== 'untrained' && learning !== 'none') {
  throw new RangeError(`--learning must be node, untrained or none, got ${learning}`);
}
if (values.budget !== 'memory' && values.budget !== 'keys') {
  throw new RangeError(`--budget must be memory or keys, got ${values.budget}`);
}
const chargedAsStore = values.budget === 'memory';
const policies = values.policies.split(',').filter((p) => p !== '');
const ops = Number(values.ops);
const repeats = Math.max(1, Number(values.repeats));
const params = JSON.parse(values.params) as Partial<MlHybridParams>;
/** The shipped model, which `--model default` (a node's default) loads. */
const { model } = await readOnnxModel(join(import.meta.dirname, '..', 'models', 'default.onnx'));

function createPolicy(name: string, shipped: TreeEnsemble): EvictionPolicy {
  if (!name.startsWith('ml-')) return createBasePolicy(name as MlBase, BUDGET, 1);
  return createMlHybridPolicy({
    base: name.slice('ml-'.length) as MlBase,
    capacity: BUDGET,
    seed: 1,
    // As a node's store creates it: the evicted-keys table is paid for from the byte budget.
    memoryBudget: true,
    ...(learning === 'none' ? {} : { trainer: createSyncTrainer() }),
    clock: createSystemClock(),
    ...(learning === 'node' ? { scorer: shipped } : {}),
    params,
  });
}

interface Cost {
  /** CPU µs per SET. */
  readonly us: number;
  /** Share of the SETs that evicted. */
  readonly evicting: number;
  /** Share of those evictions the model chose (NaN for a plain policy). */
  readonly byModel: number;
}

/** Model evictions so far: a learned policy's counter, NaN for a plain one. */
function modelEvictions(policy: EvictionPolicy): number {
  return policy instanceof MlHybridPolicy ? policy.stats().modelEvictions : Number.NaN;
}

/** What `ops` random SETs on a filled cache cost. */
function measure(name: string): Cost {
  const policy = createPolicy(name, model);
  // As store.ts charges: the policy's own bytes with each entry, its reserved bytes off the top.
  const charge = CHARGE + (chargedAsStore ? (policy.entryOverhead ?? 0) : 0);
  const budget = (): number => BUDGET - (chargedAsStore ? (policy.reservedBytes?.() ?? 0) : 0);
  const slotOf = new Int32Array(KEYS).fill(-1);
  const keyOf = new Int32Array(KEYS);
  const free: number[] = [];
  let slots = 0;
  let used = 0;
  let evictions = 0;
  const random = createRandom(7);
  const set = (key: number): void => {
    const resident = slotOf[key]!;
    if (resident >= 0) {
      policy.onUpdate(resident, charge);
      return;
    }
    while (used + charge > budget()) {
      const victim = policy.evict();
      slotOf[keyOf[victim]!] = -1;
      free.push(victim);
      used -= charge;
      evictions++;
    }
    const slot = free.pop() ?? slots++;
    slotOf[key] = slot;
    keyOf[slot] = key;
    used += charge;
    // A key id as the store makes one: a hash of the key, not a small integer.
    policy.onInsert(slot, (key * 2654435761) % 4294967296, charge);
  };
  for (let i = 0; i < KEYS; i++) set(random.int(KEYS));
  evictions = 0;
  const byModelBefore = modelEvictions(policy);
  const started = process.cpuUsage();
  for (let i = 0; i < ops; i++) set(random.int(KEYS));
  const cpu = process.cpuUsage(started);
  const byModel = (modelEvictions(policy) - byModelBefore) / evictions;
  return { us: (cpu.user + cpu.system) / ops, evicting: evictions / ops, byModel };
}

const results = new Map<string, Cost>();
for (const name of policies) {
  let best: Cost = { us: Number.POSITIVE_INFINITY, evicting: 0, byModel: Number.NaN };
  for (let r = 0; r < repeats; r++) {
    const m = measure(name);
    if (m.us < best.us) best = m;
  }
  results.set(name, best);
}
console.log(
  `policy   CPU µs/SET  vs base  SETs evicting  by the model  (${ops} random SETs over ${KEYS} keys, ` +
    `${chargedAsStore ? 'budget: half of them at the store charge (--budget memory)' : 'half of them resident (--budget keys)'})`,
);
for (const [name, m] of results) {
  const base = results.get(name.replace(/^ml-/, ''));
  const ratio = name.startsWith('ml-') && base !== undefined ? (m.us / base.us).toFixed(1) : '';
  console.log(
    `${name.padEnd(8)} ${m.us.toFixed(3).padStart(11)}  ${ratio.padStart(7)}  ${(100 * m.evicting).toFixed(0).padStart(12)}%` +
      `  ${Number.isNaN(m.byModel) ? '' : `${(100 * m.byModel).toFixed(0).padStart(11)}%`}`,
  );
}
