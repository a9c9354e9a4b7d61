/**
 * How far a policy goes from LRU towards Belady: (LRU - X) / (LRU - Belady). 0 is LRU's miss
 * ratio, 1 is the offline optimum's, negative is worse than LRU. Undefined when Belady does not
 * beat LRU (no gap to close).
 */
export function gapClosed(lru: number, policy: number, belady: number): number | undefined {
  const gap = lru - belady;
  return gap > 0 ? (lru - policy) / gap : undefined;
}

/** The median of the defined values; undefined when there are none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (defined.length === 0) return undefined;
  const mid = defined.length >> 1;
  return defined.length % 2 === 1 ? defined[mid]! : (defined[mid - 1]! + defined[mid]!) / 2;
}

/** A Markdown table; cells are escaped for pipes. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const rule = header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? ':---' : '---:'));
  return [header, rule, ...rows].map((row) => `| ${row.map(escape).join(' | ')} |`).join('\n');
}
