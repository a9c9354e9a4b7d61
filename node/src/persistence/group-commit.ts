import type { Persistence } from '../core/persistence.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';
import { ChangeBatch } from './change-batch.ts';
import { messageOf, PersistenceError } from './errors.ts';
import { LatencyHistogram, WRITE_LATENCY_BOUNDS } from './histogram.ts';

/** Where batches go: RocksDB through its write thread, or a fake in tests. */
export interface BatchWriter {
  /** Writes a batch (its clear first, then its changes); `sync` makes it durable (WAL fsync). */
  write(batch: ChangeBatch, sync: boolean): Promise<void>;
  /** Makes the writer usable again after a failed write (for RocksDB: reopen the database). */
  recover(): Promise<void>;
}

export interface GroupCommitOptions {
  readonly writer: BatchWriter;
  /** `sync`: barriers wait for a synced write. `async`: writes are not awaited nor synced. */
  readonly durability: 'async' | 'sync';
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Names the storage in messages (the data directory). */
  readonly where: string;
  /** Longest time a change waits before it is written when nobody awaits it. @default 10 */
  readonly flushIntervalMs?: number | undefined;
  /** A batch this large is written without waiting for the interval. @default 10000 */
  readonly maxBatch?: number | undefined;
  /** Time between attempts to write again after a failure. @default 1000 */
  readonly retryIntervalMs?: number | undefined;
}

interface Waiter {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface InFlight {
  readonly batch: ChangeBatch;
  /** Created when the first barrier asks for this batch, possibly after the write started. */
  waiter: Waiter | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Group commit: the store records changes synchronously into a pending batch; one batch is
 * written at a time, and whatever arrives meanwhile becomes the next batch. In sync mode the
 * barrier of every change in a batch settles with that batch's single fsync, so N clients
 * writing in the same turn of the event loop share one fsync.
 *
 * A failed write rejects the barriers waiting on it and on the pending batch, turns `writable`
 * off (the store then refuses writes) and keeps the changes, which are retried every
 * `retryIntervalMs` together with later ones until a write succeeds and `writable` comes back.
 */
export class GroupCommit implements Persistence {
  readonly writeLatency = new LatencyHistogram(WRITE_LATENCY_BOUNDS);

  readonly #writer: BatchWriter;
  readonly #sync: boolean;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #where: string;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #retryIntervalMs: number;

  #pending = new ChangeBatch();
  #pendingWaiter: Waiter | undefined;
  #inFlight: InFlight | undefined;
  #writing: Promise<void> = RESOLVED;
  #failure: PersistenceError | undefined;
  #failedAttempts = 0;
  #soon: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retrying: Promise<void> = RESOLVED;
  #closing = false;
  #closed = false;
  #droppedAfterClose = 0;
  #closePromise: Promise<void> | undefined;

  #writeErrors = 0;
  #batchesWritten = 0;
  #syncedBatches = 0;
  #changesWritten = 0;

  constructor(options: GroupCommitOptions) {
    this.#writer = options.writer;
    this.#sync = options.durability === 'sync';
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#where = options.where;
    this.#flushIntervalMs = options.flushIntervalMs ?? 10;
    this.#maxBatch = options.maxBatch ?? 10_000;
    this.#retryIntervalMs = options.retryIntervalMs ?? 1000;
  }

  /** False from a failed write until a retry succeeds, and after close. */
  get writable(): boolean {
    return this.#failure === undefined && !this.#closed;
  }

  /** Changes recorded but not yet written (pending plus in flight, after coalescing). */
  get backlog(): number {
    return this.#pending.size + (this.#inFlight?.batch.size ?? 0);
  }

  /** Failed write attempts (each retry that fails counts). */
  get writeErrors(): number {
    return this.#writeErrors;
  }

  /** Batches written to RocksDB. */
  get batchesWritten(): number {
    return this.#batchesWritten;
  }

  /** Batches written with a WAL fsync: the fsyncs that group commit saves. */
  get syncedBatches(): number {
    return this.#syncedBatches;
  }

  /** Operations written (after coalescing). */
  get changesWritten(): number {
    return this.#changesWritten;
  }

