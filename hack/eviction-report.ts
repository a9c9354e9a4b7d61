/**
 * The eviction report: every trace of the shared trace set through every policy, written to
 * docs/eviction-results.md with one chart per trace in docs/plots/.
 *
 *   make eviction-report
 *   # which runs: node hack/eviction-report.ts [--traces DIR] [--out DIR] [--jobs N] [--only A,B]
 *
 * --traces  the folder holding csv/ and reference/ (default: MLCACHE_TRACES, else
 *           ../shared/traces beside the repository)
 * --out     where eviction-results.md and plots/ go (default: docs)
 * --jobs    worker threads per trace (default: available cores)
 * --only    just these traces (names without extensions), for a quick look; the committed report
 *           covers every trace
 * --learned the learned policies' results (default docs/data/learned-eval.jsonl): the JSON lines
 *           of `ml-scorer/bench/ml-eval.ts`, whose ml-lru and ml-lfu rows are shown beside the
 *           plain policies. They are read, not rerun, because the learned policies take about 15
 *           CPU minutes for the whole set; rerun ml-eval.ts to refresh them. Cells whose capacity
 *           differs from this run's are refused (the file is from other traces).
 *
 * For each trace in csv/: 1%, 5% and 10% of the working set, with an object budget for every
 * trace and also a byte budget for traces whose objects differ in size; every evicting policy of
 * the node's registry plus Belady; the best online policy per cell; the share of the LRU-to-Belady
 * gap each policy closes; and libCacheSim's miss ratio for the same cell from
 * reference/libcachesim.csv. Every number is deterministic (policies are seeded), so a rerun on
 * the same code gives the same file. It takes a minute or two on two cores.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScriptArgs } from '../node/src/platform/script-args.ts';
import { policyNames } from '../node/src/policy/registry.ts';
import { isTraceFile, traceName } from '../ml-scorer/src/data/trace-file.ts';
import type { CellResult, CellSpec } from '../ml-scorer/src/sim/cells.ts';
import { gapClosed, markdownTable, median } from '../ml-scorer/src/sim/gap.ts';
import { missRatioChart, writeChart } from '../ml-scorer/src/sim/plot.ts';
import { defaultPolicyNames, isOracleName } from '../ml-scorer/src/sim/policy-table.ts';
import type { ReferenceResults } from '../ml-scorer/src/sim/reference-results.ts';
import { libCacheSimName, loadReferenceResults } from '../ml-scorer/src/sim/reference-results.ts';
import { runCells } from '../ml-scorer/src/sim/run-cells.ts';
import type { SourceSpec } from '../ml-scorer/src/sim/trace-source.ts';
import { openSource } from '../ml-scorer/src/sim/trace-source.ts';

const FRACTIONS = [0.01, 0.05, 0.1] as const;
/** The policies the brief asks for; any missing from the registry is named in the report. */
const EXPECTED = ['lru', 'lfu', 'fifo', 'arc', 'sieve', 's3fifo', 'wtinylfu'];
/** libCacheSim's offline and learned entries, left out of its "best online" for comparison. */
const LIBCACHESIM_NOT_ONLINE = new Set(['Belady', 'BeladySize', 'LRB', 'GLCache']);

interface TraceStats {
  readonly name: string;
  readonly requests: number;
  readonly uniqueObjects: number;
  readonly uniqueBytes: number;
  readonly variableSizes: boolean;
}

/** One (trace, mode, size) cell with every policy's result. */
interface Row {
  readonly trace: string;
  readonly ignoreSize: boolean;
  readonly fraction: number;
  readonly capacity: number;
  readonly results: Map<string, CellResult>;
}

/** The learned policies, whose results come from ml-eval.ts's JSON lines (--learned). */
const LEARNED = ['ml-lru', 'ml-lfu'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseScriptArgs({
  options: {
    traces: {
      type: 'string',
      default: process.env.MLCACHE_TRACES ?? join(root, '..', 'shared', 'traces'),
    },
    out: { type: 'string', default: join(root, 'docs') },
    jobs: { type: 'string', default: String(availableParallelism()) },
    only: { type: 'string' },
    learned: { type: 'string', default: join(root, 'docs', 'data', 'learned-eval.jsonl') },
  },
});
const csvDir = join(values.traces, 'csv');
const policies = defaultPolicyNames();
const online = policies.filter((policy) => !isOracleName(policy));
const reference = loadReferenceResults(join(values.traces, 'reference', 'libcachesim.csv'));
const files = readdirSync(csvDir)
  .filter((name) => isTraceFile(name))
  .filter((name) => values.only === undefined || values.only.split(',').includes(traceName(name)))
  .sort()
  .map((name) => join(csvDir, name));

const stats: TraceStats[] = [];
const rows: Row[] = [];
for (const file of files) {
  const source: SourceSpec = { kind: 'trace', path: file, format: 'auto' };
  const started = performance.now();
  const trace = await traceStats(source, traceName(file));
  stats.push(trace);
  const cells = cellsFor(trace);
  const results = await runCells(source, cells, { jobs: Number(values.jobs) });
  rows.push(...toRows(trace.name, results));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`${trace.name}: ${cells.length} cells in ${seconds} s\n`);
}

