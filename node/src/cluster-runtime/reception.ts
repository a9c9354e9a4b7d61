import type { ShardMigration } from '../cluster/ring.ts';
import type { ReceptionRecord, ReceptionState } from './reception-record.ts';

/** Where the copy from one source of a shard stands. */
export type SourceState = 'waiting' | 'pulling' | 'retrying' | 'done';

/** One source of a shard being received, with its progress (counters live in memory only). */
export interface SourceProgress {
  readonly from: string;
  readonly startedEpoch: number;
  state: SourceState;
  /** Entries imported from this source, and their key + value bytes. */
  keys: number;
  bytes: number;
  /** Tombstones taken over from this source. */
  tombstones: number;
  /** Wall-clock ms; undefined before the copy started or finished (in this process). */
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** True when it was not read because a newer source held the shard completely. */
  skipped: boolean;
  /** The last failure while copying, until the next attempt succeeds. */
  error: string | undefined;
}

/** Keys resolved as absent by a fault-in are remembered up to this many per shard. */
export const FETCHED_LIMIT = 100_000;

/**
 * A shard this node owns while its keys are still being copied from one or more sources (the
 * previous owners, newest first). It decides which keys are *resolved* here, i.e. whose state on
 * this node is the latest, so that neither a pulled nor a fetched copy may replace it:
 *
 * - a key present here: written here since the reception began, or already copied;
 * - a tombstone: the key was deleted, expired or evicted here since the reception began (or a
 *   source said it had deleted it), so older copies must stay dead;
 * - fetched: a fault-in found it on no source (remembered in memory, up to FETCHED_LIMIT; a key
 *   forgotten is merely fetched again).
 *
 * Every other key is unresolved: a client command on it first fetches it from the sources. Once
 * every source is copied, the reception is `done` and every key is resolved.
 */
export class Reception {
  readonly shard: number;
  /** The newest source's startedEpoch when the reception began: a newer one means a new one. */
  readonly since: number;
  #state: ReceptionState;
  #sources: SourceProgress[];
  readonly #tombstones = new Set<string>();
  readonly #fetched = new Set<string>();

  constructor(
    shard: number,
    since: number,
    state: ReceptionState,
    migrations: readonly ShardMigration[],
    done: Iterable<string> = [],
  ) {
    this.shard = shard;
    this.since = since;
    this.#state = state;
    const finished = new Set(done);
    this.#sources = sortNewestFirst(migrations).map((migration) =>
      newProgress(migration, finished.has(migration.from)),
    );
    if (state === 'pulling' && this.allSourcesDone()) this.#state = 'done';
  }

  /** A reception resumed from its record, with the ring's current sources. */
  static fromRecord(
    shard: number,
    record: ReceptionRecord,
    migrations: readonly ShardMigration[],
  ): Reception {
    return new Reception(shard, record.since, record.state, migrations, record.done);
  }

  get state(): ReceptionState {
    return this.#state;
  }

  /** The sources, newest first. */
  get sources(): readonly SourceProgress[] {
    return this.#sources;
  }

  get tombstoneCount(): number {
    return this.#tombstones.size;
  }

  /** What to persist. */
  record(): ReceptionRecord {
    return {
      since: this.since,
      state: this.#state,
      done: this.#sources.filter((s) => s.state === 'done').map((s) => s.from),
    };
  }

  /** The purge of leftovers is over: the shard may be served and pulled. */
  startPulling(): void {
    if (this.#state !== 'purging') return;
    this.#state = this.allSourcesDone() ? 'done' : 'pulling';
  }

  /**
   * Takes the ring's current sources: a source no longer listed is forgotten (its copy was
   * completed and published), a new one is added. Returns true when the reception became done.
   */
  syncSources(migrations: readonly ShardMigration[]): boolean {
    const known = new Map(this.#sources.map((source) => [source.from, source]));
    this.#sources = sortNewestFirst(migrations).map(
      (migration) => known.get(migration.from) ?? newProgress(migration, false),
    );
    return this.#finishIfDone();
  }

  /** The source to copy from now: the newest not yet done (older ones wait for it). */
  currentSource(): SourceProgress | undefined {
    return this.#state === 'pulling' ? this.#sources.find((s) => s.state !== 'done') : undefined;
  }

  /** The sources a fault-in asks, newest first: those not yet copied. */
  pendingSources(): SourceProgress[] {
    return this.#sources.filter((s) => s.state !== 'done');
  }

  allSourcesDone(): boolean {
    return this.#sources.every((s) => s.state === 'done');
  }

  /** Whether the latest state of `key` is here (see the class comment). */
  isResolved(key: string, present: boolean): boolean {
    if (this.#state !== 'pulling') return this.#state === 'done';
    return present || this.#tombstones.has(key) || this.#fetched.has(key);
  }

  isTombstoned(key: string): boolean {
    return this.#tombstones.has(key);
  }

  tombstones(): IterableIterator<string> {
    return this.#tombstones.values();
  }

  /** Records that `key` is dead here; false when it already was (nothing to persist). */
  addTombstone(key: string): boolean {
    if (this.#tombstones.has(key)) return false;
    this.#tombstones.add(key);
    return true;
  }

  /** Restores a persisted tombstone at start-up. */
  restoreTombstone(key: string): void {
    this.#tombstones.add(key);
  }

  /** A fault-in found the key on no source (or could not keep it): it is resolved as absent. */
  markFetched(key: string): void {
    if (this.#fetched.size < FETCHED_LIMIT) this.#fetched.add(key);
  }

  /**
   * The copy from `from` is over. When that source held the shard completely, the older sources
   * have nothing newer: they are skipped. Returns true when the reception became done.
   */
  markSourceDone(from: string, complete: boolean, now: number): boolean {
    const index = this.#sources.findIndex((s) => s.from === from);
    if (index < 0) return false;
    finish(this.#sources[index]!, now, false);
    if (complete) {
      for (const older of this.#sources.slice(index + 1)) {
        if (older.state !== 'done') finish(older, now, true);
      }
    }
    return this.#finishIfDone();
  }

  /**
   * Forgets the tombstones and fetched keys, which a done reception no longer needs; returns the
   * tombstones, whose persisted copies the caller deletes.
   */
  dropResolution(): string[] {
    const dropped = [...this.#tombstones];
    this.#tombstones.clear();
    this.#fetched.clear();
    return dropped;
  }

  /** FLUSHALL: nothing is left anywhere that could be copied, so the reception is over. */
  flush(now: number): void {
    for (const source of this.#sources) if (source.state !== 'done') finish(source, now, true);
    this.#state = 'done';
  }

  #finishIfDone(): boolean {
    if (this.#state !== 'pulling' || !this.allSourcesDone()) return false;
    this.#state = 'done';
    return true;
  }
}

function sortNewestFirst(migrations: readonly ShardMigration[]): ShardMigration[] {
  return [...migrations].sort((a, b) => b.startedEpoch - a.startedEpoch);
}

function newProgress(migration: ShardMigration, done: boolean): SourceProgress {
  return {
    from: migration.from,
    startedEpoch: migration.startedEpoch,
    state: done ? 'done' : 'waiting',
    keys: 0,
    bytes: 0,
    tombstones: 0,
    startedAt: undefined,
    finishedAt: undefined,
    skipped: false,
    error: undefined,
  };
}

function finish(source: SourceProgress, now: number, skipped: boolean): void {
  source.state = 'done';
  source.finishedAt = now;
  source.skipped = skipped;
  source.error = undefined;
}
