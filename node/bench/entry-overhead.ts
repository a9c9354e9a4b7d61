/**
 * Measures what one store entry really costs in memory beyond its key and value bytes, to set
 * ENTRY_OVERHEAD in node/src/core/entry-size.ts.
 *
 *   node node/bench/entry-overhead.ts [entries=1000000] [valueBytes=100]
 *
 * Each case runs in a fresh process (`node --expose-gc`), because RSS does not shrink after a
 * previous case freed its memory. A case fills a Store (no budget, no sockets) with 16-byte keys
 * ("key:000000000001", flat latin1 strings, as decoding a socket buffer makes them) and values
 * allocated one of three ways, forces GC, and prints the growth per entry of RSS and of the V8
 * heap plus ArrayBuffer memory, minus the 16 + valueBytes payload. The keys are built before
 * the baseline so that the garbage of building them does not count; their own cost (a 16-char
 * string) is measured separately and added back.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Store } from '../src/core/store.ts';
import { createSystemClock } from '../src/util/clock.ts';

type Allocate = (source: Buffer) => Buffer;

const STRATEGIES: Record<string, () => Allocate> = {
  // Buffer.allocUnsafe below 4 KiB: a slice of a shared 8 KiB pool slab.
  pooled: () => (source) => {
    const value = Buffer.allocUnsafe(source.length);
    source.copy(value);
    return value;
  },
  // One exact-size ArrayBuffer per value.
  exact: () => (source) => {
    const value = Buffer.allocUnsafeSlow(source.length);
    source.copy(value);
    return value;
  },
  // Values packed in 1 MiB slabs (a zero-copy parser's views); only the view is per entry.
  slab: () => {
    let slab = Buffer.allocUnsafeSlow(0);
    let used = 0;
    return (source) => {
      if (used + source.length > slab.length) {
        slab = Buffer.allocUnsafeSlow(1 << 20);
        used = 0;
      }
      const value = slab.subarray(used, used + source.length);
      source.copy(value);
      used += source.length;
      return value;
    };
  },
};

const CASES = [
  ['pooled', 'lru', 'none'],
  ['exact', 'lru', 'none'],
  ['slab', 'lru', 'none'],
  ['exact', 'lru', 'ttl'],
  ['exact', 'lfu', 'none'],
  ['pooled', 'lfu', 'ttl'],
  ['pooled', 'lru', 'churn'],
  ['exact', 'lru', 'churn'],
  ['pooled', 'lru', 'sparse'],
  ['exact', 'lru', 'sparse'],
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
  const [strategy = 'exact', policy = 'lru', variant = 'none'] = caseArg.split(',');
  runCase(strategy, policy, variant);
}

/**
 * `variant`: `none`; `ttl` (every entry has an expiry); `churn` (after the fill, 2 x entries
 * overwrites of random keys, each next to a short-lived 64-byte pooled allocation as a reply
 * would make), which shows how much memory pool slabs pinned by surviving values waste;
 * `sparse` (8 KiB of short-lived pooled allocations between two stores, as a read-heavy server's
 * replies would make), the worst case where every pooled value pins a slab of its own.
 */
function runCase(strategy: string, policy: string, variant: string): void {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const keyBuffer = Buffer.alloc(16);
  const keyOf = (i: number): string => {
    keyBuffer.write(`key:${String(i).padStart(12, '0')}`, 'latin1');
    return keyBuffer.toString('latin1');
  };
  const allocate = STRATEGIES[strategy]!();
  const source = Buffer.alloc(valueBytes, 0x61);

  gc();
  const beforeKeys = process.memoryUsage();
  const keys = Array.from({ length: entries }, (_, i) => keyOf(i));
  gc();
  const afterKeys = process.memoryUsage();
  // Heap bytes per key string, without its slot in the `keys` array.
  const keyCost = (afterKeys.heapUsed - beforeKeys.heapUsed) / entries - 8;

  const store = new Store({ clock: createSystemClock(), policy });
  const options = variant === 'ttl' ? { expireAt: Date.now() + 3_600_000 } : undefined;
  let sink = 0;
  for (let i = 0; i < entries; i++) {
    if (variant === 'sparse') for (let j = 0; j < 64; j++) sink += Buffer.allocUnsafe(128).length;
    store.set(keys[i]!, allocate(source), options);
  }
  if (sink < 0) throw new Error('unreachable');
  if (variant === 'churn') {
    let seed = 1;
    let garbage = 0;
    for (let i = 0; i < 2 * entries; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      store.set(keys[seed % entries]!, allocate(source));
      garbage += Buffer.allocUnsafe(64).length;
    }
    if (garbage === 0) throw new Error('unreachable');
  }
  gc();
  const after = process.memoryUsage();

  const payload = 16 + valueBytes;
  const heap =
    (after.heapUsed + after.arrayBuffers - afterKeys.heapUsed - afterKeys.arrayBuffers) / entries +
    keyCost;
  const rss = (after.rss - afterKeys.rss) / entries + keyCost;
  console.log(
    `${strategy.padEnd(6)} ${policy} ${variant.padEnd(5)}  ` +
      `rss ${rss.toFixed(0)} B/entry (overhead ${(rss - payload).toFixed(0)})  ` +
      `heap+arrayBuffers ${heap.toFixed(0)} B/entry (overhead ${(heap - payload).toFixed(0)})  ` +
      `key string ${keyCost.toFixed(0)} B, items ${store.size()}`,
  );
}