const learnedNames = existsSync(values.learned) ? addLearned(rows, values.learned) : [];
/** Every column of the tables: the plain policies, Belady, then the learned policies. */
const columns = [...policies, ...learnedNames];

mkdirSync(join(values.out, 'plots'), { recursive: true });
for (const trace of stats) {
  const chartRows = rows
    .filter((row) => row.trace === trace.name)
    .flatMap((row) =>
      [...row.results.values()].map((r) => ({ ...r, trace: row.trace, cacheSize: r.capacity })),
    );
  await writeChart(missRatioChart(chartRows), join(values.out, 'plots', `${trace.name}.svg`));
}
writeFileSync(join(values.out, 'eviction-results.md'), renderReport(stats, rows, reference));
process.stderr.write(
  `wrote ${join(values.out, 'eviction-results.md')} and ${stats.length} plots\n`,
);

/** One counting pass: requests, working set, and whether object sizes vary. */
async function traceStats(source: SourceSpec, name: string): Promise<TraceStats> {
  const seen = new Set<number>();
  let requests = 0;
  let uniqueBytes = 0;
  let minSize = Infinity;
  let maxSize = -Infinity;
  for await (const batch of openSource(source)) {
    for (let i = 0; i < batch.length; i++) {
      const size = batch.sizes[i]!;
      minSize = Math.min(minSize, size);
      maxSize = Math.max(maxSize, size);
      if (seen.has(batch.keys[i]!)) continue;
      seen.add(batch.keys[i]!);
      uniqueBytes += size;
    }
    requests += batch.length;
  }
  return {
    name,
    requests,
    uniqueObjects: seen.size,
    uniqueBytes,
    variableSizes: minSize !== maxSize,
  };
}

/**
 * Adds the learned policies' results of `file` to the rows of the same cell; returns the learned
 * policies found. A cell of the file whose capacity differs from the row's is an error: the file
 * came from other traces or another working-set rule.
 */
function addLearned(all: Row[], file: string): string[] {
  const found = new Set<string>();
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  for (const [index, line] of lines.entries()) {
    const cell = JSON.parse(line) as {
      trace: string;
      mode: string;
      fraction: number;
      capacity: number;
      policy: string;
      requests: number;
      missRatio: number;
      byteMissRatio: number;
    };
    if (!LEARNED.includes(cell.policy)) continue;
    const row = all.find(
      (r) =>
        r.trace === cell.trace &&
        r.ignoreSize === (cell.mode === 'object') &&
        r.fraction === cell.fraction,
    );
    if (row === undefined) continue;
    if (row.capacity !== cell.capacity) {
      throw new Error(
        `${file}:${index + 1}: ${cell.trace} ${cell.mode} ${pct(cell.fraction)} has capacity ${cell.capacity}, this run ${row.capacity}`,
      );
    }
    const misses = Math.round(cell.missRatio * cell.requests);
    row.results.set(cell.policy, {
      policy: cell.policy,
      capacity: cell.capacity,
      sizeFraction: cell.fraction,
      ignoreSize: row.ignoreSize,
      requests: cell.requests,
      hits: cell.requests - misses,
      misses,
      byteRequests: 0,
      byteMisses: 0,
      missRatio: cell.missRatio,
      byteMissRatio: cell.byteMissRatio,
      seconds: 0,
    });
    found.add(cell.policy);
  }
  return LEARNED.filter((name) => found.has(name));
}

function cellsFor(trace: TraceStats): CellSpec[] {
  const modes = trace.variableSizes ? [true, false] : [true];
  return modes.flatMap((ignoreSize) =>
    FRACTIONS.flatMap((fraction) =>
      policies.map((policy) => ({
        policy,
        // floor(fraction x working set), as libCacheSim and its reference CSV compute it.
        capacity: Math.floor(fraction * (ignoreSize ? trace.uniqueObjects : trace.uniqueBytes)),
        sizeFraction: fraction,
        ignoreSize,
      })),
    ),
  );
}

