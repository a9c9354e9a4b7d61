/**
 * What learned eviction costs a node (`npm run bench:ml`): LFU against ML+LFU and LRU against
 * ML+LRU under constant eviction, with redis-benchmark.
 *
 *   1. Installs redis-tools with apt when redis-benchmark is missing.
 *   2. Starts one `mlcache node` per policy (lfu, ml-lfu, lru, ml-lru; the ML ones with the
 *      defaults: local scorer, the shipped model, 2 ms deadline) with a --maxmemory of half the
 *      keyspace's bytes, so that the keyspace redis-benchmark writes (-r) is about twice the
 *      budget and every SET of a new key evicts, and fills each with the whole keyspace. Every
 *      node has the default --eviction-headroom (1%): evictions run between requests where they
 *      can, inline where a write would exceed the budget (INFO mlcache_evicted_keys_ahead).
 *   3. Runs redis-benchmark SET and GET (-c 50 -d VALUE_BYTES -r KEYS, VALUE_BYTES from
 *      --value-bytes, 100 by default; without pipelining and with -P 16), the policies one after
 *      another within each round, and reports per policy the median over the rounds of ops/s,
 *      p50/p99 latency and the server's CPU µs per operation (from /proc/<pid>/stat), that of its
 *      main thread alone (the one that serves requests: the node is bound by it), the keys it
 *      evicted, the share of those the model chose (none while a learned node's model trails its
 *      base, as on these uniform keys: then the run measures the learned policy's upkeep alone),
 *      and the ratios ML/base.
 *
 * The machine is shared: compare within a run (the ratios) and CPU µs/op, not ops/s across runs.
 *
 * Options: --rounds N (3), --requests N (200000; x8 with -P 16), --keys N (200000),
 *          --policies lfu,ml-lfu,lru,ml-lru, --markdown, --budget memory|keys,
 *          --plain-switch off|on, --value-bytes N (100).
 *
 * `--plain-switch off` (the default): the learned nodes run with `--ml-plain-switch off`, so
 * that they stay learned and the ratios measure what learned eviction costs (the target's
 * measure). A node's default (`on`) would run as its plain base on these uniform keys, where
 * plain LFU hits far more in the same memory, and then the ratios would be LFU's against LFU's;
 * `on` measures that (the progress lines and the table show it: "plain").
 *
 * `--budget memory` (the default, and the target's measure): every node gets the same
 * --maxmemory, so the learned nodes, whose own state is charged against it, hold about half as
 * many keys and evict about 1.5 times as often. `--budget keys`: each node gets what holds half
 * the keyspace as that node charges it (the learned policies' per-entry state and evicted-keys
 * table included), so that every node evicts on about half of the SETs: the same eviction rate,
 * not the same memory.
 */
import { cpus } from 'node:os';
import { entryCharge } from '../src/core/entry-size.ts';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import { ML_ENTRY_STATE_BYTES, ML_GHOST_BUDGET_SHARE } from '../src/policy/ml-hybrid.ts';
import { Redis } from 'ioredis';
import {
  ensureTools,
  loadKeys,
  mainThreadCpuSeconds,
  medians,
  runRedisBenchmark,
  startListening,
  stopChild,
  benchOptions,
  benchSettings,
  CLIENTS,
  VALUE_SIZE,
  freePort,
} from './bench-support.ts';

const { values } = parseScriptArgs({
  options: {
    ...benchOptions(200_000, 200_000),
    policies: { type: 'string', default: 'lfu,ml-lfu,lru,ml-lru' },
    budget: { type: 'string', default: 'memory' },
    'plain-switch': { type: 'string', default: 'off' },
    'value-bytes': { type: 'string', default: String(VALUE_SIZE) },
  },
});
const { rounds: ROUNDS, requests: REQUESTS, keys: KEYS } = benchSettings(values);
const POLICIES = String(values.policies).split(',');
/**
 * redis-benchmark's value size (-d). The learned policies' state per entry is about the same
 * whatever the value, so their cost per SET is a smaller share of a node's work, and their state
 * a smaller share of its memory, the larger the values: `--value-bytes` says how much.
 */
