/**
 * Store micro benchmark: CPU time per operation on the hot path, without sockets, plus the cost
 * and effect of a mass deletion.
 *
 *   node node/bench/store-ops.ts [keys=1000000] [ops=2000000] [policies=lru,lfu] [--baseline=DIR]
 *
 * For each policy it fills a Store with `keys` 16-byte keys and 100-byte values, then times
 * `ops` operations on uniformly random keys (indices precomputed, values prebuilt, so the loop
 * measures the store only). Two groups of rows:
 *
 * - the byte-level paths that RESP GET and SET take (`getView`, `setFrom`): the key is read from
 *   a buffer of request bytes and the value copied out of / into the store, as the reply writer
 *   and the decoder hand them over;
 * - the CacheStore API (`get`, `set`, `incrBy`) with string keys and Buffer values, which gRPC,
 *   the other RESP commands and the cluster use: GET hits and misses, SET overwrites, SET with a
 *   TTL, INCR, and SET of new keys into a full byte budget (one eviction per SET).
 *
 * Figures are process CPU µs per operation (user + system, `process.cpuUsage`), the best of 3
 * rounds. With `--baseline=DIR`, DIR is another checkout's `node/src` (for example
 * `git archive HEAD node/src | tar -x -C /tmp/base` gives /tmp/base/node/src): each round runs
 * the baseline's Store and then this checkout's, in the same process, so both see the same
 * machine load, and the table shows both.
 *
 * Then, for this checkout's Store: `keys` inserts and deletes of 90% of them in random order,
 * with the worst and the 99.99th percentile single DEL, the store's own memory accounting
 * before and after, and after the background upkeep (`expireStep` calls) has run.
 */
import { fileURLToPath } from 'node:url';

import type * as EntrySizeModule from '../src/core/entry-size.ts';
import type * as StoreModule from '../src/core/store.ts';
import type * as ClockModule from '../src/util/clock.ts';

interface BenchStore {
  getView(key: Buffer, start: number, end: number): Buffer | undefined;
  readonly viewStart: number;
  readonly viewEnd: number;
  setFrom(key: Buffer, ks: number, ke: number, value: Buffer, vs: number, ve: number): unknown;
  get(key: string): Buffer | undefined;
  set(key: string, value: Buffer, options?: { expireAt?: number }): unknown;
  incrBy(key: string, delta: bigint): unknown;
  delete(key: string): boolean;
  stats(): { evictedCapacity: number };
}

interface Implementation {
  readonly name: string;
  readonly create: (policy: string, maxMemory: number) => BenchStore;
  readonly charge: (keyLength: number, valueLength: number) => number;
}

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const baselineArg = process.argv.find((arg) => arg.startsWith('--baseline='));
const keyCount = Number(args[0] ?? 1_000_000);
const opCount = Number(args[1] ?? 2_000_000);
const policies = (args[2] ?? 'lru,lfu').split(',');
const ROUNDS = 3;
const KEY = 16;
const VALUE = 100;

async function load(name: string, src: string): Promise<Implementation> {
  const store = (await import(`${src}/core/store.ts`)) as typeof StoreModule;
  const size = (await import(`${src}/core/entry-size.ts`)) as typeof EntrySizeModule;
  const clock = (await import(`${src}/util/clock.ts`)) as typeof ClockModule;
  return {
    name,
    create: (policy, maxMemory) =>
      new store.Store({ clock: clock.createSystemClock(), policy, maxMemory }),
    charge: size.entryCharge,
  };
}

const here = fileURLToPath(new URL('../src', import.meta.url));
const current = await load('this', here);
const implementations =
  baselineArg === undefined
    ? [current]
    : [await load('baseline', baselineArg.slice('--baseline='.length)), current];

