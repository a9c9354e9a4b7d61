import { readFileSync } from 'node:fs';

/**
 * libCacheSim's miss ratios from `traces/reference/libcachesim.csv`, to set next to ours. The
 * CSV's columns: trace, mode (obj|byte), size_frac, cache_size, algo, algo_label, requests,
 * miss_ratio, byte_miss_ratio.
 */
export interface ReferenceRow {
  readonly trace: string;
  readonly mode: 'obj' | 'byte';
  readonly sizeFraction: number;
  readonly algo: string;
  readonly label: string;
  readonly missRatio: number;
  readonly byteMissRatio: number;
}

/**
 * Our policy names and libCacheSim's for the same algorithm. Belady maps by mode: our `belady`
 * is libCacheSim's `Belady` with an object budget and its `BeladySize` with a byte budget.
 */
const LIBCACHESIM_NAMES: Readonly<Record<string, string>> = {
  lru: 'LRU',
  lfu: 'LFU',
  fifo: 'FIFO',
  arc: 'ARC',
  sieve: 'SIEVE',
  s3fifo: 'S3FIFO',
  'wtinylfu-fixed': 'WTinyLFU',
  lirs: 'LIRS',
  twoq: 'TwoQ',
  '2q': 'TwoQ',
  'belady-size': 'BeladySize',
};

/** libCacheSim's name for one of our policies in a mode; undefined when it has none. */
export function libCacheSimName(policy: string, ignoreSize: boolean): string | undefined {
  if (policy === 'belady') return ignoreSize ? 'Belady' : 'BeladySize';
  return LIBCACHESIM_NAMES[policy];
}

/** The reference table, looked up by cell. */
export interface ReferenceResults {
  readonly rows: readonly ReferenceRow[];
  find(
    trace: string,
    ignoreSize: boolean,
    sizeFraction: number,
    algo: string,
  ): ReferenceRow | undefined;
}

/** Reads the reference CSV (CRLF line ends, as shipped). */
export function loadReferenceResults(path: string): ReferenceResults {
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const header = lines[0]!.split(',');
  const col = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${path}: no '${name}' column`);
    return index;
  };
  const [trace, mode, frac, algo, label, miss, byteMiss] = [
    'trace',
    'mode',
    'size_frac',
    'algo',
    'algo_label',
    'miss_ratio',
    'byte_miss_ratio',
  ].map(col) as [number, number, number, number, number, number, number];
  const rows = lines.slice(1).map((line): ReferenceRow => {
    const f = line.split(',');
    return {
      trace: f[trace]!,
      mode: f[mode] === 'byte' ? 'byte' : 'obj',
      sizeFraction: Number(f[frac]),
      algo: f[algo]!,
      label: f[label]!,
      missRatio: Number(f[miss]),
      byteMissRatio: Number(f[byteMiss]),
    };
  });
  const index = new Map(
    rows.map((row) => [key(row.trace, row.mode === 'obj', row.sizeFraction, row.algo), row]),
  );
  return {
    rows,
    find: (t, ignoreSize, fraction, a) => index.get(key(t, ignoreSize, fraction, a)),
  };
}

function key(trace: string, ignoreSize: boolean, fraction: number, algo: string): string {
  return `${trace}\0${ignoreSize ? 'obj' : 'byte'}\0${fraction}\0${algo}`;
}
