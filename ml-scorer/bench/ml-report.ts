/**
 * Turns the JSON lines of `ml-eval.ts` into the markdown tables of docs/learned-eviction.md:
 * the targets (cells where ML+LRU and ML+LFU beat LRU and LFU; the share of the LRU-to-Belady
 * gap closed, against S3-FIFO and W-TinyLFU), every miss ratio, the gap shares, and the speeds.
 *
 *   npx node ml-scorer/bench/ml-report.ts results.jsonl [--tuning arc_OLTP,c2k_web07] > out.md
 */
import { readFileSync } from 'node:fs';
import { parseScriptArgs } from '../../node/src/platform/script-args.ts';

interface Row {
  readonly trace: string;
  readonly mode: 'object' | 'byte';
  readonly fraction: number;
  readonly capacity: number;
  readonly policy: string;
  readonly requests: number;
  readonly missRatio: number;
  readonly cpuSeconds: number;
  readonly readSeconds: number;
  readonly trainingSeconds?: number;
  readonly shadowFallbacks?: number;
}

const { values, positionals } = parseScriptArgs({
  allowPositionals: true,
  options: { tuning: { type: 'string', default: 'arc_OLTP,c2k_web07' } },
});
const tuning = new Set(values.tuning.split(','));
const rows: Row[] = readFileSync(positionals[0]!, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Row);

const ML = ['ml-lru', 'ml-lfu'];
const SHOWN = ['lru', 'lfu', 's3fifo', 'wtinylfu', 'ml-lru', 'ml-lfu', 'belady'];
const ONLINE = ['lru', 'lfu', 's3fifo', 'wtinylfu', 'ml-lru', 'ml-lfu'];

/** Cells: trace × mode × size, each with its rows by policy. */
const cells = new Map<string, Map<string, Row>>();
for (const row of rows) {
  const key = `${row.trace}|${row.mode}|${row.fraction}`;
  if (!cells.has(key)) cells.set(key, new Map());
  cells.get(key)!.set(row.policy, row);
}
const cellList = [...cells.values()].filter((c) => SHOWN.every((p) => c.has(p)));