const VALUE_BYTES = Number(values['value-bytes']);
if (!Number.isInteger(VALUE_BYTES) || VALUE_BYTES < 1 || VALUE_BYTES > 1 << 20) {
  throw new RangeError(
    `--value-bytes must be a whole number from 1 to 1048576, got ${String(values['value-bytes'])}`,
  );
}
/** What the store charges an entry of redis-benchmark's (key:%012d, 16 bytes, and the value). */
const ENTRY_BYTES = entryCharge(16, VALUE_BYTES);
/** Half the keyspace fits: the keyspace is twice the budget. */
const MAXMEMORY = Math.floor((KEYS * ENTRY_BYTES) / 2);
if (values.budget !== 'memory' && values.budget !== 'keys') {
  throw new RangeError(`--budget must be memory or keys, got ${String(values.budget)}`);
}
const PLAIN_SWITCH = String(values['plain-switch']);
if (PLAIN_SWITCH !== 'on' && PLAIN_SWITCH !== 'off') {
  throw new RangeError(`--plain-switch must be on or off, got ${PLAIN_SWITCH}`);
}

/** A node's --maxmemory: the same for all, or what holds half the keyspace on that node. */
function maxMemoryOf(policy: string): number {
  if (values.budget === 'memory' || !policy.startsWith('ml-')) return MAXMEMORY;
  const half = (KEYS * (ENTRY_BYTES + ML_ENTRY_STATE_BYTES)) / 2;
  return Math.floor(half / (1 - ML_GHOST_BUDGET_SHARE));
}

interface Server {
  readonly policy: string;
  readonly port: number;
  readonly pid: number;
  readonly client: Redis;
  stop(): Promise<void>;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerOp: number;
  /** Of the main thread alone. */
  readonly mainUsPerOp: number;
  readonly evicted: number;
  /** Of those evictions, the share the model chose (NaN for a plain policy). */
  readonly byModel: number;
  /** 1 when a learned node ran as its plain base at the end of the test. */
  readonly plain: number;
}

async function startNode(policy: string): Promise<Server> {
  const port = await freePort();
  const args = ['bin/mlcache.js', 'node', '--bind', '127.0.0.1', '--port', String(port)].concat([
    '--grpc-port',
    '0',
    '--admin-port',
    '0',
    '--maxmemory',
    String(maxMemoryOf(policy)),
    '--policy',
    policy,
    '--log-level',
    'warn',
    ...(policy.startsWith('ml-') ? ['--ml-plain-switch', PLAIN_SWITCH] : []),
  ]);
  const { child, line } = await startListening(args, `mlcache node --policy ${policy}`);
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  return {
    policy,
    port,
    pid: line.pid ?? child.pid!,
    client,
    stop: async () => {
      client.disconnect();
      await stopChild(child);
    },
  };
}

async function evictedKeys(server: Server): Promise<number> {
  return Number(/evicted_keys:(\d+)/.exec(await server.client.info('stats'))?.[1] ?? NaN);
}

/**
 * Evictions the model chose so far (INFO's `ml_evictions_model`), NaN for a plain policy. A
 * learned node whose model trails its base evicts as the base does (a shadow fallback), and
 * then this benchmark measures the learned policy's upkeep, not its model.
 */
async function modelEvictions(server: Server): Promise<number> {
  return Number(/ml_evictions_model:(\d+)/.exec(await server.client.info('ml'))?.[1] ?? NaN);
}

/** Whether a learned node runs as its plain base now (`--ml-plain-switch on`). */
async function runsPlain(server: Server): Promise<boolean> {
  return /ml_plain_mode:1/.test(await server.client.info('ml'));
}

async function benchmark(server: Server, test: 'set' | 'get', pipeline: number): Promise<Sample> {
  const requests = pipeline > 1 ? REQUESTS * 8 : REQUESTS;
  const before = await evictedKeys(server);
  const modelBefore = await modelEvictions(server);
  const mainBefore = mainThreadCpuSeconds(server.pid);
  const { rps, p50, p99, cpuSeconds } = runRedisBenchmark(
    {
      port: server.port,
      test,
      clients: CLIENTS,
      valueSize: VALUE_BYTES,
      keyspace: KEYS,
      requests,
      pipeline,
    },
    [server.pid],
  );
  const main = mainThreadCpuSeconds(server.pid) - mainBefore;
  const evicted = (await evictedKeys(server)) - before;
  const byModel = ((await modelEvictions(server)) - modelBefore) / evicted;
  const cpuUsPerOp = (cpuSeconds[0]! * 1e6) / requests;
  const plain = await runsPlain(server);
  return {
    rps,
    p50,
    p99,
    cpuUsPerOp,
    mainUsPerOp: (main * 1e6) / requests,
    evicted,
    byModel,
    plain: plain ? 1 : 0,
  };
}

