/**
 * The hot-shard rebalancer on a real local cluster (`npm run bench:hot-shards`).
 *
 *   1. `mlcache cluster up`: 4 nodes and a gateway in a temporary directory, the gateway's near
 *      cache off (it would absorb the hottest keys, and the point is to measure the nodes).
 *   2. Loads KEYS keys, then runs a Zipf(1.1) workload through the gateway (90% GET, 10% SET,
 *      paced to --rate ops/s by several ioredis clients) for the whole benchmark.
 *   3. Measures the per-node request rates over --measure seconds, from the gateway's
 *      `mlcache_gateway_routed_requests_total{node}` counters (exact, whatever the nodes' load
 *      windows), and prints max/mean; also the nodes' own /v1/load rates, for comparison.
 *   4. Runs two rebalance rounds (collect /v1/load, plan, publish, wait for the copies), measuring
 *      after each. The planner's cooldown is 0 here: rounds are seconds apart, and the shard rates
 *      it plans on are summed over all nodes, so they do not lag behind a move.
 *
 * Target: max/mean ≤ 1.25 within two rounds. Options: --keys N (10000), --rate N (4000),
 * --warmup S (15), --measure S (10), --exponent X (1.1), --keep (leave the cluster running).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import { Redis } from 'ioredis';
import { nodeRatesOf, maxOverMean } from '../src/cluster/node-load.ts';
import { zipfShardRates } from '../src/cluster/zipf-load.ts';
import { readRingFile } from '../src/cluster-local/cluster-files.ts';
import { clusterDown } from '../src/cluster-local/cluster-down.ts';
import { clusterRebalance } from '../src/cluster-local/cluster-rebalance.ts';
import { clusterUp } from '../src/cluster-local/cluster-up.ts';
import { createClusterContext } from '../src/cluster-local/context.ts';
import type { Outcome } from '../src/cluster-local/outcome.ts';
import { createSystemClock } from '../src/util/clock.ts';
import { createRandom } from '../src/util/random.ts';
import type { Random } from '../src/util/random.ts';

const { values } = parseScriptArgs({
  options: {
    keys: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '4000' },
    warmup: { type: 'string', default: '15' },
    measure: { type: 'string', default: '10' },
    exponent: { type: 'string', default: '1.1' },
    keep: { type: 'boolean', default: false },
  },
});
const KEYS = Number(values.keys);
const RATE = Number(values.rate);
const WARMUP_S = Number(values.warmup);
const MEASURE_S = Number(values.measure);
const EXPONENT = Number(values.exponent);
const NODES = 4;
const CLIENTS = 4;
const IN_FLIGHT = 8;
const PREFIX = 'zipf:';

const clock = createSystemClock();
const dir = mkdtempSync(join(tmpdir(), 'mlcache-hot-shards-'));
const context = createClusterContext({
  dir,
  clock,
  timeoutMs: 120_000,
  report: (line) => console.log(`  | ${line}`),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check<T>(what: string, outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`${what}: ${outcome.failure.code}: ${outcome.failure.message}`);
  return outcome.value;
}

/** Key ranks drawn from the Zipf law by inverse CDF (binary search over cumulative weights). */
function zipfSampler(keys: number, exponent: number, random: Random): () => number {
  const cumulative = new Float64Array(keys);
  let sum = 0;
  for (let i = 0; i < keys; i++) cumulative[i] = sum += (i + 1) ** -exponent;
  return () => {
    const target = random.next() * sum;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** The workload: CLIENTS × IN_FLIGHT paced loops until stopped. */
function startWorkload(port: number): { stop: () => Promise<void>; errors: () => number } {
  let stopped = false;
  let errors = 0;
  const clients = Array.from(
    { length: CLIENTS },
    () => new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 }),
  );
  const intervalMs = (1000 * CLIENTS * IN_FLIGHT) / RATE;
  const loops = clients.flatMap((client, c) =>
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      const random = createRandom(1000 * c + w);
      const next = zipfSampler(KEYS, EXPONENT, random);
      const start = performance.now();
      for (let n = 0; !stopped; n++) {
        const wait = start + n * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
        const key = `${PREFIX}${next()}`;
        try {
          if (random.next() < 0.1) await client.set(key, `v${n}`);
          else await client.get(key);
        } catch {
          errors++;
        }
      }
    }),
  );
  return {
    errors: () => errors,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      clients.forEach((client) => client.disconnect());
    },
  };
}

/** The gateway's requests routed per node so far. */
async function routed(adminPort: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^mlcache_gateway_routed_requests_total\{.*node="([^"]+)".*\} (\S+)$/.exec(line);
    if (match !== null) counts.set(match[1]!, Number(match[2]));
  }
  return counts;
}

