import { EVICTED, EXPIRED, KEYEVENT, KEYSPACE } from '../../../config/keyspace-events.ts';

/** What the notifier needs of the store: removals with their reason, while it asks for them. */
export interface RemovalSource {
  observeRemovals?(listener: ((key: string, reason: string) => void) | undefined): void;
}

/** Where notifications go: the server's Pub/Sub registry. */
export interface Publisher {
  publish(channel: string, message: Buffer): number;
}

/**
 * Publishes keyspace notifications for the classes `notify-keyspace-events` enables. mlcache
 * raises the two a cache is asked about most, `expired` (x) and `evicted` (e); the others are
 * accepted in the setting and raise nothing (docs/redis-compatibility.md). The store is asked for
 * its removals only while one of the two is on, so that a removal builds no key string otherwise.
 */
export class KeyspaceNotifier {
  #flags = 0;
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
    const on = (flags & (KEYSPACE | KEYEVENT)) !== 0 && (flags & (EXPIRED | EVICTED)) !== 0;
    this.#store.observeRemovals?.(on ? this.#onRemoval : undefined);
  }

  readonly #onRemoval = (key: string, reason: string): void => {
    if (reason === 'expired') this.#notify(EXPIRED, 'expired', key);
    else if (reason === 'capacity') this.#notify(EVICTED, 'evicted', key);
  };

  /** As Redis's notifyKeyspaceEvent: the key's channel first, then the event's. */
  #notify(kind: number, event: string, key: string): void {
    const flags = this.#flags;
    if ((flags & kind) === 0) return;
    if (flags & KEYSPACE) this.#hub.publish(`__keyspace@0__:${key}`, Buffer.from(event, 'latin1'));
    if (flags & KEYEVENT) this.#hub.publish(`__keyevent@0__:${event}`, Buffer.from(key, 'latin1'));
  }
}
