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
 * one: the steady state of a full cache; the figure is per resident entry).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { entryCharge } from '../src/core/entry-size.ts';
import { Store } from '../src/core/store.ts';
import { createSystemClock } from '../src/util/clock.ts';

const CASES = [
  ['lru', 'none'],
  ['lfu', 'none'],
  ['lru', 'ttl'],
  ['lru', 'churn'],
  ['lru', 'resize'],
  ['lru', 'evict'],
] as const;

const [entriesArg, valueArg, caseArg] = process.argv.slice(2);
const entries = Number(entriesArg ?? 1_000_000);
const valueBytes = Number(valueArg ?? 100);

if (caseArg === undefined) {
  console.log(
    `${entries} entries, 16-byte keys, ${valueBytes}-byte values, node ${process.version}`,
  );
  const self = fileURLToPath(import.meta.url);
  for (const testCase of CASES) {
    const args = ['--expose-gc', self, String(entries), String(valueBytes), testCase.join(',')];
    process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  }
} else {
  const [policy = 'lru', variant = 'none'] = caseArg.split(',');
  runCase(policy, variant);
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
  const fresh =
    variant === 'evict' ? Array.from({ length: 2 * entries }, (_, i) => keyOf('new', i)) : [];
  gc();
  const before = process.memoryUsage();

  const maxMemory = variant === 'evict' ? entries * entryCharge(16, valueBytes) : 0;
  const store = new Store({ clock: createSystemClock(), policy, maxMemory });
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
  if (variant === 'evict') for (const key of fresh) store.set(key, value);
  for (const key of variant === 'evict' ? fresh : keys) {
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
