/**
 * Sorts slots by a whole-number time (a logical-clock stamp), oldest first, in O(n): a stable
 * least-significant-digit radix sort on 11-bit digits of the time less the smallest one. The
 * learned policy uses it to seed its shadows with the residents, oldest access first, from its
 * feature records (ml-hybrid.ts), where a comparison sort calling back per comparison took
 * several times longer.
 */

const DIGIT_BITS = 11;
const RADIX = 1 << DIGIT_BITS;

/**
 * Reorders `slots[0 … n)` so that their `times` (`times[i]` belongs to `slots[i]`, and moves
 * with it) ascend; slots with equal times keep their order. Times must be whole numbers in
 * [0, 2^53).
 */
export function sortSlotsByTime(slots: Int32Array, times: Float64Array): void {
  const n = slots.length;
  if (times.length !== n) throw new RangeError('one time per slot');
  if (n < 2) return;
  let min = times[0]!;
  let max = min;
  for (let i = 1; i < n; i++) {
    const t = times[i]!;
    if (t < min) min = t;
    else if (t > max) max = t;
  }
  let span = max - min;
  let passes = 0;
  while (span >= 1) {
    passes++;
    span = Math.floor(span / RADIX);
  }
  let fromSlots: Int32Array = slots;
  let fromTimes: Float64Array = times;
  let toSlots: Int32Array = new Int32Array(n);
  let toTimes: Float64Array = new Float64Array(n);
  const counts = new Int32Array(RADIX);
  for (let p = 0, scale = 1; p < passes; p++, scale *= RADIX) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[digit(fromTimes[i]!, min, scale)]!++;
    for (let d = 0, at = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = at;
      at += c;
    }
    for (let i = 0; i < n; i++) {
      const to = counts[digit(fromTimes[i]!, min, scale)]!++;
      toSlots[to] = fromSlots[i]!;
      toTimes[to] = fromTimes[i]!;
    }
    [fromSlots, toSlots] = [toSlots, fromSlots];
    [fromTimes, toTimes] = [toTimes, fromTimes];
  }
  if (fromSlots !== slots) {
    slots.set(fromSlots);
    times.set(fromTimes);
  }
}

function digit(time: number, min: number, scale: number): number {
  return Math.floor((time - min) / scale) % RADIX;
}
