import { setImmediate as nextTurn } from 'node:timers/promises';

import type { PersistedEntry } from '../core/persistence.ts';
import type { Clock } from '../util/clock.ts';
import { dataRange, decodeEntry } from './codec.ts';
import { messageOf, PersistenceError } from './errors.ts';
import type { RocksDb, RocksIterator } from './rocksdb.ts';

/** What to do with an entry that cannot be decoded. */
export type MalformedPolicy = 'refuse' | 'skip';

/** What a reload found. */
export interface LoadReport {
  /** Entries handed to `visit`. */
  readonly loaded: number;
  /** Entries whose expiry had passed: skipped, and deleted from RocksDB. */
  readonly expired: number;
  /** Entries that could not be decoded (skipped and left in place with `skip`). */
  readonly malformed: number;
  /** The first malformed entry's key, for the error message and the log. */
  readonly firstMalformedKey: string | undefined;
  readonly durationMs: number;
}

export interface LoadOptions {
  readonly clock: Clock;
  readonly where: string;
  readonly malformed: MalformedPolicy;
  /** Entries read per step; the event loop gets a turn between steps. @default 1000 */
  readonly chunk?: number;
}

const DELETE_BATCH = 10_000;

/**
 * Streams every cache entry of the database to `visit`, in key order. Entries that expired while
 * the node was down are not visited and are deleted. A malformed entry is never silently dropped:
 * with the `refuse` policy the load rejects with PERSIST_E_CORRUPT once the scan has counted them
 * all; with `skip` it is reported and left in RocksDB, untouched.
 *
 * Reads are synchronous, a chunk at a time, on the event loop, which gets a turn between chunks
 * (health checks stay responsive). Most of the time goes into the binding creating a native
 * Buffer per key and per value; reading on a worker thread and transferring packed chunks was
 * tried, and cost more CPU in total than it saved (it only pays with an idle spare core).
 */
export async function loadEntries(
  db: RocksDb,
  visit: (entry: PersistedEntry) => void,
  options: LoadOptions,
): Promise<LoadReport> {
  const started = options.clock.monotonic();
  const chunk = options.chunk ?? 1000;
  let loaded = 0;
  let expired = 0;
  let malformed = 0;
  let firstMalformedKey: string | undefined;
  let deletions = db.batch();
  const iterator = db.iterator(dataRange());
  try {
    for (;;) {
      const { rows, finished } = readChunk(iterator, chunk, options.where);
      const now = options.clock.now();
      for (let index = 0; index < rows.length; index += 2) {
        const key = rows[index]!;
        const entry = decodeEntry(key, rows[index + 1]!);
        if (entry === undefined) {
          malformed++;
          firstMalformedKey ??= key.toString('latin1', 1);
        } else if (entry.expireAt !== 0 && entry.expireAt <= now) {
          expired++;
          deletions.del(key);
        } else {
          loaded++;
          visit(entry);
        }
      }
      if (deletions.length >= DELETE_BATCH) {
        // Unsynced: an expired entry that comes back after a crash is only deleted again.
        await deletions.write();
        deletions = db.batch();
      }
      if (finished) break;
      await nextTurn();
    }
    if (deletions.length > 0) await deletions.write();
  } finally {
    await iterator.close();
  }
  if (malformed > 0 && options.malformed === 'refuse') {
    throw new PersistenceError(
      'PERSIST_E_CORRUPT',
      `${options.where} holds ${malformed} entries that cannot be decoded (the first has key ` +
        `${JSON.stringify(firstMalformedKey)}). mlcache refuses to start rather than drop them; ` +
        `restore the directory from a backup, or start with malformed entries skipped (they are ` +
        `then left in place, unread).`,
    );
  }
  const durationMs = options.clock.monotonic() - started;
  return { loaded, expired, malformed, firstMalformedKey, durationMs };
}

function readChunk(
  iterator: RocksIterator,
  size: number,
  where: string,
): { rows: Buffer[]; finished: boolean } {
  try {
    return iterator._nextvSync(size, {});
  } catch (error) {
    const detail = messageOf(
      error instanceof Error && error.cause instanceof Error ? error.cause : error,
    );
    const code = /corrupt/i.test(detail) ? 'PERSIST_E_CORRUPT' : 'PERSIST_E_OPEN';
    throw new PersistenceError(code, `reading ${where} failed: ${detail}`, { cause: error });
  }
}
