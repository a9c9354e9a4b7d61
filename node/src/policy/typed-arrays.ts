/** Growth of the typed arrays that hold per-slot state (policies and the store). */

/** A copy of `array` with `size` elements; the new ones are set to `fill`. */
export function growInt32(array: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(array);
  if (fill !== 0) bigger.fill(fill, array.length);
  return bigger;
}

/** A copy of `array` with `size` elements; the new ones are set to `fill`. */
export function growFloat64(
  array: Float64Array,
  size: number,
  fill = 0,
): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(size);
  bigger.set(array);
  if (fill !== 0) bigger.fill(fill, array.length);
  return bigger;
}

/** The size to grow to so that `index` fits: at least double, so growth is amortised O(1). */
export function grownSize(current: number, index: number): number {
  return Math.max(index + 1, current * 2, 16);
}
