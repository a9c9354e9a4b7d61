/**
 * Our policies against libCacheSim, an independent simulator (commit aa0fc40, the one behind the
 * S3-FIFO and SIEVE papers), on the real traces in `../shared/traces` (see its README): every
 * (trace, size, policy) cell of `reference/libcachesim.csv` for the small traces, object mode
 * (every object counts 1) and, for cloudPhysics, byte mode.
 *
 * Exact targets (|ours - libCacheSim| <= 0.0005, i.e. equal to the 4 printed decimals give or
 * take rounding): FIFO, LRU, SIEVE, ARC and S3-FIFO follow libCacheSim's code path for path.
 * Two things could differ and were checked not to on these cells: ARC's case IV compares the
 * incoming size, which our contract hides from the policy (we use the mean resident size, exact
 * when every size is 1; in byte mode the largest effect is 0.0001); S3-FIFO places an entry
 * larger than S at S's oldest end where libCacheSim refuses it (no cloudPhysics object is that
 * large).
 *
 * W-TinyLFU cannot be exact, by design: we implement Caffeine's TinyLFU (a count-min sketch of
 * 4-bit counters behind a doorkeeper, fed by every request, halved every 10 x entries requests,
 * seeded hashing), libCacheSim a 10-hash counting Bloom filter with unbounded counters fed by
 * inserts, main-space hits and admission candidates and halved every 32 x (main size) main-space
 * hits, hashed with XXH64. The structure is the same (1% window LRU, SLRU main 20/80, the
 * window's LRU entry duels the main space's, ties lose), so it gets a documented looser bound:
 * |diff| <= 0.06, and never more than 0.03 worse than libCacheSim. On these traces seeds alone
 * move our miss ratio by up to 0.06 (lirs_ps 5%). Cells where libCacheSim's window,
 * floor(1% of the cache), is 0 are skipped: there libCacheSim admits nothing (miss ratio 1.0),
 * while our fixed window keeps at least one entry.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createZstdDecompress } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';

import { createArcPolicy } from './arc.ts';
import type { PolicyFactory } from './eviction-policy.ts';
import { createFifoPolicy } from './fifo.ts';
import { createLruPolicy } from './lru.ts';
import { createS3FifoPolicy } from './s3fifo.ts';
import { createSievePolicy } from './sieve.ts';
import { replay } from './test-replay.ts';
import { createWTinyLfuFixedPolicy } from './wtinylfu.ts';

const TRACES = ['lirs_multi1', 'lirs_ps', 'lirs_sprite', 'c2k_web07', 'lcs_cloudPhysicsIO'];
const EXACT = 0.0005;
const WTINYLFU_BOUND = 0.06;
const WTINYLFU_WORSE_BOUND = 0.03;

interface Target {
  readonly factory: PolicyFactory;
  /** libCacheSim's label for the parameters we match. */
  readonly label: string;
  readonly exact: boolean;
}

const TARGETS: Readonly<Record<string, Target>> = {
  FIFO: { factory: createFifoPolicy, label: 'FIFO', exact: true },
  LRU: { factory: createLruPolicy, label: 'LRU', exact: true },
  SIEVE: { factory: createSievePolicy, label: 'Sieve', exact: true },
  ARC: { factory: createArcPolicy, label: 'ARC', exact: true },
  S3FIFO: { factory: createS3FifoPolicy, label: 'S3FIFO-0.1000-2', exact: true },
  WTinyLFU: { factory: createWTinyLfuFixedPolicy, label: 'WTinyLFU-w0.01-SLRU', exact: false },
};

interface Row {
  readonly trace: string;
  readonly mode: string;
  readonly fraction: number;
  readonly cacheSize: string;
  readonly algo: string;
  readonly label: string;
  readonly requests: number;
  readonly missRatio: number;
}

interface Trace {
  readonly keys: Int32Array;
  readonly sizes: Float64Array;
  readonly unique: number;
  /** Unique bytes, each object counted at the size it was first seen with (libCacheSim's WSS). */
  readonly uniqueBytes: number;
}

