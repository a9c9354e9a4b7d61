/** Growth of per-slot byte arrays (visited bits, small counters), like `typed-arrays.ts`. */

import { grownSize } from './typed-arrays.ts';

/** A copy of `array` that can index `index`: at least doubled, so growth is amortised O(1). */
export function growUint8For(array: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(grownSize(array.length, index));
  bigger.set(array);
  return bigger;
}
