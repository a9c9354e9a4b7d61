import type { PersistedEntry, Persistence } from '../core/persistence.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';
import { PersistenceError } from './errors.ts';
import { GroupCommit } from './group-commit.ts';
import type { LatencyHistogram } from './histogram.ts';
import { prepareDataDir } from './layout.ts';
import { loadEntries, type LoadReport, type MalformedPolicy } from './load.ts';
import { RocksWriter } from './rocks-writer.ts';

export type { LoadReport, MalformedPolicy } from './load.ts';

export interface RocksPersistenceOptions {
  /** The data directory (created if missing; see layout.ts for what it holds). */
  readonly dir: string;
  /** `sync`: a barrier settles after its batch's WAL fsync. `async`: writes are not awaited. */
  readonly durability: 'async' | 'sync';
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Longest time a change waits to be written when nobody awaits it (the async loss window). @default 10 */
  readonly flushIntervalMs?: number | undefined;
  /** A pending batch this large is written without waiting for the interval. @default 10000 */
  readonly maxBatch?: number | undefined;
  /** Time between attempts to write again after a failed write. @default 1000 */
  readonly retryIntervalMs?: number | undefined;
  /** Entries that cannot be decoded at load: refuse to start, or skip (and leave) them. @default 'refuse' */
  readonly malformed?: MalformedPolicy | undefined;
}

/**
 * The node's RocksDB persistence: the `Persistence` port the store calls, the counters the metrics
 * module reads (`PersistenceStatsSource`), the start-up reload and the shutdown.
 */
export interface RocksPersistence extends Persistence {
  readonly dir: string;
  readonly durability: 'async' | 'sync';
  /** Changes recorded but not yet written to RocksDB. */
  readonly backlog: number;
  /** Duration of batch writes, fsync included in sync mode. */
  readonly writeLatency: LatencyHistogram;
  /** Failed write attempts. */
  readonly writeErrors: number;
  /** Batches written, and how many of them were synced (one fsync each). */
  readonly batchesWritten: number;
  readonly syncedBatches: number;
  /** Operations written after coalescing. */
  readonly changesWritten: number;
  /**
   * Streams every persisted, unexpired entry to `visit` (deleting expired ones). Call it once,
   * before the first change is recorded; the node is ready when it resolves.
   */
  load(visit: (entry: PersistedEntry) => void): Promise<LoadReport>;
  /** Writes what is pending (synced), then closes RocksDB. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the data directory and its RocksDB database. Rejects with a
 * PersistenceError (PERSIST_E_FORMAT, _VERSION, _CORRUPT, _LOCKED, _OPEN) that names the
 * directory and what to do; it never deletes or rewrites existing data to get going.
 */
export async function openRocksPersistence(
  options: RocksPersistenceOptions,
): Promise<RocksPersistence> {
  const layout = await prepareDataDir(options.dir);
  const writer = await RocksWriter.open(layout.dbPath, layout.create);
  const commit = new GroupCommit({
    writer,
    durability: options.durability,
    clock: options.clock,
    logger: options.logger,
    where: options.dir,
    flushIntervalMs: options.flushIntervalMs,
    maxBatch: options.maxBatch,
    retryIntervalMs: options.retryIntervalMs,
  });
  options.logger?.info('persistence opened', {
    dir: options.dir,
    durability: options.durability,
    created: layout.create,
  });
  return new RocksDbPersistence(options, writer, commit);
}

class RocksDbPersistence implements RocksPersistence {
  readonly dir: string;
  readonly durability: 'async' | 'sync';
  readonly #options: RocksPersistenceOptions;
  readonly #writer: RocksWriter;
  readonly #commit: GroupCommit;
  #loaded = false;
  #closePromise: Promise<void> | undefined;

  constructor(options: RocksPersistenceOptions, writer: RocksWriter, commit: GroupCommit) {
    this.dir = options.dir;
    this.durability = options.durability;
    this.#options = options;
    this.#writer = writer;
    this.#commit = commit;
  }

  put(key: string, value: Buffer, expireAt: number): void {
    this.#commit.put(key, value, expireAt);
  }

  delete(key: string): void {
    this.#commit.delete(key);
  }

  clear(): void {
    this.#commit.clear();
  }

  barrier(): Promise<void> | undefined {
    return this.#commit.barrier();
  }

  get writable(): boolean {
    return this.#commit.writable;
  }

  get backlog(): number {
    return this.#commit.backlog;
  }

  get writeLatency(): LatencyHistogram {
    return this.#commit.writeLatency;
  }

  get writeErrors(): number {
    return this.#commit.writeErrors;
  }

  get batchesWritten(): number {
    return this.#commit.batchesWritten;
  }

  get syncedBatches(): number {
    return this.#commit.syncedBatches;
  }

  get changesWritten(): number {
    return this.#commit.changesWritten;
  }

  async load(visit: (entry: PersistedEntry) => void): Promise<LoadReport> {
    // Reading on the event loop while the worker writes would be safe for RocksDB, but deleting
    // expired entries could then race with a newer put of the same key.
    if (this.#loaded || this.#commit.backlog > 0 || this.#commit.batchesWritten > 0) {
      throw new Error('load() must be called once, before any change is recorded');
    }
    if (this.#closePromise !== undefined) {
      throw new PersistenceError('PERSIST_E_CLOSED', `persistence of ${this.dir} is closed`);
    }
    this.#loaded = true;
    const report = await loadEntries(this.#writer.db, visit, {
      clock: this.#options.clock,
      where: this.dir,
      malformed: this.#options.malformed ?? 'refuse',
    });
    const { loaded, expired, malformed, firstMalformedKey, durationMs } = report;
    const fields = { dir: this.dir, loaded, expired, durationMs: Math.round(durationMs) };
    if (malformed > 0) {
      this.#options.logger?.warn('persistence reload skipped malformed entries (left in place)', {
        ...fields,
        malformed,
        firstMalformedKey,
      });
    } else {
      this.#options.logger?.info('persistence reloaded', fields);
    }
    return report;
  }

  close(): Promise<void> {
    this.#closePromise ??= this.#close();
    return this.#closePromise;
  }

  async #close(): Promise<void> {
    try {
      await this.#commit.drain();
    } finally {
      await this.#writer.close();
      this.#options.logger?.info('persistence closed', {
        dir: this.dir,
        backlog: this.#commit.backlog,
      });
    }
  }
}
