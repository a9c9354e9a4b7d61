import type { CacheStore } from '../core/store-types.ts';
import type { Logger } from '../util/logger.ts';
import type { ClusterState } from './cluster-state.ts';
import type { MigrationCounters } from './migration-counters.ts';

export interface ShardSweeperOptions {
  readonly store: CacheStore;
  readonly state: ClusterState;
  readonly counters: MigrationCounters;
  readonly logger: Logger;
  /** Called after each pass, once its shards are clean (the puller may then start). */
  readonly onPass: () => void;
  /** Keys examined per step; the event loop gets a turn between steps. @default 1000 */
  readonly batch?: number;
}

/**
 * Removes, in the background, the keys of shards this node must no longer hold: shards that
 * moved away once no node needs them as a source any more, and stale leftovers of a shard that
 * comes back before it is served again. It walks the whole store with SCAN in bounded steps
 * (store.delete, so persistence deletes them too), checking each key's shard against the current
 * state, so a shard that becomes ours again meanwhile is left alone.
 *
 * One pass certifies the shards that were wanted when it began: no key of them can arrive during
 * the pass (a foreign shard takes no writes, a purging one neither writes nor pulls), and SCAN
 * returns every key present for the whole walk. Shards wanted mid-pass wait for the next pass.
 */
export class ShardSweeper {
  readonly #options: ShardSweeperOptions;
  #wanted = new Set<number>();
  #running = false;
  #closed = false;

  constructor(options: ShardSweeperOptions) {
    this.#options = options;
  }

  /** Shards waiting for a pass or in the current one. */
  get pending(): number {
    return this.#wanted.size;
  }

  want(shards: Iterable<number>): void {
    for (const shard of shards) this.#wanted.add(shard);
    if (!this.#running && this.#wanted.size > 0 && !this.#closed) {
      this.#running = true;
      this.#loop()
        .catch((error: unknown) => this.#options.logger.error('shard sweep failed', { error }))
        .finally(() => {
          this.#running = false;
        });
    }
  }

  close(): void {
    this.#closed = true;
  }

  async #loop(): Promise<void> {
    const { store, state, counters, logger, onPass } = this.#options;
    const batch = this.#options.batch ?? 1000;
    while (this.#wanted.size > 0 && !this.#closed) {
      const active = this.#wanted;
      this.#wanted = new Set();
      let removed = 0;
      let cursor = 0;
      do {
        const page = store.scan(cursor, batch);
        cursor = page.cursor;
        for (const key of page.keys) {
          const shard = state.shardOf(key);
          if (!(active.has(shard) || this.#wanted.has(shard)) || !state.shouldRemove(shard))
            continue;
          if (store.delete(key)) removed++;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      } while (cursor !== 0 && !this.#closed);
      if (this.#closed) return;
      counters.droppedKeys += removed;
      for (const shard of active) {
        if (this.#wanted.has(shard)) continue;
        state.purged(shard);
        state.dropped(shard);
      }
      logger.info('shard sweep finished', { shards: active.size, removed });
      onPass();
    }
  }
}