interface Measured {
  readonly label: string;
  readonly rates: Map<string, number>;
  readonly ratio: number;
  readonly note: string;
}

async function measure(label: string, adminPort: number, note = ''): Promise<Measured> {
  const ring = await readRingFile(context.layout);
  if (ring.kind !== 'found') throw new Error('no ring');
  const owning = ring.value.nodes.map((node) => node.id);
  const before = await routed(adminPort);
  const t0 = performance.now();
  await sleep(MEASURE_S * 1000);
  const after = await routed(adminPort);
  const seconds = (performance.now() - t0) / 1000;
  const rates = new Map(
    owning.map((id) => [id, ((after.get(id) ?? 0) - (before.get(id) ?? 0)) / seconds]),
  );
  const ratio = maxOverMean(rates.values());
  const result = { label, rates, ratio, note };
  console.log(row(result));
  return result;
}

function row({ label, rates, ratio, note }: Measured): string {
  const total = [...rates.values()].reduce((a, b) => a + b, 0);
  const cells = [...rates.values()].map((r) => String(Math.round(r)).padStart(7));
  return `${label.padEnd(14)} ${String(Math.round(total)).padStart(7)}/s ${cells.join(' ')}   max/mean ${ratio.toFixed(2)}${note}`;
}

const state = check(
  'up',
  await clusterUp(context, {
    nodes: NODES,
    gatewayPort: 0,
    settings: {
      bind: '127.0.0.1',
      policy: 'lru',
      maxmemory: '256mb',
      durability: 'async',
      logLevel: 'warn',
      nearCacheTtlMs: 0,
    },
  }),
);
const gateway = state.gateway!;
let workload: ReturnType<typeof startWorkload> | undefined;
try {
  const loader = new Redis(gateway.resp, '127.0.0.1');
  for (let start = 0; start < KEYS; start += 1000) {
    const ids = Array.from({ length: Math.min(1000, KEYS - start) }, (_, j) => start + j);
    await loader.mset(...ids.flatMap((i) => [`${PREFIX}${i}`, `v${i}`]));
  }
  loader.disconnect();

  const ring = await readRingFile(context.layout);
  if (ring.kind !== 'found') throw new Error('no ring');
  const expected = nodeRatesOf(
    ring.value,
    zipfShardRates({
      keyCount: KEYS,
      exponent: EXPONENT,
      shardCount: ring.value.shardCount,
      prefix: PREFIX,
      totalRate: 1,
    }),
  );
  console.log(
    `hot shards: ${NODES} nodes, Zipf(${EXPONENT}) over ${KEYS} keys, 90% GET / 10% SET at ${RATE} ops/s, near cache off; dir ${dir}`,
  );
  console.log(
    `the Zipf law under the initial ring predicts max/mean ${maxOverMean(expected.values()).toFixed(2)}`,
  );
  workload = startWorkload(gateway.resp);
  console.log(`warming up ${WARMUP_S}s (the nodes' load windows fill)...`);
  await sleep(WARMUP_S * 1000);
  const header = `${'phase'.padEnd(14)} ${'total'.padStart(9)} ${[...expected.keys()].map((id) => id.padStart(7)).join(' ')}`;
  console.log(header);
  const results: Measured[] = [await measure('before', gateway.admin)];
  for (let round = 1; round <= 2; round++) {
    const [done] = check(
      `rebalance round ${round}`,
      await clusterRebalance(context, { rounds: 1, firstRound: round, limits: { cooldownMs: 0 } }),
    );
    const note = done
      ? `   (${done.moves.length} shards moved; planner expected ${done.ratioPlanned.toFixed(2)})`
      : '';
    results.push(await measure(`after round ${round}`, gateway.admin, note));
  }
  console.log('');
  console.log(header);
  for (const result of results) console.log(row(result));
  console.log(`client errors: ${workload.errors()}`);
  const best = Math.min(...results.slice(1).map((r) => r.ratio));
  console.log(
    best <= 1.25
      ? `target met: max/mean ${best.toFixed(2)} ≤ 1.25 within two rounds`
      : `TARGET MISSED: max/mean ${best.toFixed(2)} > 1.25 after two rounds`,
  );
  process.exitCode = best <= 1.25 ? 0 : 1;
} finally {
  await workload?.stop();
  if (values.keep) {
    console.log(`cluster left running: mlcache cluster status --dir ${dir}`);
  } else {
    await clusterDown({ ...context, report: () => {} });
    rmSync(dir, { recursive: true, force: true });
  }
}