  put(key: string, value: Buffer, expireAt: number): void {
    if (this.#closed) return this.#dropAfterClose();
    this.#pending.put(key, value, expireAt);
    this.#changed();
  }

  delete(key: string): void {
    if (this.#closed) return this.#dropAfterClose();
    this.#pending.delete(key);
    this.#changed();
  }

  clear(): void {
    if (this.#closed) return this.#dropAfterClose();
    this.#pending.clear();
    this.#changed();
  }

  barrier(): Promise<void> | undefined {
    if (!this.#sync) return undefined;
    if (this.#closed)
      return rejected(
        new PersistenceError('PERSIST_E_CLOSED', `persistence of ${this.#where} is closed`),
      );
    if (this.#failure !== undefined) return rejected(this.#failure);
    if (this.#pending.isEmpty()) {
      if (this.#inFlight === undefined) return RESOLVED;
      this.#inFlight.waiter ??= createWaiter();
      return this.#inFlight.waiter.promise;
    }
    this.#pendingWaiter ??= createWaiter();
    this.#flushSoon();
    return this.#pendingWaiter.promise;
  }

  /**
   * Stops the timers and writes what is pending, synced in every mode, so that a clean stop loses
   * nothing. Rejects with PERSIST_E_WRITE when that final write fails (the changes are then lost).
   * Changes recorded after this point are dropped with a warning.
   */
  drain(): Promise<void> {
    this.#closePromise ??= this.#drain();
    return this.#closePromise;
  }

  async #drain(): Promise<void> {
    this.#closing = true;
    clearImmediate(this.#soon);
    clearTimeout(this.#timer);
    clearTimeout(this.#retryTimer);
    await this.#retrying;
    await this.#writing;
    let canWrite = this.#failure === undefined;
    if (!canWrite) {
      // One last attempt, so that a disk freed just before the stop still gets the changes.
      try {
        await this.#writer.recover();
        canWrite = true;
      } catch (error) {
        this.#writeErrors++;
        this.#failure = new PersistenceError(
          'PERSIST_E_WRITE',
          `reopening ${this.#where} failed: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
    // Synced even when empty: in async mode this makes the earlier unsynced writes durable.
    if (canWrite) this.#startWrite();
    this.#closed = true;
    await this.#writing;
    const failure = this.#failure;
    if (failure !== undefined) {
      throw new PersistenceError(
        'PERSIST_E_WRITE',
        `closing ${this.#where}: ${this.#pending.size} changes could not be written (${failure.message})`,
        { cause: failure },
      );
    }
  }

  #changed(): void {
    if (this.#pending.size >= this.#maxBatch) this.#flushSoon();
    else this.#armTimer();
  }

  #flushSoon(): void {
    if (this.#soon !== undefined || this.#closing || !this.#mayWrite()) return;
    // setImmediate rather than a microtask: the batch then takes every command of this turn of the
    // event loop (all the sockets that were readable), which is what lets one fsync serve many
    // clients. While a write is in flight nothing is scheduled: its completion starts the next.
    this.#soon = setImmediate(() => {
      this.#soon = undefined;
      if (this.#mayWrite() && !this.#pending.isEmpty()) this.#startWrite();
    });
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#failure !== undefined || this.#closing) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#mayWrite() && !this.#pending.isEmpty()) this.#startWrite();
    }, this.#flushIntervalMs);
    // The timer must not keep a process alive on its own; close() writes what is left.
    this.#timer.unref();
  }

  /** True when a write may start: none is in flight and no failure is waiting for its retry. */
  #mayWrite(): boolean {
    return this.#inFlight === undefined && this.#failure === undefined;
  }

  /** Writes the pending batch, even an empty one (a retry must prove the disk takes data). */
  #startWrite(): void {
    const batch = this.#pending;
    const inFlight: InFlight = { batch, waiter: this.#pendingWaiter };
    this.#pending = new ChangeBatch();
    this.#pendingWaiter = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight = inFlight;
    this.#writing = this.#write(inFlight, this.#sync || this.#closing);
  }

  async #write(inFlight: InFlight, sync: boolean): Promise<void> {
    const started = this.#clock.monotonic();
    try {
      await this.#writer.write(inFlight.batch, sync);
    } catch (error) {
      this.#inFlight = undefined;
      this.#fail(inFlight.batch, error, inFlight.waiter);
      return;
    }
    this.#inFlight = undefined;
    this.writeLatency.observe((this.#clock.monotonic() - started) / 1000);
    this.#batchesWritten++;
    if (sync) this.#syncedBatches++;
    this.#changesWritten += inFlight.batch.size;
    if (this.#failure !== undefined) this.#recovered();
    inFlight.waiter?.resolve();
    if (this.#closing || this.#pending.isEmpty()) return;
    // Group commit: everything recorded during the write goes out now as one batch if someone
    // waits for it, if it is already large, or if its interval ran out during the write (no timer
    // is armed then); otherwise its timer is still running.
    const overdue = this.#timer === undefined;
    if (this.#pendingWaiter !== undefined || this.#pending.size >= this.#maxBatch || overdue)
      this.#startWrite();
  }

  #fail(batch: ChangeBatch, error: unknown, waiter?: Waiter): void {
    this.#writeErrors++;
    this.#failedAttempts++;
    const failure = new PersistenceError(
      'PERSIST_E_WRITE',
      `writing to ${this.#where} failed: ${messageOf(error)}; writes are refused until a retry succeeds`,
      { cause: error },
    );
    if (this.#failure === undefined) {
      this.#logger?.error('persistence write failed; refusing writes until a retry succeeds', {
        dir: this.#where,
        error: failure,
        retryIntervalMs: this.#retryIntervalMs,
      });
    }
    this.#failure = failure;
    // The store keeps the changes of the failed batch, so RocksDB must get them eventually: they
    // go back under the changes recorded since, and are retried with them.
    this.#pending = batch.mergeNewer(this.#pending);
    const waiters = [waiter, this.#pendingWaiter];
    this.#pendingWaiter = undefined;
    for (const each of waiters) each?.reject(failure);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#closing) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#retrying = this.#retry();
    }, this.#retryIntervalMs);
    this.#retryTimer.unref();
  }

  async #retry(): Promise<void> {
    try {
      await this.#writer.recover();
    } catch (error) {
      this.#writeErrors++;
      this.#failedAttempts++;
      this.#failure = new PersistenceError(
        'PERSIST_E_WRITE',
        `reopening ${this.#where} failed: ${messageOf(error)}`,
        { cause: error },
      );
      if (!this.#closing) this.#scheduleRetry();
      return;
    }
    if (!this.#closing) this.#startWrite();
  }

  #recovered(): void {
    this.#logger?.info('persistence writes succeed again; accepting writes', {
      dir: this.#where,
      failedAttempts: this.#failedAttempts,
    });
    this.#failure = undefined;
    this.#failedAttempts = 0;
  }

  #dropAfterClose(): void {
    if (this.#droppedAfterClose++ === 0) {
      this.#logger?.warn('change recorded after persistence was closed; it is not written', {
        dir: this.#where,
      });
    }
  }
}

function createWaiter(): Waiter {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  // Every barrier has an awaiting caller, but a failure must never become an unhandled rejection
  // (which would stop the process): it is also logged and counted.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function rejected(error: Error): Promise<void> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise;
}
