/**
 * libCacheSim's reference run against the learned policies' bar (`node
 * ml-scorer/bench/reference-standings.ts`): per algorithm, the cells where its miss ratio is below
 * both LRU's and LFU's, and the mean share of the LRU-to-Belady gap it closes. The learned
 * policies must beat both on 90% of the cells; this shows how libCacheSim's own learned ones,
 * LRB and GL-Cache, fare on the same cells (from its CSV, nothing replayed here).
 *
 *   node ml-scorer/bench/reference-standings.ts [--traces ../shared/traces]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';
import { markdownTable } from '../src/sim/gap.ts';
import { loadReferenceResults } from '../src/sim/reference-results.ts';
import { referenceStandings } from '../src/sim/reference-standings.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseScriptArgs({
  options: {
    traces: {
      type: 'string',
      default: process.env.MLCACHE_TRACES ?? join(root, '..', 'shared', 'traces'),
    },
  },
});
const reference = loadReferenceResults(join(String(values.traces), 'reference', 'libcachesim.csv'));
const standings = referenceStandings(reference.rows);
console.log(
  markdownTable(
    ['libCacheSim algorithm', 'cells below LRU and LFU', 'mean gap closed'],
    standings.map((s) => [
      s.algo,
      `${s.beatsLruAndLfu}/${s.cells} (${((100 * s.beatsLruAndLfu) / s.cells).toFixed(0)}%)`,
      `${(100 * s.meanGapClosed).toFixed(1)}%`,
    ]),
    ['l', 'r', 'r'],
  ),
);
