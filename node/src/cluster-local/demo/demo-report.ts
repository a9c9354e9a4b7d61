import { parseBytes } from '../../util/bytes.ts';

/**
 * The demo's results table (pure): one row per policy, from the nodes' INFO counters (taken
 * before and after the replay) and the gateway's per-pool latencies (GET /v1/mirror).
 */

/** The INFO counters the table reads. */
export interface NodeCounters {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

export interface PolicyRow {
  readonly policy: string;
  readonly role: 'primary' | 'mirror';
  /** Lookups the node served during the replay (hits + misses): the same for every policy. */
  readonly lookups: number;
  /** hits / lookups; null without lookups. */
  readonly hitRatio: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly evictions: number;
  /** Mirrors only: error replies (null for the primary). */
  readonly errors: number | null;
}

export function countersFromInfo(fields: ReadonlyMap<string, string>): NodeCounters {
  const read = (name: string): number => {
    const value = Number(fields.get(name));
    if (!Number.isFinite(value)) throw new TypeError(`INFO has no numeric ${name}`);
    return value;
  };
  return {
    hits: read('keyspace_hits'),
    misses: read('keyspace_misses'),
    evictions: read('evicted_keys'),
  };
}

export function policyRow(
  policy: string,
  role: PolicyRow['role'],
  before: NodeCounters,
  after: NodeCounters,
  latency: { readonly p50Ms: number | null; readonly p99Ms: number | null },
  errors: number | null,
): PolicyRow {
  const hits = after.hits - before.hits;
  const lookups = hits + after.misses - before.misses;
  return {
    policy,
    role,
    lookups,
    hitRatio: lookups === 0 ? null : hits / lookups,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    evictions: after.evictions - before.evictions,
    errors,
  };
}

export function formatTable(rows: readonly PolicyRow[]): string {
  const header = ['policy', 'role', 'hit ratio', 'p50 ms', 'p99 ms', 'evictions', 'lookups'];
  const ms = (value: number | null): string => (value === null ? '-' : value.toFixed(3));
  const cells = rows.map((row) => [
    row.policy,
    row.role,
    row.hitRatio === null ? '-' : `${(row.hitRatio * 100).toFixed(2)} %`,
    ms(row.p50Ms),
    ms(row.p99Ms),
    String(row.evictions),
    String(row.lookups),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, i) => (i < 2 ? value.padEnd(widths[i]!) : value.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...cells.map(line)].join('\n');
}

/** A size as the node reads it (util/bytes.ts: `8mb` is 8 MiB, `8m` is 8,000,000); NaN if bad. */
export function sizeInBytes(text: string): number {
  return parseBytes(text) ?? NaN;
}
