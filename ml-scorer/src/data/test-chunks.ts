import type { RequestBatch } from './request-batch.ts';

/**
 * Test helpers: feed bytes to a reader in chunks cut at chosen offsets, to prove that no record
 * or line depends on where the stream happens to split.
 */
export async function* chunked(bytes: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}

/** Collects a reader's batches into plain arrays, one per column. */
export async function collect(batches: AsyncIterable<RequestBatch>): Promise<{
  timestamps: number[];
  keys: number[];
  sizes: number[];
  ttls: number[] | null;
  nextAccess: number[] | null;
}> {
  const out = {
    timestamps: [] as number[],
    keys: [] as number[],
    sizes: [] as number[],
    ttls: null as number[] | null,
    nextAccess: null as number[] | null,
  };
  for await (const batch of batches) {
    out.timestamps.push(...batch.timestamps.subarray(0, batch.length));
    out.keys.push(...batch.keys.subarray(0, batch.length));
    out.sizes.push(...batch.sizes.subarray(0, batch.length));
    if (batch.ttls !== null) (out.ttls ??= []).push(...batch.ttls.subarray(0, batch.length));
    if (batch.nextAccess !== null) {
      (out.nextAccess ??= []).push(...batch.nextAccess.subarray(0, batch.length));
    }
  }
  return out;
}
