/** The new state of one key in a batch: its value and expiry, or null when it was deleted. */
export type Change = { readonly value: Buffer; readonly expireAt: number } | null;

/**
 * The changes recorded since the last write, coalesced per key: when a key changes twice before a
 * write, only its last state is kept, since RocksDB only has to end up in the store's final state.
 * A clear (FLUSHALL) drops everything recorded before it and is applied before the changes that
 * follow it, so the order "clear, then later puts" survives the coalescing.
 */
export class ChangeBatch {
  #cleared = false;
  readonly #changes = new Map<string, Change>();

  /** True when the data must be cleared before the changes are applied. */
  get cleared(): boolean {
    return this.#cleared;
  }

  /** The number of operations the batch will write (a clear counts as one). */
  get size(): number {
    return this.#changes.size + (this.#cleared ? 1 : 0);
  }

  /** The per-key changes, applied after the clear if there is one. */
  get changes(): ReadonlyMap<string, Change> {
    return this.#changes;
  }

  isEmpty(): boolean {
    return !this.#cleared && this.#changes.size === 0;
  }

  put(key: string, value: Buffer, expireAt: number): void {
    this.#changes.set(key, { value, expireAt });
  }

  delete(key: string): void {
    // After a clear the key is gone anyway; forgetting a put made since the clear is enough.
    if (this.#cleared) this.#changes.delete(key);
    else this.#changes.set(key, null);
  }

  clear(): void {
    this.#changes.clear();
    this.#cleared = true;
  }

  /**
   * Lays `newer` over this batch, for retrying a failed write together with the changes recorded
   * since: the result is what writing this batch and then `newer` would leave. May reuse either.
   */
  mergeNewer(newer: ChangeBatch): ChangeBatch {
    if (newer.#cleared) return newer;
    for (const [key, change] of newer.#changes) {
      if (change === null) this.delete(key);
      else this.#changes.set(key, change);
    }
    return this;
  }
}