function toRows(trace: string, results: readonly CellResult[]): Row[] {
  const byCell = new Map<string, Map<string, CellResult>>();
  for (const result of results) {
    const key = `${result.ignoreSize}\0${result.sizeFraction}`;
    if (!byCell.has(key)) byCell.set(key, new Map());
    byCell.get(key)!.set(result.policy, result);
  }
  return [...byCell.values()].map((cell) => {
    const first = cell.values().next().value!;
    return {
      trace,
      ignoreSize: first.ignoreSize,
      fraction: first.sizeFraction!,
      capacity: first.capacity,
      results: cell,
    };
  });
}

/** The best online policy of a row (lowest miss ratio; the first listed on a tie). */
function bestOnline(row: Row): CellResult {
  return online
    .map((policy) => row.results.get(policy)!)
    .reduce((best, r) => (r.missRatio < best.missRatio ? r : best));
}

function gapOf(row: Row, policy: string): number | undefined {
  return gapClosed(
    row.results.get('lru')!.missRatio,
    row.results.get(policy)!.missRatio,
    row.results.get('belady')!.missRatio,
  );
}

/** libCacheSim's best online miss ratio for a cell, over every online algorithm it ran. */
function libCacheSimBest(ref: ReferenceResults, row: Row): number | undefined {
  const candidates = ref.rows.filter(
    (r) =>
      r.trace === row.trace &&
      (r.mode === 'obj') === row.ignoreSize &&
      r.sizeFraction === row.fraction &&
      !LIBCACHESIM_NOT_ONLINE.has(r.algo),
  );
  return candidates.length === 0 ? undefined : Math.min(...candidates.map((r) => r.missRatio));
}

// Function declarations, not consts: the top-level code above calls them before this point.
function ratio(value: number): string {
  return value.toFixed(4);
}

function percent(value: number | undefined): string {
  return value === undefined ? '–' : `${Math.round(value * 100)}%`.replace('-', '−');
}

function pct(fraction: number): string {
  return `${fraction * 100}%`;
}

