import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import type { CacheStore } from '../../core/store-types.ts';
import type { Logger } from '../../util/logger.ts';
import type { AuthCheck } from './call-handlers.ts';
import { toServiceError } from './call-handlers.ts';
import type { Entry, ScanRequest } from './messages.ts';

/** Entries per streamed message when the request does not say, and the most it may ask for. */
export const SCAN_BATCH = { default: 256, max: 4096 } as const;

const EMPTY = Buffer.alloc(0);

type ScanCall = ServerWritableStream<ScanRequest, { entries: Entry[] }>;

/**
 * The server-streaming Scan: walks the store's SCAN cursor, keeps the keys in [start, end), and
 * streams them in batches. It yields to the event loop after every batch, so that a scan of a
 * large node does not stall the RESP clients, and it waits while the reader's flow-control window
 * is full, so that a slow reader does not make the node buffer the whole keyspace.
 */
export function createScanHandler(deps: {
  readonly store: CacheStore;
  readonly auth: AuthCheck;
  readonly logger: Logger;
}): handleServerStreamingCall<ScanRequest, { entries: Entry[] }> {
  return (call) => {
    const run = async (): Promise<void> => {
      deps.auth(call.metadata);
      await streamRange(deps.store, call);
      if (!call.cancelled) call.end();
    };
    run().catch((error: unknown) => {
      if (!call.cancelled) call.emit('error', toServiceError(error, deps.logger, call.getPath()));
    });
  };
}

async function streamRange(store: CacheStore, call: ScanCall): Promise<void> {
  const request = call.request;
  const size = Math.min(
    request.batch_size > 0 ? request.batch_size : SCAN_BATCH.default,
    SCAN_BATCH.max,
  );
  const inRange = rangeFilter(
    request.start_key.toString('latin1'),
    request.end_key.toString('latin1'),
  );
  let batch: Entry[] = [];
  let cursor = 0;
  do {
    const page = store.scan(cursor, size, inRange);
    cursor = page.cursor;
    for (const key of page.keys) {
      const entry = readEntry(store, key, request.include_values);
      if (entry !== undefined) batch.push(entry);
    }
    if (batch.length >= size || (cursor === 0 && batch.length > 0)) {
      const writable = call.write({ entries: batch });
      batch = [];
      if (!writable) await drained(call);
    }
    if (call.cancelled) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (cursor !== 0);
}

/** Keys compare as byte strings: one character per byte, so string order is byte order. */
function rangeFilter(start: string, end: string): (key: string) => boolean {
  if (start === '' && end === '') return () => true;
  return (key) => key >= start && (end === '' || key < end);
}

function readEntry(store: CacheStore, key: string, withValue: boolean): Entry | undefined {
  // peek: a scan is not an access, so it must not count hits or promote keys in the policy.
  const value = store.peek(key);
  if (value === undefined) return undefined; // expired or deleted since the page was taken
  const expireAt = store.expireAtOf(key);
  return {
    key: Buffer.from(key, 'latin1'),
    value: withValue ? value : EMPTY,
    expire_at_ms: expireAt > 0 ? expireAt : 0,
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
