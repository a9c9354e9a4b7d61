/**
 * Store micro benchmark: operations per second on the hot path, without sockets.
 *
 *   node node/bench/store-ops.ts [keys=1000000] [ops=2000000] [policies=lru,lfu]
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
 * Each figure is the best of 3 rounds.
 */
import { entryCharge } from '../src/core/entry-size.ts';
import { Store } from '../src/core/store.ts';
import { createSystemClock } from '../src/util/clock.ts';

const keyCount = Number(process.argv[2] ?? 1_000_000);
const opCount = Number(process.argv[3] ?? 2_000_000);
const policies = (process.argv[4] ?? 'lru,lfu').split(',');
const ROUNDS = 3;
const KEY = 16;
const VALUE = 100;

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
const picks = Int32Array.from({ length: opCount }, () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % keyCount;
});
/** Where the reply writer would copy values to. */
const sink = Buffer.allocUnsafe(VALUE);

function filled(policy: string, maxMemory = 0): Store {
  const store = new Store({ clock: createSystemClock(), policy, maxMemory });
  for (let i = 0; i < keyCount; i++) store.set(keys[i]!, values[i & 63]!);
  return store;
}

function time(run: () => number): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const done = run();
    const seconds = (performance.now() - start) / 1000;
    best = Math.max(best, done / seconds);
  }
  return best;
}

const format = (opsPerSecond: number): string => `${(opsPerSecond / 1e6).toFixed(2)}M`;

console.log(`${keyCount} keys, ${opCount} ops per round, node ${process.version}`);
for (const policy of policies) {
  const store = filled(policy);
  const expireAt = Date.now() + 3_600_000;
  const fast: Record<string, number> = {
    'get hit': time(() => {
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
    'get miss': time(() => {
      let absent = 0;
      for (let i = 0; i < opCount; i++) {
        const at = picks[i]! * KEY;
        if (store.getView(missingBytes, at, at + KEY) === undefined) absent++;
      }
      return absent;
    }),
    'set overwrite': time(() => {
      for (let i = 0; i < opCount; i++) {
        const at = picks[i]! * KEY;
        const from = (i & 63) * VALUE;
        store.setFrom(keyBytes, at, at + KEY, valueBytes, from, from + VALUE);
      }
      return opCount;
    }),
  };
  const api: Record<string, number> = {
    'get hit': time(() => {
      let found = 0;
      for (let i = 0; i < opCount; i++) if (store.get(keys[picks[i]!]!) !== undefined) found++;
      return found;
    }),
    'get miss': time(() => {
      let absent = 0;
      for (let i = 0; i < opCount; i++) if (store.get(missing[picks[i]!]!) === undefined) absent++;
      return absent;
    }),
    'set overwrite': time(() => {
      for (let i = 0; i < opCount; i++) store.set(keys[picks[i]!]!, values[i & 63]!);
      return opCount;
    }),
    'set with ttl': time(() => {
      const options = { expireAt };
      for (let i = 0; i < opCount; i++) store.set(keys[picks[i]!]!, values[i & 63]!, options);
      return opCount;
    }),
    incr: time(() => {
      for (let i = 0; i < opCount; i++) store.incrBy(missing[picks[i]!]!, 1n);
      return opCount;
    }),
  };
  const full = filled(policy, keyCount * entryCharge(KEY, VALUE));
  // `fresh` outnumbers the budget's keyCount entries, so cycling through it always inserts.
  fast['set evicting'] = time(() => {
    for (let i = 0; i < opCount; i++) {
      const from = (i & 63) * VALUE;
      full.setFrom(freshBytes, i * KEY, (i + 1) * KEY, valueBytes, from, from + VALUE);
    }
    return opCount;
  });
  api['set evicting'] = time(() => {
    for (let i = 0; i < opCount; i++) full.set(fresh[i]!, values[i & 63]!);
    return opCount;
  });
  const line = (results: Record<string, number>): string =>
    Object.entries(results)
      .map(([name, rate]) => `${name} ${format(rate)}`)
      .join(', ');
  console.log(`${policy} RESP path (getView, setFrom): ${line(fast)} ops/s`);
  console.log(
    `${policy} CacheStore API: ${line(api)} ops/s (evictions ${full.stats().evictedCapacity})`,
  );
}
