import { Worker } from 'node:worker_threads';

import type { ChangeBatch } from './change-batch.ts';
import { serializeBatch } from './codec.ts';
import { messageOf, PersistenceError } from './errors.ts';
import type { BatchWriter } from './group-commit.ts';
import { createRocksDb, type RocksDb } from './rocksdb.ts';
import { fromWireError, type WriteRequest, type WriteWorkerMessage } from './worker-protocol.ts';

const WORKER_URL = new URL('./write-worker.ts', import.meta.url);

interface Call {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Owns the RocksDB database and the write thread attached to it. The event loop opens, reads
 * (reload) and closes the database; every write goes to the worker, one request at a time.
 *
 * After a failed write RocksDB keeps refusing writes (it enters a background-error state that
 * only a reopen clears, as a full disk shows), so `recover()` closes and reopens the database
 * and restarts the worker.
 */
export class RocksWriter implements BatchWriter {
  readonly #path: string;
  #db: RocksDb;
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #calls = new Map<number, Call>();

  private constructor(path: string, db: RocksDb) {
    this.#path = path;
    this.#db = db;
  }

  /** Opens the database at `path` (creating it only when `create`) and starts the write thread. */
  static async open(path: string, create: boolean): Promise<RocksWriter> {
    const writer = new RocksWriter(path, await openDb(path, create));
    try {
      await writer.#startWorker();
    } catch (error) {
      await writer.#db.close().catch(() => {});
      throw error;
    }
    return writer;
  }

  /** The database, for reading on the event loop (reload). */
  get db(): RocksDb {
    return this.#db;
  }

  write(batch: ChangeBatch, sync: boolean): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) {
      return Promise.reject(new Error(`the write thread of ${this.#path} is not running`));
    }
    const id = this.#nextId++;
    const buffer = serializeBatch(batch);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#calls.set(id, { resolve, reject });
    // Keep the process alive while a write is in flight, and only then.
    if (this.#calls.size === 1) worker.ref();
    worker.postMessage({ id, batch: buffer, sync } satisfies WriteRequest, [buffer]);
    return promise;
  }

  async recover(): Promise<void> {
    await this.#stopWorker();
    // The close may report the error that broke the database; it is closed all the same.
    if (this.#db.status === 'open') await this.#db.close().catch(() => {});
    this.#db = await openDb(this.#path, false);
    await this.#startWorker();
  }

  async close(): Promise<void> {
    await this.#stopWorker();
    if (this.#db.status === 'open' || this.#db.status === 'opening') await this.#db.close();
  }

  async #startWorker(): Promise<void> {
    const worker = new Worker(WORKER_URL, { workerData: { handle: this.#db.handle } });
    const ready = Promise.withResolvers<void>();
    worker.on('message', (message: WriteWorkerMessage) => {
      if ('ready' in message) {
        if (message.ready) ready.resolve();
        else ready.reject(fromWireError(message.error));
        return;
      }
      const call = this.#calls.get(message.id);
      if (call === undefined) return;
      this.#calls.delete(message.id);
      if (this.#calls.size === 0) worker.unref();
      if (message.error === undefined) call.resolve();
      else call.reject(fromWireError(message.error));
    });
    const onGone = (error: Error): void => {
      if (this.#worker === worker) this.#worker = undefined;
      ready.reject(error);
      this.#failCalls(error);
    };
    worker.on('error', onGone);
    worker.on('exit', (code) =>
      onGone(new Error(`the write thread of ${this.#path} exited (code ${code})`)),
    );
    this.#worker = worker;
    try {
      await ready.promise;
    } catch (error) {
      await this.#stopWorker();
      throw new PersistenceError(
        'PERSIST_E_OPEN',
        `cannot start the write thread for ${this.#path}: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    worker.unref();
  }

  async #stopWorker(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker === undefined) return;
    this.#failCalls(new Error(`the write thread of ${this.#path} was stopped`));
    await worker.terminate();
  }

  #failCalls(error: Error): void {
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) call.reject(error);
  }
}

/** Opens RocksDB, turning its errors into PersistenceErrors that say what to do. */
async function openDb(path: string, create: boolean): Promise<RocksDb> {
  const db = createRocksDb(path);
  try {
    await db.open({ createIfMissing: create });
  } catch (error) {
    throw openError(path, error);
  }
  return db;
}

function openError(path: string, error: unknown): PersistenceError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const detail = messageOf(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'LEVEL_CORRUPTION' || /corrupt/i.test(detail) || /does not exist/i.test(detail)) {
    return new PersistenceError(
      'PERSIST_E_CORRUPT',
      `the RocksDB database in ${path} cannot be opened: ${detail}. mlcache changed nothing in it; ` +
        `restore the directory from a backup, or move it away to start with an empty cache.`,
      { cause: error },
    );
  }
  if (/\block\b/i.test(detail)) {
    return new PersistenceError(
      'PERSIST_E_LOCKED',
      `the RocksDB database in ${path} is in use by another process (${detail}). Stop the other ` +
        `mlcache node that uses this --data-dir, or give this one its own directory.`,
      { cause: error },
    );
  }
  return new PersistenceError(
    'PERSIST_E_OPEN',
    `cannot open the RocksDB database in ${path}: ${detail}`,
    {
      cause: error,
    },
  );
}
