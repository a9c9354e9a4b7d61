import type { RequestBatch } from '../data/request-batch.ts';
import { KeyIndex } from './key-index.ts';

/** What fractional cache sizes are fractions of. */
export interface TraceSummary {
  readonly requests: number;
  readonly uniqueObjects: number;
  /** Unique bytes, each object counted at the size it had when first seen (as libCacheSim). */
  readonly uniqueBytes: number;
}

/** One pass counting requests, unique objects and unique bytes. */
export async function summarizeTrace(
  source: AsyncIterable<RequestBatch> | Iterable<RequestBatch>,
  onProgress?: (requests: number) => void,
): Promise<TraceSummary> {
  const seen = new KeyIndex(1 << 16);
  let requests = 0;
  let uniqueBytes = 0;
  for await (const batch of source) {
    for (let i = 0; i < batch.length; i++) {
      const key = batch.keys[i]!;
      if (seen.get(key) === -1) {
        seen.set(key, 0);
        uniqueBytes += batch.sizes[i]!;
      }
    }
    requests += batch.length;
    onProgress?.(requests);
  }
  return { requests, uniqueObjects: seen.size, uniqueBytes };
}
