/**
 * The longest pause of a policy while a cache fills, and at its first eviction:
 *
 *   node node/bench/fill-pauses.ts [keys=4000000]
 *
 * For LRU and LFU (the reference, measured in the same run) and ML+LRU and ML+LFU, it inserts
 * `keys` keys into a policy whose capacity is `keys` objects, timing each insert, then times the
 * first eviction. The longest insert is where the per-slot arrays grow (growable-buffer.ts) or
 * where the learned policy's shadows warm up; the first eviction is where they start comparing.
 * No store, no sockets: the policies' own pauses only.
 */
import type { EvictionPolicy } from '../src/policy/eviction-policy.ts';
import { createLfuPolicy } from '../src/policy/lfu.ts';
import { createLruPolicy } from '../src/policy/lru.ts';
import { createMlHybridPolicy } from '../src/policy/ml-hybrid.ts';

const keys = Number(process.argv[2] ?? 4_000_000);
const policies: [string, (capacity: number) => EvictionPolicy][] = [
  ['lru', (capacity) => createLruPolicy({ capacity })],
  ['lfu', (capacity) => createLfuPolicy({ capacity })],
  ['ml-lru', (capacity) => createMlHybridPolicy({ base: 'lru', capacity })],
  ['ml-lfu', (capacity) => createMlHybridPolicy({ base: 'lfu', capacity })],
];

console.log(`${keys} keys, node ${process.version}`);
for (const [name, create] of policies) {
  const policy = create(keys);
  let longest = 0;
  let longestAt = 0;
  const started = performance.now();
  for (let slot = 0; slot < keys; slot++) {
    const t = performance.now();
    policy.onInsert(slot, slot + 1, 1);
    const ms = performance.now() - t;
    if (ms > longest) {
      longest = ms;
      longestAt = slot;
    }
  }
  const fillMs = performance.now() - started;
  const t = performance.now();
  policy.evict();
  const firstEvictMs = performance.now() - t;
  console.log(
    `${name.padEnd(7)} fill ${(fillMs / 1000).toFixed(2)} s, longest insert ${longest.toFixed(1)} ms ` +
      `(slot ${longestAt}), first eviction ${firstEvictMs.toFixed(1)} ms`,
  );
}
