/**
 * Measures what one store entry really costs in memory beyond its key and value bytes, to set
 * ENTRY_OVERHEAD in node/src/core/entry-size.ts.
 *
 *   node node/bench/entry-overhead.ts [entries=1000000] [valueBytes=100]
 *
 * Each case runs in a fresh process (`node --expose-gc`), because RSS does not shrink after a
 * previous case freed its memory. A case fills a Store (no sockets) with 16-byte keys
 * ("key:000000000001", flat latin1 strings, as decoding a socket buffer makes them) and
 * `valueBytes`-byte values, forces GC, and prints the growth per entry of RSS and of the V8 heap
 * plus ArrayBuffer memory, minus the 16 + valueBytes payload. The keys are built before the
 * baseline so that the garbage of building them does not count (the store keeps its own copy of
 * the key bytes, so the strings are not part of an entry's cost).
 *
 * Variants: `none`; `ttl` (every entry has an expiry); `churn` (then 2 x entries overwrites of
 * random keys with values of the same size: chunks are reused in place); `resize` (the values
 * are of random sizes between valueBytes/2 and 3 x valueBytes/2, and 2 x entries random
 * overwrites change them, so chunks move between size classes and pages are left partly used);
 * `evict` (a byte budget of `entries` entries, then 2 x entries inserts of new keys, each evicting
 * one: the steady state of a full cache; the figure is per resident entry). With ml-lru and
 * ml-lfu, whose own state is charged with each entry and whose evicted-keys table is taken from
 * the budget, fewer entries fit; `evict-noghost` is that case remembering no evicted keys.
 *
 * Then the `shrink` case: `entries` inserts, then deletes of 90% of them in random order, with
 * RSS and V8 heap + ArrayBuffer memory after each phase (after a full GC, the store's upkeep run
 * to the end), plus the store's own accounting (`Store.memory()`). With `--baseline=DIR` (another
 * checkout's node/src, as in store-ops.ts) the case also runs on that checkout's Store.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { entryCharge } from '../src/core/entry-size.ts';
import { Store } from '../src/core/store.ts';
import type { StoreOptions } from '../src/core/store.ts';
import { createMlHybridPolicy } from '../src/policy/ml-hybrid.ts';
import type { StoreMemory } from '../src/core/store-types.ts';
import { createSystemClock } from '../src/util/clock.ts';

const CASES = [
  ['lru', 'none'],
  ['lfu', 'none'],
  ['lru', 'ttl'],
  ['lru', 'churn'],
  ['lru', 'resize'],
  ['lru', 'evict'],
  ['lfu', 'evict'],
  // The learned policies' own state (ML_ENTRY_STATE_BYTES, ML_GHOST_BYTES in ml-hybrid.ts):
  // compare with lru/lfu evict. `evict-noghost` remembers no evicted keys.
  ['ml-lru', 'evict'],
  ['ml-lfu', 'evict'],
  ['ml-lfu', 'evict-noghost'],
] as const;

const baselineArg = process.argv.find((arg) => arg.startsWith('--baseline='));
const [entriesArg, valueArg, caseArg, srcArg] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'));
const entries = Number(entriesArg ?? 1_000_000);
const valueBytes = Number(valueArg ?? 100);

if (caseArg === undefined) {
  console.log(
    `${entries} entries, 16-byte keys, ${valueBytes}-byte values, node ${process.version}`,
  );
  const self = fileURLToPath(import.meta.url);
  const run = (testCase: string, src?: string): void => {
    const args = ['--expose-gc', self, String(entries), String(valueBytes), testCase];
    if (src !== undefined) args.push(src);
    process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  };
  for (const testCase of CASES) run(testCase.join(','));
  if (baselineArg !== undefined) run('lru,shrink', baselineArg.slice('--baseline='.length));
  run('lru,shrink');
} else if (caseArg === 'lru,shrink') {
  await runShrink(srcArg);
} else {
  const [policy = 'lru', variant = 'none'] = caseArg.split(',');
  runCase(policy, variant);
}

/** The `shrink` case, on this checkout's Store or on the one under `src`. */
async function runShrink(src: string | undefined): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const module =
    src === undefined
      ? { Store }
      : ((await import(`${src}/core/store.ts`)) as { Store: typeof Store });
  const keyBuffer = Buffer.alloc(16);
  const keys = Array.from({ length: entries }, (_, i) => {
    keyBuffer.write(`key:${String(i).padStart(12, '0')}`, 'latin1');
    return keyBuffer.toString('latin1');
  });
  const value = Buffer.alloc(valueBytes, 0x61);
  let seed = 1;
  const order = Int32Array.from({ length: entries }, (_, i) => i);
  for (let i = entries - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  gc();
  const base = process.memoryUsage();
  const store = new module.Store({ clock: createSystemClock(), policy: 'lru' });
  // V8 frees ArrayBuffers on a background thread after a GC: give it time before measuring.
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 1000; i++) store.expireStep(200);
    gc();
    await new Promise((resolve) => setTimeout(resolve, 500));
    gc();
  };
  const report = (phase: string): void => {
    const now = process.memoryUsage();
    const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;
    // A baseline checkout (--baseline) may predate memory().
    const own = (store as { memory?: () => StoreMemory }).memory?.();
    console.log(
      `lru shrink (${src === undefined ? 'this' : 'baseline'}) ${phase.padEnd(14)} ` +
        `rss +${mb(now.rss - base.rss)}, heap+arrayBuffers ` +
        `+${mb(now.heapUsed + now.arrayBuffers - base.heapUsed - base.arrayBuffers)}, ` +
        `arena ${mb(store.arenaBytes)}` +
        (own === undefined
          ? ''
          : `, store ${mb(own.reservedBytes)} (index ${own.indexCells} cells, ` +
            `slot records ${own.slotCapacity})`) +
        `, items ${store.size()}`,
    );
  };
  for (let i = 0; i < entries; i++) store.set(keys[i]!, value);
  await settle();
  report('inserted');
  for (let i = 0; i < entries * 0.9; i++) store.delete(keys[order[i]!]!);
  await settle();
  report('90% deleted');
}