/** A difference with its sign, rounded to the reference's four decimals (−0 shown as 0). */
function signed(value: number): string {
  const text = value.toFixed(4);
  return Number(text) === 0 ? '0' : text.replace('-', '−');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function renderReport(
  traces: readonly TraceStats[],
  all: readonly Row[],
  ref: ReferenceResults,
): string {
  const objRows = all.filter((row) => row.ignoreSize);
  const byteRows = all.filter((row) => !row.ignoreSize);
  const missing = EXPECTED.filter((name) => !policyNames().includes(name));
  return [
    '# Eviction results',
    '',
    '<!-- Generated by `make eviction-report` (node hack/eviction-report.ts). Do not edit by hand: rerun it. -->',
    '',
    `Every trace of the shared trace set (\`traces/csv/\`) replayed by \`mlcache sim\`'s simulator through every evicting policy of the node's registry (${online.map((p) => `\`${p}\``).join(', ')}: the code a node runs) and Belady, at 1%, 5% and 10% of the working set. Cache size = floor(fraction × working set), the working set being unique objects (object budget) or unique bytes with each object at its first size (byte budget), as libCacheSim computes it.`,
    '',
    "- **Belady** with an object budget is the exact offline optimum for caches that admit every miss (MIN, evicting the object requested farthest in the future); every online policy here is such a cache, so nothing can beat it. With a byte budget it is libCacheSim's size-aware `BeladySize` heuristic (evict the largest size × time-to-next-request among 128 sampled objects; objects never requested again are not admitted): a reference line, not an optimum.",
    '- **Gap closed** = (LRU − X) / (LRU − Belady) on the miss ratio: 0% is LRU, 100% is Belady, negative is worse than LRU.',
    '- **Best online** is picked per cell after the fact, so no single policy achieves that row; it is the bar a learned policy has to clear.',
    learnedNames.length === 0
      ? '- The learned policies are not in this report (no --learned results file).'
      : `- **The learned policies** (${learnedNames.map((p) => `\`${p}\``).join(', ')}) are shown in the last columns, from \`docs/data/learned-eval.jsonl\` (the JSON lines of \`ml-scorer/bench/ml-eval.ts\`, seed 1; each cell starts without a model and learns from its own past only; design and discussion in [learned-eviction.md](learned-eviction.md)). "Best online" is over the plain policies only.`,
    missing.length === 0
      ? ''
      : `- Not in the registry when this report was generated, so not measured: ${missing.map((p) => `\`${p}\``).join(', ')}.`,
    '',
    '## Headline',
    '',
    ...headline(objRows, ref),
    '',
    '## Traces',
    '',
    markdownTable(
      ['trace', 'requests', 'unique objects', 'unique bytes', 'cold floor', 'byte budget run'],
      traces.map((t) => [
        t.name,
        count(t.requests),
        count(t.uniqueObjects),
        count(t.uniqueBytes),
        ratio(t.uniqueObjects / t.requests),
        t.variableSizes ? 'yes' : 'no (sizes all equal)',
      ]),
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
    'The cold floor (unique objects / requests) is the miss ratio no cache can go below.',
    '',
    '## Object budget: miss ratio',
    '',
    missRatioTable(objRows, ref),
    '',
    '## Object budget: share of the LRU-to-Belady gap closed',
    '',
    gapTable(objRows),
    '',
    ...(byteRows.length === 0
      ? []
      : [
          '## Byte budget (traces whose objects differ in size)',
          '',
          'Object miss ratio, then byte miss ratio; Belady here is the BeladySize heuristic, so its gap shares are indicative only.',
          '',
          missRatioTable(byteRows, ref),
          '',
          byteMissTable(byteRows),
          '',
          gapTable(byteRows),
          '',
        ]),
    '## Agreement with libCacheSim',
    '',
    ...agreement(all, ref),
    '',
    '## Plots',
    '',
    'Miss ratio (object budget) and byte miss ratio (byte budget) against cache size; Belady dashed.',
    '',
    ...traces.map((t) => `![${t.name}](plots/${t.name}.svg)`),
    '',
  ].join('\n');
}

function headline(objRows: readonly Row[], ref: ReferenceResults): string[] {
  const wins = new Map<string, number>(online.map((p) => [p, 0]));
  for (const row of objRows)
    wins.set(bestOnline(row).policy, wins.get(bestOnline(row).policy)! + 1);
  const atFraction = (fraction: number) => objRows.filter((row) => row.fraction === fraction);
  const bestGaps = FRACTIONS.map((f) =>
    median(atFraction(f).map((row) => gapOf(row, bestOnline(row).policy))),
  );
  // The same, restricted to the cells libCacheSim also ran, for a like-for-like comparison.
  const bestGapsShared = FRACTIONS.map((f) =>
    median(
      atFraction(f)
        .filter((row) => libCacheSimBest(ref, row) !== undefined)
        .map((row) => gapOf(row, bestOnline(row).policy)),
    ),
  );
  const sharedTraces = new Set(
    objRows.filter((row) => libCacheSimBest(ref, row) !== undefined).map((row) => row.trace),
  ).size;
  const libBest = FRACTIONS.map((f) =>
    median(
      atFraction(f).map((row) => {
        const best = libCacheSimBest(ref, row);
        return best === undefined
          ? undefined
          : gapClosed(
              row.results.get('lru')!.missRatio,
              best,
              row.results.get('belady')!.missRatio,
            );
      }),
    ),
  );
  const table = markdownTable(
    ['policy', ...FRACTIONS.map((f) => `median gap closed at ${pct(f)}`), 'cells won'],
    [
      ...[...online, ...learnedNames].map((policy) => [
        `\`${policy}\``,
        ...FRACTIONS.map((f) => percent(median(atFraction(f).map((row) => gapOf(row, policy))))),
        wins.has(policy) ? String(wins.get(policy)) : '–',
      ]),
      [
        '**best online, per cell**',
        ...bestGaps.map((g) => `**${percent(g)}**`),
        String(objRows.length),
      ],
      [
        `ours, best online, on the ${sharedTraces} traces libCacheSim ran`,
        ...bestGapsShared.map(percent),
        '–',
      ],
      [
        `libCacheSim, best of its online policies, same ${sharedTraces} traces`,
        ...libBest.map(percent),
        '–',
      ],
    ],
    ['l', 'r', 'r', 'r', 'r'],
  );
  const traceCount = new Set(objRows.map((row) => row.trace)).size;
  return [
    `Object budget, ${traceCount} traces × 3 sizes = ${objRows.length} cells. Medians over the traces of the share of the LRU-to-Belady gap closed (ties for a cell's win go to the policy listed first):`,
    '',
    table,
    '',
    `The last line is the same statistic for the best of the online algorithms libCacheSim ran on these traces (its reference CSV: ARC, Cacheus, FIFO, LFU, LFUDA, LIRS, LeCaR, LRU, S3-FIFO, SIEVE, 2Q, W-TinyLFU; the learned LRB and GL-Cache excluded; tencent_photo_sample has no reference rows), measured against our LRU and Belady (which should equal libCacheSim's; see the agreement section); the line above it is ours on the same traces. A learned policy has to close more of the gap than both best-online lines to beat the strongest plain policies.`,
  ];
}

