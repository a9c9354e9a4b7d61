/**
 * A batch of trace requests in column form. Readers hand the simulator batches of typed arrays
 * rather than one object per request, so that replaying millions of requests allocates a few
 * arrays per batch and nothing per request.
 */
export interface RequestBatch {
  /** How many requests the batch holds; the arrays may be longer. */
  readonly length: number;
  /** The trace's own timestamp (seconds for TTL purposes), else the request's index. */
  readonly timestamps: Float64Array;
  /** Numeric key ids (see `key-hash.ts` for keys that are not small integers). */
  readonly keys: Float64Array;
  /** Object sizes in bytes; 1 where the trace has no sizes. */
  readonly sizes: Float64Array;
  /** Time to live in seconds, 0 for none; null when the trace has no TTL column. */
  readonly ttls: Float64Array | null;
  /**
   * Virtual time (0-based request index in the whole trace) of the next request to the same
   * key, -1 for none; null when the trace does not carry it (only oracleGeneral does).
   */
  readonly nextAccess: Float64Array | null;
}

/** How many requests readers put in a batch unless told otherwise. */
export const DEFAULT_BATCH_SIZE = 65_536;

/**
 * Accumulates requests into growable columns and cuts them into batches. Growable because one
 * input line can stand for many requests (an ARC `.lis` run).
 */
export class BatchBuilder {
  #timestamps: Float64Array;
  #keys: Float64Array;
  #sizes: Float64Array;
  #ttls: Float64Array | null;
  #length = 0;

  constructor(initialCapacity: number, withTtl: boolean) {
    const capacity = Math.max(16, initialCapacity);
    this.#timestamps = new Float64Array(capacity);
    this.#keys = new Float64Array(capacity);
    this.#sizes = new Float64Array(capacity);
    this.#ttls = withTtl ? new Float64Array(capacity) : null;
  }

  get length(): number {
    return this.#length;
  }

  push(timestamp: number, key: number, size: number, ttl: number): void {
    if (this.#length === this.#keys.length) this.#grow();
    const i = this.#length++;
    this.#timestamps[i] = timestamp;
    this.#keys[i] = key;
    this.#sizes[i] = size;
    if (this.#ttls !== null) this.#ttls[i] = ttl;
  }

  /** Returns the requests pushed so far as a batch and starts a new one of the same capacity. */
  take(): RequestBatch {
    const length = this.#length;
    const batch: RequestBatch = {
      length,
      timestamps: this.#timestamps.subarray(0, length),
      keys: this.#keys.subarray(0, length),
      sizes: this.#sizes.subarray(0, length),
      ttls: this.#ttls === null ? null : this.#ttls.subarray(0, length),
      nextAccess: null,
    };
    // Fresh arrays, so that a consumer may keep the batch it was given.
    const capacity = this.#keys.length;
    this.#timestamps = new Float64Array(capacity);
    this.#keys = new Float64Array(capacity);
    this.#sizes = new Float64Array(capacity);
    this.#ttls = this.#ttls === null ? null : new Float64Array(capacity);
    this.#length = 0;
    return batch;
  }

  #grow(): void {
    const capacity = this.#keys.length * 2;
    this.#timestamps = grow(this.#timestamps, capacity);
    this.#keys = grow(this.#keys, capacity);
    this.#sizes = grow(this.#sizes, capacity);
    if (this.#ttls !== null) this.#ttls = grow(this.#ttls, capacity);
  }
}

function grow(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}

/** One request written out by hand (tests, small examples): a bare number is a key of size 1. */
export type SimRequest =
  | number
  | {
      readonly key: number;
      readonly size?: number;
      readonly timestamp?: number;
      readonly ttl?: number;
    };

/** Packs hand-written requests into one batch; timestamps default to the request index. */
export function batchFromRequests(requests: readonly SimRequest[]): RequestBatch {
  const withTtl = requests.some((r) => typeof r !== 'number' && r.ttl !== undefined);
  const builder = new BatchBuilder(requests.length, withTtl);
  requests.forEach((r, i) => {
    if (typeof r === 'number') builder.push(i, r, 1, 0);
    else builder.push(r.timestamp ?? i, r.key, r.size ?? 1, r.ttl ?? 0);
  });
  return builder.take();
}
