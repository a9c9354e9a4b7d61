import type { CacheStore } from '../core/store-types.ts';
import type { Clock } from '../util/clock.ts';
import type { ClusterState } from './cluster-state.ts';
import type { Reception } from './reception.ts';
import { isReservedKey } from './reserved-keys.ts';

/**
 * What happened to a copied entry: `imported`; `resolved` (the key's state here is newer, so the
 * copy is dropped); `expired`; `refused` (it does not fit here: as if evicted at once);
 * `unwritable` (persistence refuses writes: the copy must be retried later).
 */
export type ImportOutcome = 'imported' | 'resolved' | 'expired' | 'refused' | 'unwritable';

/**
 * Brings copies from a shard's sources into the store, pulled or fetched alike, and only for keys
 * that are not resolved here (reception.ts): an older copy never replaces a newer write or
 * resurrects a delete. The check and the write happen in one synchronous step, so no client
 * command can come between them.
 */
export class Importer {
  readonly #store: CacheStore;
  readonly #state: ClusterState;
  readonly #clock: Clock;

  constructor(store: CacheStore, state: ClusterState, clock: Clock) {
    this.#store = store;
    this.#state = state;
    this.#clock = clock;
  }

  value(reception: Reception, key: string, value: Buffer, expireAt: number): ImportOutcome {
    if (isReservedKey(key)) return 'refused';
    const store = this.#store;
    if (reception.isResolved(key, store.has(key))) return 'resolved';
    if (expireAt !== 0 && expireAt <= this.#clock.now()) return 'expired';
    // An exact-size copy: the message's buffer must not be kept alive (see core/entry-size.ts).
    const copy = Buffer.allocUnsafeSlow(value.length);
    value.copy(copy);
    const result = store.set(key, copy, { ifAbsent: true, expireAt });
    if (result.status === 'OK') return 'imported';
    if (result.status === 'PERSISTENCE_FAILED') return 'unwritable';
    reception.markFetched(key);
    return 'refused';
  }

  /** A source's tombstone: the key stays dead here unless it is resolved already. */
  tombstone(reception: Reception, key: string): boolean {
    if (isReservedKey(key) || reception.isResolved(key, this.#store.has(key))) return false;
    this.#state.addTombstone(reception, key);
    return true;
  }
}
