/**
 * The regression target (research note §4.3): log1p of the time to the key's next access, in
 * requests, capped at `cap` (LRB uses 2 × the memory window). A key never accessed again
 * (pass Infinity or NaN), or whose TTL runs out first (pass the cap), gets the cap's label: it is
 * dead either way.
 */
export function labelFromGap(gap: number, cap: number): number {
  if (!(gap <= cap)) return Math.log1p(cap);
  return Math.log1p(gap > 0 ? gap : 0);
}
