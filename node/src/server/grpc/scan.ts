import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import type { CacheStore } from '../../core/store-types.ts';
import type { Logger } from '../../util/logger.ts';
import type { AuthCheck } from './call-handlers.ts';
import { toServiceError } from './call-handlers.ts';
import type { GrpcClusterPort, KeyShard } from './cluster-port.ts';
import type { MigrationEntry, ScanRequest, ScanResponse } from './messages.ts';
import { GrpcCallError } from './status-map.ts';

/**
 * Entries per streamed message when the request does not say, and the most it may ask for; a
 * message also ends once it holds `maxBytes` of keys and values (a single larger entry goes
 * alone), so that large values neither exceed a reader's message limit nor make its read-ahead
 * (a reader buffers a few messages beyond what it has consumed) large.
 */
export const SCAN_BATCH = { default: 256, max: 4096, maxBytes: 256 * 1024 } as const;

const EMPTY = Buffer.alloc(0);

type ScanCall = ServerWritableStream<ScanRequest, Partial<ScanResponse>>;

export interface ScanDeps {
  readonly store: CacheStore;
  readonly auth: AuthCheck;
  readonly logger: Logger;
  /** Needed for the shard filter; without it a request naming shards is refused. */
  readonly keyShard?: KeyShard | undefined;
  /** The cluster layer; without it a migration scan (ring_epoch > 0) is refused. */
  readonly cluster?: GrpcClusterPort | undefined;
}

/** What a scan keeps, decided once from the request. */
interface ScanPlan {
  readonly keep: (key: string) => boolean;
  /** Migration scans: the requested shards, and the cluster layer that answers for them. */
  readonly migration:
    { readonly shards: readonly number[]; readonly cluster: GrpcClusterPort } | undefined;
  readonly partialAtStart: ReadonlySet<number>;
}

/**
 * The server-streaming Scan: walks the store's SCAN cursor, keeps the keys in [start, end) (and
 * of the requested shards), and streams them in batches. It yields to the event loop after every
 * batch, so that a scan of a large node does not stall the RESP clients, and it waits while the
 * reader's flow-control window is full, so that a slow reader does not make the node buffer the
 * whole keyspace.
 *
 * A migration scan (ring_epoch > 0) is how a new owner pulls shards from this node: it is refused
 * while this node's ring is older than the puller's, leaves out shards whose keys here are stale
 * leftovers, ends with this node's tombstones for the shards, and its last message says which
 * shards this node did not hold completely (docs/cluster.md).
 */
export function createScanHandler(
  deps: ScanDeps,
): handleServerStreamingCall<ScanRequest, Partial<ScanResponse>> {
  return (call) => {
    const run = async (): Promise<void> => {
      deps.auth(call.metadata);
      const plan = planScan(call.request, deps);
      await streamKeys(deps.store, call, plan);
      if (plan.migration !== undefined && !call.cancelled) {
        await streamTail(deps.store, call, plan, plan.migration);
      }
      if (!call.cancelled) call.end();
    };
    run().catch((error: unknown) => {
      if (!call.cancelled) call.emit('error', toServiceError(error, deps.logger, call.getPath()));
    });
  };
}

function planScan(request: ScanRequest, deps: ScanDeps): ScanPlan {
  const inRange = rangeFilter(
    request.start_key.toString('latin1'),
    request.end_key.toString('latin1'),
  );
  const shards = request.shards ?? [];
  const epoch = request.ring_epoch ?? 0;
  if (shards.length === 0) {
    if (epoch > 0) throw GrpcCallError.badRequest('a migration scan needs shards');
    return { keep: inRange, migration: undefined, partialAtStart: new Set() };
  }
  const count = request.shard_count;
  const keyShard = deps.keyShard;
  if (keyShard === undefined) throw GrpcCallError.badRequest('this node cannot filter by shard');
  if (!(count > 0 && (count & (count - 1)) === 0)) {
    throw GrpcCallError.badRequest('shard_count must be a power of two with shards');
  }
  if (shards.some((shard) => shard >= count)) {
    throw GrpcCallError.badRequest(`shards must be below shard_count (${count})`);
  }
  const wanted = new Set(shards);
  const partialAtStart = new Set<number>();
  let migration: ScanPlan['migration'];
  if (epoch > 0) {
    const cluster = deps.cluster;
    if (cluster === undefined) {
      throw GrpcCallError.fromRefusal({
        reason: 'RING_BEHIND',
        message: 'this node runs without a ring and cannot be a migration source',
      });
    }
    const refusal = cluster.checkMigration(epoch, count);
    if (refusal !== undefined) throw GrpcCallError.fromRefusal(refusal);
    for (const shard of wanted) {
      const view = cluster.sourceView(shard);
      if (view !== 'complete') partialAtStart.add(shard);
      if (view === 'empty') wanted.delete(shard);
    }
    migration = { shards: [...new Set(shards)], cluster };
  }
  return {
    keep: (key) => inRange(key) && wanted.has(keyShard(key, count)),
    migration,
    partialAtStart,
  };
}

