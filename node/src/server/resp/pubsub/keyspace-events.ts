import {
  EVICTED,
  EXPIRED,
  KEY_MISS,
  KEYEVENT,
  KEYSPACE,
  NEW_KEY,
} from '../../../config/keyspace-events.ts';

/** What the notifier needs of the store: removals with their reason, while it asks for them. */
export interface RemovalSource {
  observeRemovals?(listener: ((key: string, reason: string) => void) | undefined): void;
}

/** Where notifications go: the server's Pub/Sub registry. */
export interface Publisher {
  publish(channel: string, message: Buffer): number;
}

/**
 * Publishes keyspace notifications for the classes `notify-keyspace-events` enables, as Redis's
 * notifyKeyspaceEvent (notify.c) does. Commands raise the generic (g), string ($), new key (n)
 * and key miss (m) events through `notify`, `written` and `keyMiss`; the store's removals raise
 * `expired` (x) and `evicted` (e), and the store is asked for them only while one of those two is
 * on, so that a removal builds no key string otherwise. Every call first tests the flags: with
 * notifications off a command pays one test and builds nothing (docs/redis-compatibility.md).
 */
export class KeyspaceNotifier {
  #flags = 0;
  /** The classes that reach a channel: `#flags` when K or E is on, else none. */
  #live = 0;
  readonly #store: RemovalSource;
  readonly #hub: Publisher;

  constructor(store: RemovalSource, hub: Publisher) {
    this.#store = store;
    this.#hub = hub;
  }

  get flags(): number {
    return this.#flags;
  }

  set flags(flags: number) {
    this.#flags = flags;
    this.#live = (flags & (KEYSPACE | KEYEVENT)) !== 0 ? flags : 0;
    const removals = (this.#live & (EXPIRED | EVICTED)) !== 0;
    this.#store.observeRemovals?.(removals ? this.#onRemoval : undefined);
  }

  /** True when events of `kind` (one class bit, or several) would be published. */
  wants(kind: number): boolean {
    return (this.#live & kind) !== 0;
  }

  /** As Redis's notifyKeyspaceEvent: the key's channel first, then the event's. */
  notify(kind: number, event: string, key: string): void {
    const flags = this.#live;
    if ((flags & kind) === 0) return;
    if (flags & KEYSPACE) this.#hub.publish(`__keyspace@0__:${key}`, Buffer.from(event, 'latin1'));
    if (flags & KEYEVENT) this.#hub.publish(`__keyevent@0__:${event}`, Buffer.from(key, 'latin1'));
  }

  /**
   * A command's write of `key`: `new` first when the write created it (Redis raises it from
   * dbAdd, before the command's own event), then `event`.
   */
  written(kind: number, event: string, key: string, created: boolean): void {
    if (created) this.notify(NEW_KEY, 'new', key);
    this.notify(kind, event, key);
  }

  /** A read that found no key (Redis's lookupKeyRead): `keymiss`. */
  keyMiss(key: string): void {
    this.notify(KEY_MISS, 'keymiss', key);
  }

  /**
   * Whether a write of `key` would create it, asked of `store` only while `new` events are on
   * (false otherwise, so that the caller's `written` raises no `new`). Ask before the write.
   */
  creates(store: { has(key: string): boolean }, key: string): boolean {
    return (this.#live & NEW_KEY) !== 0 && !store.has(key);
  }

  readonly #onRemoval = (key: string, reason: string): void => {
    if (reason === 'expired') this.notify(EXPIRED, 'expired', key);
    else if (reason === 'capacity') this.notify(EVICTED, 'evicted', key);
  };
}
