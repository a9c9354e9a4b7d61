import type { RequestBatch } from '../data/request-batch.ts';
import { DEFAULT_BATCH_SIZE } from '../data/request-batch.ts';
import { KeyIndex } from './key-index.ts';

/**
 * A whole trace held in memory as columns. Only Belady needs this (next-access times come from
 * a reverse pass over every key), so only runs with Belady on a format without next-access times
 * pay for it: 32 bytes a request (keys, sizes, timestamps, next access as float64), 40 with TTLs,
 * and during the reverse pass a key index of 24 to 48 bytes per unique key. That is 32 MB for a
 * 1 M-request trace like those bundled with the project and 320 MB for a 10 M-request workload.
 */
export interface MaterializedTrace {
  readonly length: number;
  readonly keys: Float64Array;
  readonly sizes: Float64Array;
  readonly timestamps: Float64Array;
  /** Null when no batch had TTLs. */
  readonly ttls: Float64Array | null;
  readonly nextAccess: Float64Array;
}

/** Reads every batch into columns and computes next-access times by a reverse pass. */
export async function materializeTrace(
  source: AsyncIterable<RequestBatch> | Iterable<RequestBatch>,
): Promise<MaterializedTrace> {
  const columns = new Columns();
  for await (const batch of source) columns.append(batch);
  return columns.finish();
}

/**
 * The index of each request's next request to the same key, -1 for none: one pass from the end,
 * remembering the last index seen per key. Indices are int32, so traces up to 2^31 requests.
 */
export function computeNextAccess(keys: Float64Array, length = keys.length): Float64Array {
  const next = new Float64Array(length);
  const seen = new KeyIndex(1 << 16);
  for (let i = length - 1; i >= 0; i--) {
    const key = keys[i]!;
    next[i] = seen.get(key);
    seen.set(key, i);
  }
  return next;
}

/** Views of a materialised trace as batches (no copies). */
export function* batchesOf(
  trace: MaterializedTrace,
  batchSize = DEFAULT_BATCH_SIZE,
): Generator<RequestBatch> {
  for (let start = 0; start < trace.length; start += batchSize) {
    const end = Math.min(trace.length, start + batchSize);
    yield {
      length: end - start,
      keys: trace.keys.subarray(start, end),
      sizes: trace.sizes.subarray(start, end),
      timestamps: trace.timestamps.subarray(start, end),
      ttls: trace.ttls === null ? null : trace.ttls.subarray(start, end),
      nextAccess: trace.nextAccess.subarray(start, end),
    };
  }
}

/** Growable columns; TTLs are kept from the first batch that has them (earlier ones are 0). */
class Columns {
  #length = 0;
  #keys: Float64Array = new Float64Array(1 << 16);
  #sizes: Float64Array = new Float64Array(1 << 16);
  #timestamps: Float64Array = new Float64Array(1 << 16);
  #ttls: Float64Array | null = null;
  #nextAccess: Float64Array | null = new Float64Array(1 << 16);

  append(batch: RequestBatch): void {
    const needed = this.#length + batch.length;
    if (needed > this.#keys.length) this.#grow(needed);
    const at = this.#length;
    this.#keys.set(batch.keys.subarray(0, batch.length), at);
    this.#sizes.set(batch.sizes.subarray(0, batch.length), at);
    this.#timestamps.set(batch.timestamps.subarray(0, batch.length), at);
    if (batch.ttls !== null) {
      this.#ttls ??= new Float64Array(this.#keys.length);
      this.#ttls.set(batch.ttls.subarray(0, batch.length), at);
    }
    // Next-access times from the file are kept only if every batch has them.
    if (batch.nextAccess === null) this.#nextAccess = null;
    else this.#nextAccess?.set(batch.nextAccess.subarray(0, batch.length), at);
    this.#length = needed;
  }

  finish(): MaterializedTrace {
    const length = this.#length;
    const keys = this.#keys.subarray(0, length);
    return {
      length,
      keys,
      sizes: this.#sizes.subarray(0, length),
      timestamps: this.#timestamps.subarray(0, length),
      ttls: this.#ttls?.subarray(0, length) ?? null,
      nextAccess: this.#nextAccess?.subarray(0, length) ?? computeNextAccess(keys, length),
    };
  }

  #grow(needed: number): void {
    let capacity = this.#keys.length;
    while (capacity < needed) capacity *= 2;
    this.#keys = grow(this.#keys, capacity);
    this.#sizes = grow(this.#sizes, capacity);
    this.#timestamps = grow(this.#timestamps, capacity);
    if (this.#ttls !== null) this.#ttls = grow(this.#ttls, capacity);
    if (this.#nextAccess !== null) this.#nextAccess = grow(this.#nextAccess, capacity);
  }
}

function grow(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}
