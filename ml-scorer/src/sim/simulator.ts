import type { PolicyFactory } from '../../../node/src/policy/eviction-policy.ts';
import type { RequestBatch, SimRequest } from '../data/request-batch.ts';
import { batchFromRequests } from '../data/request-batch.ts';
import { batchesOf, materializeTrace } from './materialized-trace.ts';
import type { SimResult } from './sim-result.ts';
import { SimulatedCache } from './simulated-cache.ts';

/** What `simulate` replays: batches (streamed once), or hand-written requests. */
export type TraceInput =
  AsyncIterable<RequestBatch> | Iterable<RequestBatch> | readonly SimRequest[];

/** One cache to simulate. */
export interface CacheSpec {
  readonly factory: PolicyFactory;
  /** In objects with ignoreSize, else in bytes. */
  readonly capacity: number;
  /** Count every object as 1 (libCacheSim's --ignore-obj-size). @default false */
  readonly ignoreSize?: boolean;
  /** Seed for the policy's randomness. @default 1 */
  readonly seed?: number;
  /** Bytes charged per object beyond its size, plus the policy's own (see SimulatedCache). */
  readonly entryOverhead?: number;
}

/** Options of `simulate`. */
export interface SimulateOptions {
  readonly capacity: number;
  /** @default false */
  readonly ignoreSize?: boolean;
  /** @default 1 */
  readonly seed?: number;
}

/** Called after each batch with the number of requests replayed so far. */
export type ProgressListener = (requests: number) => void;

/** Replays a trace through one policy at one cache size. */
export async function simulate(
  source: TraceInput,
  factory: PolicyFactory,
  options: SimulateOptions,
): Promise<SimResult> {
  const [result] = await simulateMany(source, [{ factory, ...options }]);
  return result!;
}

/**
 * Replays a trace through several caches (policies x sizes) in one pass: each batch is read once
 * and handed to every cache in turn, so 8 policies x 3 sizes stream the file once. When a cache
 * needs next-access times (Belady) and the trace does not carry them, the trace is first
 * materialised in memory (see materialized-trace.ts).
 */
export async function simulateMany(
  source: TraceInput,
  specs: readonly CacheSpec[],
  onProgress?: ProgressListener,
): Promise<SimResult[]> {
  const caches = specs.map(
    (spec) =>
      new SimulatedCache(
        spec.factory({
          capacity: spec.capacity,
          seed: spec.seed ?? 1,
          // Charged: the budget is memory, which what the policy reserves counts against.
          memoryBudget: spec.entryOverhead !== undefined && spec.ignoreSize !== true,
        }),
        spec.capacity,
        spec.ignoreSize ?? false,
        spec.entryOverhead,
      ),
  );
  const needsNextAccess = caches.some((cache) => cache.needsNextAccess);
  let replayed = 0;
  for await (const batch of await batchesFor(toBatches(source), needsNextAccess)) {
    for (const cache of caches) cache.process(batch);
    replayed += batch.length;
    onProgress?.(replayed);
  }
  return caches.map((cache) => cache.result());
}

function toBatches(source: TraceInput): AsyncIterable<RequestBatch> | Iterable<RequestBatch> {
  if (Array.isArray(source)) {
    const requests = source as readonly SimRequest[];
    return requests.length === 0 ? [] : [batchFromRequests(requests)];
  }
  return source as AsyncIterable<RequestBatch> | Iterable<RequestBatch>;
}

/**
 * The batches to replay: the source itself, unless next-access times are needed and the source
 * lacks them; the first batch tells (oracleGeneral files carry them in every batch).
 */
async function batchesFor(
  source: AsyncIterable<RequestBatch> | Iterable<RequestBatch>,
  needsNextAccess: boolean,
): Promise<AsyncIterable<RequestBatch> | Iterable<RequestBatch>> {
  if (!needsNextAccess) return source;
  const iterator = toAsync(source)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return [];
  const rest: AsyncIterable<RequestBatch> = { [Symbol.asyncIterator]: () => iterator };
  if (first.value.nextAccess !== null) return prepend(first.value, rest);
  return batchesOf(await materializeTrace(prepend(first.value, rest)));
}

async function* toAsync(
  source: AsyncIterable<RequestBatch> | Iterable<RequestBatch>,
): AsyncGenerator<RequestBatch> {
  yield* source;
}

async function* prepend(
  first: RequestBatch,
  rest: AsyncIterable<RequestBatch>,
): AsyncGenerator<RequestBatch> {
  yield first;
  yield* rest;
}