const keyBuffer = Buffer.alloc(KEY);
const keyOf = (prefix: string, i: number): string => {
  keyBuffer.write(`${prefix}:${String(i).padStart(KEY - prefix.length - 1, '0')}`, 'latin1');
  return keyBuffer.toString('latin1');
};
const keys = Array.from({ length: keyCount }, (_, i) => keyOf('key', i));
const missing = Array.from({ length: keyCount }, (_, i) => keyOf('miss', i));
const fresh = Array.from({ length: Math.max(opCount, 2 * keyCount) }, (_, i) => keyOf('new', i));
/** The same keys as request bytes, back to back. */
const keyBytes = Buffer.from(keys.join(''), 'latin1');
const missingBytes = Buffer.from(missing.join(''), 'latin1');
const freshBytes = Buffer.from(fresh.join(''), 'latin1');
const values = Array.from({ length: 64 }, (_, i) => Buffer.alloc(VALUE, 97 + (i % 26)));
const valueBytes = Buffer.concat(values);
let seed = 42;
const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
const picks = Int32Array.from({ length: opCount }, () => random() % keyCount);
/** Where the reply writer would copy values to. */
const sink = Buffer.allocUnsafe(VALUE);

function filled(implementation: Implementation, policy: string, maxMemory = 0): BenchStore {
  const store = implementation.create(policy, maxMemory);
  for (let i = 0; i < keyCount; i++) store.set(keys[i]!, values[i & 63]!);
  return store;
}

/** CPU µs per operation of one run. */
function cpu(run: () => number): number {
  const start = process.cpuUsage();
  const done = run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / done;
}

/** One round of every case on a fresh store; µs/op by case name. */
function round(implementation: Implementation, policy: string): Map<string, number> {
  const store = filled(implementation, policy);
  const expireAt = Date.now() + 3_600_000;
  const results = new Map<string, number>();
  results.set(
    'RESP get hit',
    cpu(() => {
      let found = 0;
      for (let i = 0; i < opCount; i++) {
        const at = picks[i]! * KEY;
        const page = store.getView(keyBytes, at, at + KEY);
        if (page !== undefined) {
          page.copy(sink, 0, store.viewStart, store.viewEnd);
          found++;
        }
      }
      return found;
    }),
  );
  results.set(
    'RESP get miss',
    cpu(() => {
      let absent = 0;
      for (let i = 0; i < opCount; i++) {
        const at = picks[i]! * KEY;
        if (store.getView(missingBytes, at, at + KEY) === undefined) absent++;
      }
      return absent;
    }),
  );
  results.set(
    'RESP set overwrite',
    cpu(() => {
      for (let i = 0; i < opCount; i++) {
        const at = picks[i]! * KEY;
        const from = (i & 63) * VALUE;
        store.setFrom(keyBytes, at, at + KEY, valueBytes, from, from + VALUE);
      }
      return opCount;
    }),
  );
  results.set(
    'API get hit',
    cpu(() => {
      let found = 0;
      for (let i = 0; i < opCount; i++) if (store.get(keys[picks[i]!]!) !== undefined) found++;
      return found;
    }),
  );
  results.set(
    'API get miss',
    cpu(() => {
      let absent = 0;
      for (let i = 0; i < opCount; i++) if (store.get(missing[picks[i]!]!) === undefined) absent++;
      return absent;
    }),
  );
  results.set(
    'API set overwrite',
    cpu(() => {
      for (let i = 0; i < opCount; i++) store.set(keys[picks[i]!]!, values[i & 63]!);
      return opCount;
    }),
  );
  results.set(
    'API set with ttl',
    cpu(() => {
      const options = { expireAt };
      for (let i = 0; i < opCount; i++) store.set(keys[picks[i]!]!, values[i & 63]!, options);
      return opCount;
    }),
  );
  results.set(
    'API incr',
    cpu(() => {
      for (let i = 0; i < opCount; i++) store.incrBy(missing[picks[i]!]!, 1n);
      return opCount;
    }),
  );
  const full = filled(implementation, policy, keyCount * implementation.charge(KEY, VALUE));
  // `fresh` outnumbers the budget's keyCount entries, so cycling through it always inserts.
  results.set(
    'RESP set evicting',
    cpu(() => {
      for (let i = 0; i < opCount; i++) {
        const from = (i & 63) * VALUE;
        full.setFrom(freshBytes, i * KEY, (i + 1) * KEY, valueBytes, from, from + VALUE);
      }
      return opCount;
    }),
  );
  results.set(
    'API set evicting',
    cpu(() => {
      for (let i = 0; i < opCount; i++) full.set(fresh[i]!, values[i & 63]!);
      return opCount;
    }),
  );
  return results;
}

