import { createRequire } from 'node:module';

/**
 * The part of `@nxtedition/rocksdb` the adapter uses, typed here because the package ships no
 * types. It is an abstract-level database; the underscore methods are the package's own
 * synchronous fast paths ("nxt API" in its iterator.js), used where the abstract-level wrappers
 * would allocate a pair per entry.
 *
 * Note that a batch write runs on the calling thread (the binding has no asynchronous write), so
 * an fsync blocks whichever thread calls it: that is why writes go through `write-worker.ts`.
 */
export interface RocksDb {
  readonly status: 'opening' | 'open' | 'closing' | 'closed';
  /** The native database, as a number another thread can attach to (`openRocksDb(handle)`). */
  readonly handle: bigint;
  open(options?: RocksOpenOptions): Promise<void>;
  close(): Promise<void>;
  batch(): RocksBatch;
  /** Deletes a key range with one range tombstone (not synced). */
  clear(range: { gte: Buffer; lt: Buffer }): Promise<void>;
  iterator(options: RocksIteratorOptions): RocksIterator;
}

export interface RocksOpenOptions {
  readonly createIfMissing?: boolean;
  readonly errorIfExists?: boolean;
}

export interface RocksBatch {
  put(key: Buffer, value: Buffer): this;
  del(key: Buffer): this;
  write(options?: { sync?: boolean }): Promise<void>;
  readonly length: number;
}

export interface RocksIteratorOptions {
  readonly gte?: Buffer;
  readonly lt?: Buffer;
  readonly keys?: boolean;
  readonly values?: boolean;
}

export interface RocksIterator {
  /** The next `size` entries as a flat [key, value, key, value, ...] array, read synchronously. */
  _nextvSync(size: number, options: object): { rows: Buffer[]; finished: boolean };
  close(): Promise<void>;
}

interface RocksModule {
  RocksLevel: new (locationOrHandle: string | bigint, options: object) => RocksDb;
}

const require = createRequire(import.meta.url);

/**
 * Creates (does not open) a database over a directory, or over a handle of a database another
 * thread opened. Keys and values are Buffers throughout.
 */
export function createRocksDb(locationOrHandle: string | bigint): RocksDb {
  const { RocksLevel } = require('@nxtedition/rocksdb') as RocksModule;
  return new RocksLevel(locationOrHandle, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
}
