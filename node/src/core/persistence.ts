/**
 * The port through which the store mirrors its contents to durable storage. The RocksDB adapter
 * implements it in `node/src/persistence/`; an in-memory fake serves the unit tests. The store
 * calls it synchronously on every change; the adapter batches and writes in the background.
 */
export interface Persistence {
  /** Records that `key` now holds `value` with expiry `expireAt` (0 for none). */
  put(key: string, value: Buffer, expireAt: number): void;
  /** Records that `key` is gone (deleted, expired or evicted). */
  delete(key: string): void;
  /** Records that everything is gone (FLUSHALL). */
  clear(): void;
  /**
   * Settles when every change recorded so far is durable, or returns undefined when writers do not
   * wait (durability none or async). Rejects if the write failed (for example a full disk).
   */
  barrier(): Promise<void> | undefined;
  /** False while persistence refuses writes (after a failed write, until it recovers). */
  readonly writable: boolean;
}

/** One entry read back at start. */
export interface PersistedEntry {
  readonly key: string;
  readonly value: Buffer;
  readonly expireAt: number;
}

/** Persistence that keeps nothing (`--durability none` without a data directory). */
export function createNullPersistence(): Persistence {
  return {
    put: () => {},
    delete: () => {},
    clear: () => {},
    barrier: () => undefined,
    writable: true,
  };
}
