import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCells } from '../src/sim/run-cells.ts';
import { capacityFor, parseSizes } from '../src/sim/cache-sizes.ts';
import { defaultPolicyNames } from '../src/sim/policy-table.ts';
import { libCacheSimName, loadReferenceResults } from '../src/sim/reference-results.ts';
import { openSource } from '../src/sim/trace-source.ts';
import type { SourceSpec } from '../src/sim/trace-source.ts';
import { summarizeTrace } from '../src/sim/working-set.ts';
import { HAVE_TRACES, NO_TRACES_MESSAGE, TRACES } from './traces.ts';

/**
 * The shared README says libCacheSim's LRU and Belady rows are exact targets (independent
 * re-implementations matched them to all printed decimals). Ours must match too, on the small
 * traces here (the report checks every trace); byte mode on cloudPhysicsIO checks the sizes path.
 */
describe.skipIf(!HAVE_TRACES)('miss ratios equal libCacheSim on exact-target cells', () => {
  const cases: [string, boolean][] = [
    ['lirs_ps', true],
    ['lirs_multi1', true],
    ['c2k_web07', true],
    ['lcs_cloudPhysicsIO', true],
    ['lcs_cloudPhysicsIO', false],
  ];
  it.each(cases)('%s (object budget: %s)', async (trace, ignoreSize) => {
    const reference = loadReferenceResults(join(TRACES, 'reference', 'libcachesim.csv'));
    const source: SourceSpec = {
      kind: 'trace',
      path: join(TRACES, 'csv', `${trace}.csv.zst`),
      format: 'auto',
    };
    const summary = await summarizeTrace(openSource(source));
    const policies = ignoreSize ? ['lru', 'belady'] : ['lru'];
    const cells = parseSizes('0.01,0.05,0.1').flatMap((size) =>
      policies.map((policy) => ({
        policy,
        capacity: capacityFor(size, ignoreSize, summary),
        sizeFraction: size.kind === 'fraction' ? size.fraction : null,
        ignoreSize,
      })),
    );
    for (const cell of await runCells(source, cells)) {
      const ref = reference.find(
        trace,
        ignoreSize,
        cell.sizeFraction!,
        libCacheSimName(cell.policy, ignoreSize)!,
      );
      expect(ref, `${cell.policy} at ${cell.sizeFraction}`).toBeDefined();
      expect(cell.missRatio.toFixed(4), `${cell.policy} at ${cell.sizeFraction}`).toBe(
        ref!.missRatio.toFixed(4),
      );
      expect(cell.byteMissRatio.toFixed(4)).toBe(ref!.byteMissRatio.toFixed(4));
    }
  });
});

describe.skipIf(!HAVE_TRACES)('Belady on real traces', () => {
  it.each(['lirs_ps', 'lirs_multi1', 'c2k_web07', 'lcs_cloudPhysicsIO'])(
    '%s: Belady misses no more than any online policy (object budget)',
    async (trace) => {
      const source: SourceSpec = {
        kind: 'trace',
        path: join(TRACES, 'csv', `${trace}.csv.zst`),
        format: 'auto',
      };
      const summary = await summarizeTrace(openSource(source));
      const cells = parseSizes('0.01,0.05,0.1').flatMap((size) =>
        defaultPolicyNames().map((policy) => ({
          policy,
          capacity: capacityFor(size, true, summary),
          sizeFraction: size.kind === 'fraction' ? size.fraction : null,
          ignoreSize: true,
        })),
      );
      const results = await runCells(source, cells);
      for (const cell of results) {
        const belady = results.find((r) => r.policy === 'belady' && r.capacity === cell.capacity)!;
        expect(belady.misses, `${cell.policy} at ${cell.capacity}`).toBeLessThanOrEqual(
          cell.misses,
        );
      }
    },
  );
});

describe.runIf(!HAVE_TRACES)('miss ratios equal libCacheSim on exact-target cells', () => {
  it.skip(NO_TRACES_MESSAGE, () => {});
});
