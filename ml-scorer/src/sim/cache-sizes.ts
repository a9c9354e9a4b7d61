import { parseBytes } from '../../../node/src/util/bytes.ts';
import type { TraceSummary } from './working-set.ts';

/** A cache size as given to `--sizes`: absolute, or a fraction of the working set. */
export type SizeSpec =
  | { readonly kind: 'absolute'; readonly value: number; readonly text: string }
  | { readonly kind: 'fraction'; readonly fraction: number; readonly text: string };

/** libCacheSim's and the reference CSV's sizes. */
export const DEFAULT_SIZES = '0.01,0.05,0.1';

/**
 * Parses `--sizes`: a comma-separated list where a number below 1 (`0.05`) or a percentage
 * (`5%`) is a fraction of the working set, and anything else an absolute size with an optional
 * unit (`5000`, `64MiB`; units as in redis.conf, see node/src/util/bytes.ts). Absolute sizes are
 * objects with --ignore-size and bytes otherwise. Throws RangeError naming the bad item.
 */
export function parseSizes(text: string): SizeSpec[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === '')) {
    throw new RangeError(`--sizes '${text}': expected a comma-separated list of sizes`);
  }
  return items.map((item): SizeSpec => {
    if (item.endsWith('%')) {
      const percent = Number(item.slice(0, -1));
      if (!(percent > 0 && percent <= 100)) throw badSize(item);
      return { kind: 'fraction', fraction: percent / 100, text: item };
    }
    const number = Number(item);
    if (Number.isFinite(number) && number > 0 && number < 1) {
      return { kind: 'fraction', fraction: number, text: item };
    }
    const value = parseBytes(item);
    if (value === undefined || value <= 0) throw badSize(item);
    return { kind: 'absolute', value, text: item };
  });
}

function badSize(item: string): RangeError {
  return new RangeError(
    `--sizes: '${item}' is neither a fraction (0.05, 5%) nor a size (5000, 64MiB)`,
  );
}

/** Whether any size needs the working set (a counting pass over the trace). */
export function needsWorkingSet(sizes: readonly SizeSpec[]): boolean {
  return sizes.some((size) => size.kind === 'fraction');
}

/** The capacity for a size: floor(fraction x working set), as libCacheSim computes it. */
export function capacityFor(size: SizeSpec, ignoreSize: boolean, summary?: TraceSummary): number {
  if (size.kind === 'absolute') return size.value;
  if (summary === undefined) throw new Error('a fractional size needs the trace summary');
  const workingSet = ignoreSize ? summary.uniqueObjects : summary.uniqueBytes;
  return Math.floor(size.fraction * workingSet);
}