/**
 * "40%" for a learned node's share of evictions by the model, '' where there is none, and
 * " (plain)" after it when the node ran as its plain base (in the median: at the end of most
 * rounds).
 */
function percentByModel(share: number, plain: number): string {
  if (!Number.isFinite(share)) return '';
  return `${Math.round(100 * share)}%${plain >= 0.5 ? ' (plain)' : ''}`;
}

/** ", 40% by the model" for the progress line, '' where there is no share. */
function byModelSuffix(share: number, plain: number): string {
  const percent = percentByModel(share, plain);
  return percent === '' ? '' : `, ${percent} by the model`;
}

ensureTools(['redis-benchmark'], ['redis-tools']);
const servers: Server[] = [];
const stopAll = async (): Promise<void> => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

const TESTS = [
  { test: 'set', pipeline: 1 },
  { test: 'get', pipeline: 1 },
  { test: 'set', pipeline: 16 },
  { test: 'get', pipeline: 16 },
] as const;
type TestName = `${(typeof TESTS)[number]['test']} -P ${number}`;
const nameOf = (t: (typeof TESTS)[number]): TestName => `${t.test} -P ${t.pipeline}`;

try {
  for (const policy of POLICIES) {
    const server = await startNode(policy);
    servers.push(server);
    // Fill to the budget and beyond: eviction runs from the first benchmark request on.
    await loadKeys(server.port, KEYS, VALUE_BYTES);
  }
  console.log(
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); keyspace ${KEYS} keys of ` +
      `${ENTRY_BYTES} B = ${((KEYS * ENTRY_BYTES) / 1e6).toFixed(1)} MB, --maxmemory ` +
      `${POLICIES.map((p) => `${p} ${maxMemoryOf(p)}`).join(', ')} (budget: ${values.budget}; ` +
      `--ml-plain-switch ${PLAIN_SWITCH}); ` +
      `after loading, evicted_keys: ` +
      (await Promise.all(servers.map(async (s) => `${s.policy} ${await evictedKeys(s)}`))).join(
        ', ',
      ),
  );
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of TESTS) {
      for (const server of servers) {
        const sample = await benchmark(server, t.test, t.pipeline);
        const key = `${server.policy}|${nameOf(t)}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        process.stderr.write(
          `round ${round + 1}/${ROUNDS} ${nameOf(t)} ${server.policy}: ${Math.round(sample.rps)} ops/s, ` +
            `${sample.cpuUsPerOp.toFixed(2)} CPU µs/op (main thread ${sample.mainUsPerOp.toFixed(2)}), ` +
            `${sample.evicted} evicted${byModelSuffix(sample.byModel, sample.plain)}\n`,
        );
      }
    }
  }
  const median = (policy: string, t: (typeof TESTS)[number]): Sample | undefined => {
    const list = samples.get(`${policy}|${nameOf(t)}`);
    return list === undefined ? undefined : medians(list);
  };
  const rows: string[][] = [];
  for (const t of TESTS) {
    for (const policy of POLICIES) {
      const m = median(policy, t)!;
      const base = policy.startsWith('ml-') ? median(policy.slice(3), t) : undefined;
      rows.push([
        nameOf(t),
        policy,
        String(Math.round(m.rps)),
        m.p50.toFixed(3),
        m.p99.toFixed(3),
        m.cpuUsPerOp.toFixed(2),
        m.mainUsPerOp.toFixed(2),
        String(Math.round(m.evicted)),
        percentByModel(m.byModel, m.plain),
        base === undefined ? '' : (m.rps / base.rps).toFixed(2),
        base === undefined ? '' : (m.cpuUsPerOp / base.cpuUsPerOp).toFixed(2),
        base === undefined ? '' : (m.mainUsPerOp / base.mainUsPerOp).toFixed(2),
      ]);
    }
  }
  const head = [
    'test',
    'policy',
    'ops/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/op',
    'main µs/op',
    'evicted',
    'by model',
    'ops/s vs base',
    'CPU/op vs base',
    'main/op vs base',
  ];
  if (values.markdown) {
    console.log(`| ${head.join(' | ')} |`);
    console.log(`|${head.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  } else {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string =>
      cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
    console.log(line(head));
    for (const row of rows) console.log(line(row));
  }
  console.log(
    `median of ${ROUNDS} rounds; -c ${CLIENTS} -d ${VALUE_BYTES} -r ${KEYS}; ` +
      `-n ${REQUESTS} (x8 with -P 16); "vs base": ml-lfu/lfu and ml-lru/lru within this run`,
  );
} finally {
  await stopAll();
}
