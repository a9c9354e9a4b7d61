import { describe, expect, it } from 'vitest';
import { countersFromInfo, formatTable, policyRow, sizeInBytes } from './demo-report.ts';

describe('the demo table', () => {
  it('computes hit ratio and evictions from INFO before and after', () => {
    const before = countersFromInfo(
      new Map([
        ['keyspace_hits', '10'],
        ['keyspace_misses', '5'],
        ['evicted_keys', '2'],
      ]),
    );
    const after = { hits: 70, misses: 45, evictions: 12 };
    const row = policyRow('lfu', 'mirror', before, after, { p50Ms: 0.2, p99Ms: 1.5 }, 0);
    expect(row).toMatchObject({ lookups: 100, hitRatio: 0.6, evictions: 10 });
    expect(() => countersFromInfo(new Map())).toThrow(/keyspace_hits/);
  });

  it('prints one aligned row per policy', () => {
    const zero = { hits: 0, misses: 0, evictions: 0 };
    const table = formatTable([
      policyRow(
        'lru',
        'primary',
        zero,
        { hits: 1, misses: 3, evictions: 7 },
        { p50Ms: 0.25, p99Ms: 2 },
        null,
      ),
      policyRow('ml-lfu', 'mirror', zero, zero, { p50Ms: null, p99Ms: null }, 0),
    ]);
    expect(table.split('\n')).toEqual([
      'policy  role     hit ratio  p50 ms  p99 ms  evictions  lookups',
      '------  -------  ---------  ------  ------  ---------  -------',
      'lru     primary    25.00 %   0.250   2.000          7        4',
      'ml-lfu  mirror           -       -       -          0        0',
    ]);
  });

  it('reads sizes as the node does', () => {
    expect(sizeInBytes('8mb')).toBe(8 * 1024 * 1024);
    expect(sizeInBytes('8m')).toBe(8_000_000);
    expect(sizeInBytes('512')).toBe(512);
    expect(sizeInBytes('lots')).toBeNaN();
  });
});