function runCase(policy: string, variant: string): void {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const keyBuffer = Buffer.alloc(16);
  const keyOf = (prefix: string, i: number): string => {
    keyBuffer.write(`${prefix}:${String(i).padStart(15 - prefix.length, '0')}`, 'latin1');
    return keyBuffer.toString('latin1');
  };
  const value = Buffer.alloc(valueBytes, 0x61);
  const resized = (n: number): Buffer =>
    value.subarray(0, Math.floor(valueBytes / 2) + (n % (valueBytes + 1)));
  let seed = 1;
  const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);

  const keys = Array.from({ length: entries }, (_, i) => keyOf('key', i));
  const evict = variant.startsWith('evict');
  const fresh = evict ? Array.from({ length: 2 * entries }, (_, i) => keyOf('new', i)) : [];
  gc();
  const before = process.memoryUsage();

  const maxMemory = evict ? entries * entryCharge(16, valueBytes) : 0;
  const clock = createSystemClock();
  const base = policy === 'ml-lru' ? 'lru' : policy === 'ml-lfu' ? 'lfu' : null;
  const params = variant === 'evict-noghost' ? { ghostMaxCapacity: 0 } : {};
  const storePolicy: StoreOptions['policy'] =
    base === null ? policy : (o) => createMlHybridPolicy({ ...o, base, clock, params });
  const store = new Store({ clock, policy: storePolicy, maxMemory });
  const options = variant === 'ttl' ? { expireAt: Date.now() + 3_600_000 } : undefined;
  let payload = 0;
  for (let i = 0; i < entries; i++) {
    store.set(keys[i]!, variant === 'resize' ? resized(random()) : value, options);
  }
  if (variant === 'churn' || variant === 'resize') {
    for (let i = 0; i < 2 * entries; i++) {
      const key = keys[random() % entries]!;
      store.set(key, variant === 'resize' ? resized(random()) : value);
    }
  }
  if (evict) for (const key of fresh) store.set(key, value);
  for (const key of evict ? fresh : keys) {
    const length = store.peek(key)?.length;
    if (length !== undefined) payload += 16 + length;
  }
  gc();
  const after = process.memoryUsage();

  const items = store.size();
  const perEntry = payload / items;
  const heap =
    (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / items;
  const rss = (after.rss - before.rss) / items;
  console.log(
    `${policy} ${variant.padEnd(6)}  ` +
      `rss ${rss.toFixed(0)} B/entry (overhead ${(rss - perEntry).toFixed(0)})  ` +
      `heap+arrayBuffers ${heap.toFixed(0)} B/entry (overhead ${(heap - perEntry).toFixed(0)})  ` +
      `arena ${(store.arenaBytes / items).toFixed(0)} B/entry, payload ${perEntry.toFixed(0)} B, ` +
      `items ${items}`,
  );
}
