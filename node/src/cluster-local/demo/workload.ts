import { createRandom } from '../../util/random.ts';

/**
 * The demo's default workload (pure, seeded: the same seed gives the same requests): what a
 * read-through cache in front of a slow service sees (an API or catalogue cache: most reads go
 * to a drifting set of popular objects, batch jobs sweep through the key space now and then,
 * some keys are read once), with the traits that tell eviction policies apart.
 *
 * - A Zipf core: key ranks drawn with P(rank r) ∝ 1/r^exponent over `keys` keys, mapped to key
 *   ids through a seeded permutation (hot keys are not neighbours).
 * - Slowly shifting popularity: every `shiftEvery` requests the rank → key mapping slides by one,
 *   so yesterday's hot keys cool down and cold ones heat up (recency matters, frequency goes
 *   stale).
 * - Periodic scans: every `scanEvery` requests, `scanLength` consecutive key ids are read once
 *   each, as a batch job would (they flush an LRU; a frequency-aware policy resists them).
 * - One-hit wonders: a fraction of requests are for keys never seen again.
 * - Values of varied sizes: each key's size is fixed (log-uniform between the bounds, from a hash
 *   of its id), so that a key costs the same in every cache.
 *
 * With the defaults and the demo's 200,000 requests (seed 42): 88% core, 7% scan and 5% one-hit
 * requests over 41,971 distinct keys, 45.6 MB as a node charges them (key + value + 112 bytes),
 * 5.4× the demo's 8 MiB budget. A cache of that size is far from holding the working set, and
 * large values compete with small ones for bytes, so both what the model learns and ranking by
 * size count. `node hack/demo-workload-sim.ts` replays exactly this stream through the simulator
 * (every policy, with and without the shipped model, at any length).
 *
 * The defaults are kept so that the demo's stream, and the hit ratios quoted for it in the docs,
 * stay the same. Length is the demo's choice (`--requests`): at 200,000 requests a learned node
 * has retrained about five times and already leads its base; its own models overtake the
 * shipped start model only after about 1,000,000 requests (ml-scorer/models/README.md).
 */
export interface WorkloadOptions {
  readonly seed: number;
  /** Distinct regular keys (the working set). @default 40000 */
  readonly keys?: number;
  /** Zipf exponent. @default 0.9 */
  readonly exponent?: number;
  /** Requests between two one-step slides of popularity. @default 200 */
  readonly shiftEvery?: number;
  /** Requests between scans (0: none). @default 25000 */
  readonly scanEvery?: number;
  /** Keys one scan reads. @default 2000 */
  readonly scanLength?: number;
  /** Share of requests for keys used only once. @default 0.05 */
  readonly oneHitShare?: number;
  /** Smallest and largest value, in bytes. @default 64 and 4096 */
  readonly minValueSize?: number;
  readonly maxValueSize?: number;
}

/** One request: read `key`; on a miss, the driver writes it with a value of `valueSize` bytes. */
export interface WorkloadRequest {
  readonly key: string;
  readonly valueSize: number;
  /** What produced it (for tests and statistics). */
  readonly kind: 'zipf' | 'scan' | 'one-hit';
}

export interface Workload {
  next(): WorkloadRequest;
  /** The settings in use, defaults filled in. */
  readonly settings: Required<WorkloadOptions>;
}

export const WORKLOAD_DEFAULTS: Omit<Required<WorkloadOptions>, 'seed'> = {
  keys: 40_000,
  exponent: 0.9,
  shiftEvery: 200,
  scanEvery: 25_000,
  scanLength: 2000,
  oneHitShare: 0.05,
  minValueSize: 64,
  maxValueSize: 4096,
};

export function createWorkload(options: WorkloadOptions): Workload {
  const settings: Required<WorkloadOptions> = { ...WORKLOAD_DEFAULTS, ...options };
  const { keys, exponent, shiftEvery, scanEvery, scanLength, oneHitShare } = settings;
  if (!Number.isSafeInteger(keys) || keys < 1) throw new RangeError('keys must be >= 1');
  if (!(settings.minValueSize >= 1 && settings.maxValueSize >= settings.minValueSize)) {
    throw new RangeError('value sizes must satisfy 1 <= min <= max');
  }
  const random = createRandom(settings.seed);
  const cdf = zipfCdf(keys, exponent);
  const permutation = shuffled(keys, (n) => random.int(n));
  const logMin = Math.log(settings.minValueSize);
  const logSpan = Math.log(settings.maxValueSize) - logMin;
  const sizeOf = (id: number): number =>
    Math.round(Math.exp(logMin + (hash32(id ^ settings.seed) / 4294967296) * logSpan));

  let issued = 0;
  let scanLeft = 0;
  let scanAt = 0;
  let oneHits = 0;
  return {
    settings,
    next: () => {
      issued++;
      if (scanEvery > 0 && scanLeft === 0 && issued % scanEvery === 0) {
        scanLeft = Math.min(scanLength, keys);
        scanAt = random.int(keys);
      }
      if (scanLeft > 0) {
        scanLeft--;
        const id = scanAt;
        scanAt = (scanAt + 1) % keys;
        return { key: `k:${id}`, valueSize: sizeOf(id), kind: 'scan' };
      }
      if (random.next() < oneHitShare) {
        const n = oneHits++;
        return { key: `once:${settings.seed}:${n}`, valueSize: sizeOf(keys + n), kind: 'one-hit' };
      }
      const rank = lowerBound(cdf, random.next());
      const drift = Math.floor(issued / Math.max(1, shiftEvery));
      const id = permutation[(rank + drift) % keys] as number;
      return { key: `k:${id}`, valueSize: sizeOf(id), kind: 'zipf' };
    },
  };
}

/** Cumulative Zipf probabilities of ranks 0..n-1. */
function zipfCdf(n: number, exponent: number): Float64Array {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** exponent;
    cdf[r] = total;
  }
  for (let r = 0; r < n; r++) cdf[r] = (cdf[r] as number) / total;
  return cdf;
}

/** The first index whose cumulative probability reaches u. */
function lowerBound(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cdf[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function shuffled(n: number, int: (n: number) => number): Int32Array {
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) values[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = int(i + 1);
    const t = values[i] as number;
    values[i] = values[j] as number;
    values[j] = t;
  }
  return values;
}

/** A 32-bit integer hash (lowbias32), so that value sizes do not depend on draw order. */
function hash32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
