/** Root mean squared error of `predicted` against `actual` over their first `n` entries. */
export function rmse(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  n: number = actual.length,
): number {
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i]! - actual[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}