console.log(`${keyCount} keys, ${opCount} ops per round, node ${process.version}; CPU µs/op`);
for (const policy of policies) {
  const best = new Map<string, Map<string, number>>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const implementation of implementations) {
      const results = round(implementation, policy);
      const kept = best.get(implementation.name) ?? new Map<string, number>();
      for (const [name, value] of results)
        kept.set(name, Math.min(kept.get(name) ?? Infinity, value));
      best.set(implementation.name, kept);
    }
  }
  const names = [...best.get('this')!.keys()];
  const header = implementations.map((i) => i.name.padStart(9)).join(' ');
  console.log(
    `\n${policy}: ${'case'.padEnd(20)} ${header}${implementations.length > 1 ? '   change' : ''}`,
  );
  for (const name of names) {
    const cells = implementations.map((i) => best.get(i.name)!.get(name)!.toFixed(3).padStart(9));
    const base = best.get('baseline')?.get(name);
    const change =
      base === undefined
        ? ''
        : `  ${((100 * best.get('this')!.get(name)!) / base - 100).toFixed(1).padStart(6)}%`;
    console.log(`${''.padEnd(policy.length + 2)}${name.padEnd(20)} ${cells.join(' ')}${change}`);
  }
}

massDelete();

/** Inserts keyCount keys, deletes 90% of them in random order, and reports times and memory. */
function massDelete(): void {
  const store = current.create('lru', 0) as BenchStore & {
    memory(): {
      arenaBytes: number;
      reservedBytes: number;
      indexCells: number;
      slotCapacity: number;
      rehashing: boolean;
    };
    expireStep(maxKeys: number): number;
  };
  for (let i = 0; i < keyCount; i++) store.set(keys[i]!, values[i & 63]!);
  const before = store.memory();
  const order = Int32Array.from({ length: keyCount }, (_, i) => i);
  for (let i = keyCount - 1; i > 0; i--) {
    const j = random() % (i + 1);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  const deletes = Math.floor(0.9 * keyCount);
  const times = new Float64Array(deletes);
  const start = process.cpuUsage();
  for (let i = 0; i < deletes; i++) {
    const key = keys[order[i]!]!;
    const t = performance.now();
    store.delete(key);
    times[i] = performance.now() - t;
  }
  const used = process.cpuUsage(start);
  const after = store.memory();
  let settledBytes = after.reservedBytes;
  // The node's active-expiry timer calls expireStep(200) every 100 ms; each call also runs a
  // bounded step of the table's upkeep (rehash, slot trimming, arena evacuation).
  let upkeep = 0;
  let calls = 0;
  const upkeepStart = process.cpuUsage();
  for (; calls < 10_000; calls++) {
    const t = performance.now();
    store.expireStep(200);
    upkeep = Math.max(upkeep, performance.now() - t);
    const m = store.memory();
    if (!m.rehashing && m.reservedBytes === settledBytes) break;
    settledBytes = m.reservedBytes;
  }
  const upkeepCpu = process.cpuUsage(upkeepStart);
  const settled = store.memory();
  times.sort();
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  const at = (sorted: Float64Array, q: number): string =>
    ms(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!);
  const mb = (x: number): string => `${(x / 1048576).toFixed(1)} MB`;
  console.log(
    `\nmass delete (lru, ${keyCount} keys, 90% deleted in random order): ` +
      `${((used.user + used.system) / deletes).toFixed(3)} CPU µs/DEL; single DEL (wall time, ` +
      `so GC pauses and preemption on a shared machine count): worst ${at(times, 1)}, ` +
      `p99.99 ${at(times, 0.9999)}, p99.9 ${at(times, 0.999)}`,
  );
  const show = (m: typeof before): string =>
    `reserved ${mb(m.reservedBytes)} (arena ${mb(m.arenaBytes)}), index ${m.indexCells} cells${m.rehashing ? ' (rehashing)' : ''}, slot records ${m.slotCapacity}`;
  console.log(`  before: ${show(before)}`);
  console.log(`  after:  ${show(after)}`);
  const upkeepMs = (upkeepCpu.user + upkeepCpu.system) / 1000 / calls;
  console.log(
    `  after ${calls} expireStep(200) calls (mean ${ms(upkeepMs)} CPU, worst ${ms(upkeep)} ` +
      `wall): ${show(settled)}`,
  );
}