const traceDir = findTraces();

describe.skipIf(traceDir === undefined)(
  `policies vs libCacheSim (traces from ../shared/traces or MLCACHE_TRACES: ${traceDir ?? 'absent'})`,
  () => {
    const dir = traceDir ?? '';
    let rows: Row[] = [];
    beforeAll(() => {
      rows = readReference(join(dir, 'reference', 'libcachesim.csv'));
    });

    it.each(TRACES)('%s', async (name) => {
      const trace = await readTrace(join(dir, 'csv', `${name}.csv.zst`));
      const cells = rows.filter((row) => row.trace === name && Object.hasOwn(TARGETS, row.algo));
      expect(cells.length).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const row of cells) {
        const target = TARGETS[row.algo] as Target;
        expect(row.label).toBe(target.label);
        expect(row.requests).toBe(trace.keys.length);
        const byteMode = row.mode === 'byte';
        const capacity = Math.floor(row.fraction * (byteMode ? trace.uniqueBytes : trace.unique));
        // The CSV prints byte sizes as whole MiB; object sizes exactly.
        const printed = byteMode ? `${Math.floor(capacity / 2 ** 20)}MiB` : `${capacity}`;
        expect(row.cacheSize).toBe(printed);
        if (row.algo === 'WTinyLFU' && Math.floor(0.01 * capacity) === 0) continue;
        const policy = target.factory({ capacity });
        const sizes = byteMode ? trace.sizes : undefined;
        const { missRatio } = replay(trace.keys, trace.unique, policy, {
          capacity,
          ...(sizes === undefined ? {} : { sizes }),
        });
        const diff = missRatio - row.missRatio;
        const ok = target.exact
          ? Math.abs(diff) <= EXACT
          : Math.abs(diff) <= WTINYLFU_BOUND && diff <= WTINYLFU_WORSE_BOUND;
        if (!ok) {
          failures.push(
            `${row.algo} ${row.mode} ${row.fraction}: ours ${missRatio.toFixed(4)}, ` +
              `libCacheSim ${row.missRatio.toFixed(4)}`,
          );
        }
      }
      expect(failures).toEqual([]);
    });
  },
);

function findTraces(): string | undefined {
  const fromEnv = process.env['MLCACHE_TRACES'];
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = fromEnv ?? join(repoRoot, '..', 'shared', 'traces');
  return existsSync(join(dir, 'reference', 'libcachesim.csv')) ? dir : undefined;
}

function readReference(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  expect(header).toBe(
    'trace,mode,size_frac,cache_size,algo,algo_label,requests,miss_ratio,byte_miss_ratio',
  );
  return lines.map((line) => {
    const [trace, mode, fraction, cacheSize, algo, label, requests, missRatio] = line.split(',');
    return {
      trace: trace ?? '',
      mode: mode ?? '',
      fraction: Number(fraction),
      cacheSize: cacheSize ?? '',
      algo: algo ?? '',
      label: label ?? '',
      requests: Number(requests),
      missRatio: Number(missRatio),
    };
  });
}

/** Reads a `timestamp,key,size` zstd CSV, numbering keys densely in order of first sight. */
async function readTrace(path: string): Promise<Trace> {
  const ids = new Map<string, number>();
  const keys: number[] = [];
  const sizes: number[] = [];
  let uniqueBytes = 0;
  const lines = createInterface({ input: createReadStream(path).pipe(createZstdDecompress()) });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    const keyStart = line.indexOf(',') + 1;
    const sizeStart = line.indexOf(',', keyStart) + 1;
    const key = line.slice(keyStart, sizeStart - 1);
    const size = Number(line.slice(sizeStart));
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
      uniqueBytes += size;
    }
    keys.push(id);
    sizes.push(size);
  }
  return {
    keys: Int32Array.from(keys),
    sizes: Float64Array.from(sizes),
    unique: ids.size,
    uniqueBytes,
  };
}
