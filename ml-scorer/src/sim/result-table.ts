import { formatBytesHuman } from '../../../node/src/util/bytes.ts';
import type { CellResult } from './cells.ts';
import { isOracleName } from './policy-table.ts';

/** A result with the trace it belongs to: the row `--json` prints. */
export type SimRow = CellResult & { readonly trace: string };

/** The fields of a `--json` line, in a fixed order. */
export function toJsonRow(row: SimRow): Record<string, unknown> {
  return {
    trace: row.trace,
    policy: row.policy,
    cacheSize: row.capacity,
    sizeFraction: row.sizeFraction,
    ignoreSize: row.ignoreSize,
    requests: row.requests,
    hits: row.hits,
    misses: row.misses,
    missRatio: row.missRatio,
    byteMissRatio: row.byteMissRatio,
    seconds: row.seconds,
  };
}

/**
 * The terminal table: one line per result, grouped by trace, mode and size, with `*` on the best
 * online policy of each group (the offline references are not candidates).
 */
export function formatTable(rows: readonly SimRow[]): string {
  const best = new Map<string, number>();
  for (const row of rows) {
    if (isOracleName(row.policy)) continue;
    const key = groupKey(row);
    best.set(key, Math.min(best.get(key) ?? Infinity, row.missRatio));
  }
  const header = [
    'trace',
    'mode',
    'size',
    'cache size',
    'policy',
    'miss ratio',
    'byte miss',
    'M req/s',
  ];
  const lines = rows.map((row) => [
    row.trace,
    row.ignoreSize ? 'obj' : 'byte',
    row.sizeFraction === null ? '-' : `${+(row.sizeFraction * 100).toFixed(4)}%`,
    row.ignoreSize ? String(row.capacity) : formatBytesHuman(row.capacity),
    row.policy,
    `${row.missRatio.toFixed(4)}${!isOracleName(row.policy) && best.get(groupKey(row)) === row.missRatio ? ' *' : '  '}`,
    row.byteMissRatio.toFixed(4),
    row.seconds > 0 ? (row.requests / row.seconds / 1e6).toFixed(2) : '-',
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, c) => Math.max(...all.map((line) => line[c]!.length)));
  const numeric = new Set([2, 3, 5, 6, 7]);
  const render = (line: string[]): string =>
    line
      .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join(
    '\n',
  );
}

function groupKey(row: SimRow): string {
  return `${row.trace}\0${row.ignoreSize}\0${row.capacity}`;
}