async function streamKeys(store: CacheStore, call: ScanCall, plan: ScanPlan): Promise<void> {
  const request = call.request;
  const size = batchSize(request);
  let batch: MigrationEntry[] = [];
  let bytes = 0;
  let cursor = 0;
  do {
    const page = store.scan(cursor, size, plan.keep);
    cursor = page.cursor;
    for (const key of page.keys) {
      const entry = readEntry(store, key, request.include_values);
      if (entry === undefined) continue;
      batch.push(entry);
      bytes += entry.key.length + entry.value.length;
      if (bytes >= SCAN_BATCH.maxBytes) {
        if (!(await send(call, { entries: batch }))) return;
        batch = [];
        bytes = 0;
      }
    }
    // A migration scan keeps its last entries for the final message, which says it is complete.
    const last = cursor === 0 && plan.migration === undefined;
    if (batch.length >= size || (last && batch.length > 0)) {
      if (!(await send(call, { entries: batch }))) return;
      batch = [];
      bytes = 0;
    }
    if (call.cancelled) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor !== 0);
  if (batch.length > 0) await send(call, { entries: batch });
}

/** A migration scan's tombstones, then the final message with the shards held partially. */
async function streamTail(
  store: CacheStore,
  call: ScanCall,
  plan: ScanPlan,
  migration: NonNullable<ScanPlan['migration']>,
): Promise<void> {
  const size = batchSize(call.request);
  const partial: number[] = [];
  let batch: MigrationEntry[] = [];
  for (const shard of migration.shards) {
    const view = migration.cluster.sourceView(shard);
    if (view === 'complete' && !plan.partialAtStart.has(shard)) continue;
    partial.push(shard);
    if (view !== 'partial' || !call.request.include_tombstones) continue;
    for (const key of migration.cluster.tombstonesOf(shard)) {
      // A key written again after its delete is present, and its value was sent above.
      if (store.has(key)) continue;
      batch.push({ key: Buffer.from(key, 'latin1'), value: EMPTY, expire_at_ms: 0, deleted: true });
      if (batch.length >= size) {
        if (!(await send(call, { entries: batch }))) return;
        batch = [];
      }
    }
  }
  if (!call.cancelled) call.write({ entries: batch, partial_shards: partial, done: true });
}

/** Writes one message; waits while the reader's window is full. False once the call is over. */
async function send(call: ScanCall, message: Partial<ScanResponse>): Promise<boolean> {
  if (call.cancelled) return false;
  if (!call.write(message)) await drained(call);
  return !call.cancelled;
}

function batchSize(request: ScanRequest): number {
  return Math.min(request.batch_size > 0 ? request.batch_size : SCAN_BATCH.default, SCAN_BATCH.max);
}

/** Keys compare as byte strings: one character per byte, so string order is byte order. */
function rangeFilter(start: string, end: string): (key: string) => boolean {
  if (start === '' && end === '') return () => true;
  return (key) => key >= start && (end === '' || key < end);
}

function readEntry(store: CacheStore, key: string, withValue: boolean): MigrationEntry | undefined {
  // peek: a scan is not an access, so it must not count hits or promote keys in the policy.
  const value = store.peek(key);
  if (value === undefined) return undefined; // expired or deleted since the page was taken
  const expireAt = store.expireAtOf(key);
  return {
    key: Buffer.from(key, 'latin1'),
    value: withValue ? value : EMPTY,
    expire_at_ms: expireAt > 0 ? expireAt : 0,
    deleted: false,
  };
}

function drained(call: ScanCall): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('cancelled', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('cancelled', done);
    call.on('close', done);
  });
}