function missRatioTable(rows: readonly Row[], ref: ReferenceResults): string {
  return markdownTable(
    ['trace', 'size', 'cache size', ...columns, 'best online', 'libCacheSim best online'],
    rows.map((row) => {
      const best = bestOnline(row);
      const lib = libCacheSimBest(ref, row);
      return [
        row.trace,
        pct(row.fraction),
        count(row.capacity),
        ...columns.map((p) => {
          const value = ratio(row.results.get(p)!.missRatio);
          return p === best.policy ? `**${value}**` : value;
        }),
        `${best.policy} ${ratio(best.missRatio)}`,
        lib === undefined ? '–' : ratio(lib),
      ];
    }),
    ['l', 'r', 'r', ...columns.map(() => 'r' as const), 'l', 'r'],
  );
}

function byteMissTable(rows: readonly Row[]): string {
  return markdownTable(
    ['trace', 'size', 'cache bytes', ...columns.map((p) => `${p} (bytes)`)],
    rows.map((row) => [
      row.trace,
      pct(row.fraction),
      count(row.capacity),
      ...columns.map((p) => ratio(row.results.get(p)!.byteMissRatio)),
    ]),
    ['l', 'r', 'r', ...columns.map(() => 'r' as const)],
  );
}

function gapTable(rows: readonly Row[]): string {
  const others = [...online, ...learnedNames].filter((p) => p !== 'lru');
  return markdownTable(
    ['trace', 'size', 'LRU − Belady', ...others, 'best online'],
    rows.map((row) => {
      const best = bestOnline(row);
      const gap = row.results.get('lru')!.missRatio - row.results.get('belady')!.missRatio;
      return [
        row.trace,
        pct(row.fraction),
        ratio(gap),
        ...others.map((p) => percent(gapOf(row, p))),
        `${best.policy} ${percent(gapOf(row, best.policy))}`,
      ];
    }),
    ['l', 'r', 'r', ...others.map(() => 'r' as const), 'l'],
  );
}

function agreement(all: readonly Row[], ref: ReferenceResults): string[] {
  const lines = [true, false].flatMap((ignoreSize) =>
    policies.flatMap((policy) => {
      let cells = 0;
      let equal = 0;
      let maxDelta = 0;
      let sumDelta = 0;
      let label = '';
      for (const row of all) {
        if (row.ignoreSize !== ignoreSize) continue;
        const algo = libCacheSimName(policy, ignoreSize);
        const theirs =
          algo === undefined ? undefined : ref.find(row.trace, ignoreSize, row.fraction, algo);
        if (theirs === undefined) continue;
        const delta = Number(ratio(row.results.get(policy)!.missRatio)) - theirs.missRatio;
        cells++;
        if (Math.abs(delta) < 5e-5) equal++;
        if (Math.abs(delta) > Math.abs(maxDelta)) maxDelta = delta;
        sumDelta += delta;
        label = theirs.label;
      }
      const budget = ignoreSize ? 'object' : 'byte';
      return cells === 0
        ? []
        : [
            [
              `\`${policy}\``,
              budget,
              label,
              String(cells),
              String(equal),
              signed(maxDelta),
              signed(sumDelta / cells),
            ],
          ];
    }),
  );
  return [
    "Our miss ratio minus libCacheSim's (reference/libcachesim.csv, commit aa0fc40) on every cell both ran, rounded to its four printed decimals. Per the shared README, FIFO, LRU, LFU, SIEVE and Belady rows are exact targets; ARC, S3-FIFO and W-TinyLFU depend on parameters that the libCacheSim label records.",
    '',
    markdownTable(
      [
        'ours',
        'budget',
        'libCacheSim',
        'cells',
        'equal to 4 decimals',
        'largest difference',
        'mean difference',
      ],
      lines,
      ['l', 'l', 'l', 'r', 'r', 'r', 'r'],
    ),
    '',
    "Known, deliberate differences: the registry's `lfu` halves its counts periodically (aging, as TinyLFU does) where libCacheSim's LFU never forgets; `wtinylfu` adapts its window by hill climbing (Caffeine) where libCacheSim's is fixed at 1% (`wtinylfu-fixed` is that configuration; its sketch and admission details still differ); the byte-budget `belady` samples with our seeded generator, not libCacheSim's hash-table walk.",
  ];
}
