/** What a consumer of key changes sees: the store's `observeChanges`, for itself alone. */
export interface ChangeSource {
  observeChanges(listener: ((key: string | undefined) => void) | undefined): void;
}

/**
 * Shares the store's one change listener (CacheStore.observeChanges) between the consumers that
 * need it: WATCH and client-side caching. Each consumer gets a `ChangeSource` of its own and
 * turns it on and off as it needs; the store is asked to report only while some consumer
 * listens, so that writes build no key string otherwise, and with one listener it is called
 * directly, not through a loop.
 */
export class ChangeFeed {
  readonly #store: ChangeSource;
  readonly #listeners: (((key: string | undefined) => void) | undefined)[] = [];

  constructor(store: ChangeSource) {
    this.#store = store;
  }

  /** A new consumer's view of the changes. */
  consumer(): ChangeSource {
    const at = this.#listeners.push(undefined) - 1;
    return {
      observeChanges: (listener) => {
        this.#listeners[at] = listener;
        this.#rewire();
      },
    };
  }

  #rewire(): void {
    const active = this.#listeners.filter((listener) => listener !== undefined);
    if (active.length <= 1) {
      this.#store.observeChanges(active[0]);
      return;
    }
    this.#store.observeChanges((key) => {
      for (const listener of active) listener(key);
    });
  }
}