const pct = (x: number): string => `${x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(1)}%`;
const ratio = (x: number): string => x.toFixed(4);
const size = (f: number): string => `${Math.round(f * 100)}%`;
const gap = (c: Map<string, Row>, p: string): number => {
  const lru = c.get('lru')!.missRatio;
  const opt = c.get('belady')!.missRatio;
  return lru - opt > 1e-12 ? (lru - c.get(p)!.missRatio) / (lru - opt) : 0;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? 0
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const table = (header: string[], body: string[][], align?: string[]): string =>
  [
    `| ${header.join(' | ')} |`,
    `| ${(align ?? header.map((_, i) => (i === 0 ? ':---' : '---:'))).join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const out: string[] = [];

// ---- targets ----------------------------------------------------------------------------------
const groups: [string, (c: Map<string, Row>) => boolean][] = [
  ['all cells', () => true],
  ['object budget', (c) => c.get('lru')!.mode === 'object'],
  ['byte budget', (c) => c.get('lru')!.mode === 'byte'],
  ['excluding the tuning traces', (c) => !tuning.has(c.get('lru')!.trace)],
];
out.push('### Targets');
out.push('');
const targetRows: string[][] = [];
for (const [label, keep] of groups) {
  const cs = cellList.filter(keep);
  if (cs.length === 0) continue;
  for (const p of ML) {
    const beatsLru = cs.filter((c) => c.get(p)!.missRatio < c.get('lru')!.missRatio).length;
    const beatsLfu = cs.filter((c) => c.get(p)!.missRatio < c.get('lfu')!.missRatio).length;
    const beatsBoth = cs.filter(
      (c) => c.get(p)!.missRatio < Math.min(c.get('lru')!.missRatio, c.get('lfu')!.missRatio),
    ).length;
    const n = cs.length;
    targetRows.push([
      label,
      `\`${p}\``,
      `${beatsBoth}/${n} (${pct(beatsBoth / n)})`,
      `${beatsLru}/${n}`,
      `${beatsLfu}/${n}`,
      pct(mean(cs.map((c) => gap(c, p)))),
      pct(median(cs.map((c) => gap(c, p)))),
      pct(mean(cs.map((c) => gap(c, 's3fifo')))),
      pct(mean(cs.map((c) => gap(c, 'wtinylfu')))),
    ]);
  }
}
out.push(
  table(
    [
      'cells',
      'policy',
      'beats LRU and LFU',
      'beats LRU',
      'beats LFU',
      'mean gap closed',
      'median gap closed',
      'S3-FIFO mean',
      'W-TinyLFU mean',
    ],
    targetRows,
    [':---', ':---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
  ),
);
out.push('');

// ---- miss ratios ------------------------------------------------------------------------------
out.push('### Miss ratio per cell');
out.push('');
out.push(
  'Bold: the best online policy of the cell. `W` after an ML value: lower than both LRU and LFU; `w`: lower than LRU only; `–`: not lower than LRU. Tuning traces are marked †.',
);
out.push('');
const body: string[][] = [];
for (const c of cellList) {
  const any = c.get('lru')!;
  const best = Math.min(...ONLINE.map((p) => c.get(p)!.missRatio));
  const lru = c.get('lru')!.missRatio;
  const lfu = c.get('lfu')!.missRatio;
  body.push([
    `${any.trace}${tuning.has(any.trace) ? ' †' : ''}`,
    any.mode,
    size(any.fraction),
    any.capacity.toLocaleString('en-US'),
    ...SHOWN.map((p) => {
      const v = c.get(p)!.missRatio;
      let text = p !== 'belady' && v === best ? `**${ratio(v)}**` : ratio(v);
      if (ML.includes(p)) text += v < Math.min(lru, lfu) ? ' W' : v < lru ? ' w' : ' –';
      return text;
    }),
  ]);
}
out.push(table(['trace', 'budget', 'size', 'capacity', ...SHOWN], body));
out.push('');

// ---- gap closed -------------------------------------------------------------------------------
out.push('### Share of the LRU-to-Belady gap closed');
out.push('');
out.push(
  '(LRU − X) / (LRU − Belady). With a byte budget Belady is libCacheSim’s BeladySize heuristic, so those shares are indicative only.',
);
out.push('');
const gapPolicies = ['lfu', 's3fifo', 'wtinylfu', 'ml-lru', 'ml-lfu'];
out.push(
  table(
    ['trace', 'budget', 'size', 'LRU − Belady', ...gapPolicies],
    cellList.map((c) => {
      const any = c.get('lru')!;
      return [
        any.trace,
        any.mode,
        size(any.fraction),
        ratio(any.missRatio - c.get('belady')!.missRatio),
        ...gapPolicies.map((p) => pct(gap(c, p))),
      ];
    }),
  ),
);
out.push('');

// ---- where ML loses ----------------------------------------------------------------------------
out.push('### Cells where an ML policy does not beat both LRU and LFU');
out.push('');
const losses: string[][] = [];
for (const c of cellList) {
  const any = c.get('lru')!;
  const floor = Math.min(c.get('lru')!.missRatio, c.get('lfu')!.missRatio);
  for (const p of ML) {
    const v = c.get(p)!.missRatio;
    if (v < floor) continue;
    losses.push([
      `${any.trace} ${any.mode} ${size(any.fraction)}`,
      `\`${p}\``,
      ratio(v),
      ratio(c.get('lru')!.missRatio),
      ratio(c.get('lfu')!.missRatio),
      `${((v - floor) * any.requests).toFixed(0)} more misses than the better of LRU/LFU`,
    ]);
  }
}
out.push(table(['cell', 'policy', 'miss ratio', 'LRU', 'LFU', 'by'], losses));
out.push('');

// ---- speed ------------------------------------------------------------------------------------
out.push('### Speed (CPU seconds, single thread)');
out.push('');
out.push(
  'Replay = the policy’s own pass over the in-memory trace (ML: including its synchronous training, also shown alone). With reading = plus reading and parsing the compressed trace once, which every `mlcache sim` cell pays. The ratio is LRU’s time over ML+LRU’s (1 = as fast as LRU; the target is ≥ 0.25).',
);
out.push('');
const speedRows: string[][] = [];
const byTrace = new Map<string, Map<string, Row>[]>();
for (const c of cellList) {
  const t = `${c.get('lru')!.trace}|${c.get('lru')!.mode}`;
  if (!byTrace.has(t)) byTrace.set(t, []);
  byTrace.get(t)!.push(c);
}
let sumLru = 0;
let sumMl = 0;
let sumRead = 0;
for (const [t, cs] of byTrace) {
  const [trace, mode] = t.split('|');
  const lru = cs.reduce((s, c) => s + c.get('lru')!.cpuSeconds, 0);
  const ml = cs.reduce((s, c) => s + c.get('ml-lru')!.cpuSeconds, 0);
  const mlLfu = cs.reduce((s, c) => s + c.get('ml-lfu')!.cpuSeconds, 0);
  const train = cs.reduce((s, c) => s + (c.get('ml-lru')!.trainingSeconds ?? 0), 0);
  const read = cs[0]!.get('lru')!.readSeconds * cs.length;
  const requests = cs[0]!.get('lru')!.requests * cs.length;
  sumLru += lru;
  sumMl += ml;
  sumRead += read;
  speedRows.push([
    `${trace} (${mode}, ${cs.length} sizes)`,
    (requests / 1e6).toFixed(2),
    lru.toFixed(2),
    ml.toFixed(2),
    train.toFixed(2),
    mlLfu.toFixed(2),
    (lru / ml).toFixed(2),
    ((lru + read) / (ml + read)).toFixed(2),
  ]);
}
speedRows.push([
  '**all**',
  '',
  sumLru.toFixed(2),
  sumMl.toFixed(2),
  '',
  '',
  (sumLru / sumMl).toFixed(2),
  ((sumLru + sumRead) / (sumMl + sumRead)).toFixed(2),
]);
out.push(
  table(
    [
      'trace',
      'M requests',
      'LRU replay',
      'ML+LRU replay',
      'of which training',
      'ML+LFU replay',
      'speed ratio, replay',
      'speed ratio, with reading',
    ],
    speedRows,
  ),
);
out.push('');
process.stdout.write(`${out.join('\n')}\n`);
