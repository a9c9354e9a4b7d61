/**
 * What growing the learned policies' evicted-keys table costs (node/src/policy/growing-ghosts.ts):
 *
 *   node node/bench/ghost-growth.ts
 *
 * For tables of 2^17, 2^19 and 2^21 keys, full (1.5 × their capacity claimed), it times `grow`
 * to twice the size (the allocation of the new table) and then the claims during which the old
 * rows move across, against the same number of claims into a table that is not growing (the
 * reference, measured in the same run). It prints the extra time per claim while rows move, the
 * slowest single claim, and checks that every key remembered before the growth still is.
 */
import { GrowingGhosts } from '../src/policy/growing-ghosts.ts';

const key = (i: number): number => (i * 2654435761) % Number.MAX_SAFE_INTEGER;

for (const shift of [17, 19, 21]) {
  const capacity = 2 ** shift;
  const filled = (capacity * 3) / 2;
  const fill = (): GrowingGhosts => {
    const g = new GrowingGhosts(capacity);
    for (let i = 0; i < filled; i++) g.claim(key(i));
    return g;
  };
  const growing = fill();
  let started = performance.now();
  growing.grow(2 * capacity);
  const growMs = performance.now() - started;
  let claims = 0;
  let slowest = 0;
  started = performance.now();
  while (growing.growing) {
    const one = performance.now();
    growing.claim(key(filled + claims++));
    slowest = Math.max(slowest, performance.now() - one);
  }
  const movingMs = performance.now() - started;
  const steady = fill();
  started = performance.now();
  for (let i = 0; i < claims; i++) steady.claim(key(filled + i));
  const steadyMs = performance.now() - started;
  let lost = 0;
  for (let i = filled - capacity; i < filled; i++) if (growing.find(key(i)) < 0) lost++;
  console.log(
    `2^${shift} -> 2^${shift + 1}: grow ${growMs.toFixed(1)} ms; ${claims} claims while moving ` +
      `${movingMs.toFixed(0)} ms against ${steadyMs.toFixed(0)} ms not growing ` +
      `(+${(((movingMs - steadyMs) * 1000) / claims).toFixed(2)} µs per claim), ` +
      `slowest claim ${slowest.toFixed(2)} ms; keys lost ${lost}`,
  );
}
