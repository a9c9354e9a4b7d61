import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { LinkedSlots } from './linked-slots.ts';

/** The single recency list; its first slot is the least recently used. */
const RECENCY = 0;

/**
 * Least recently used: one recency list in typed arrays. Inserts, hits and updates move the slot
 * to the newest end; the victim is the oldest end. Every operation is O(1).
 */
export function createLruPolicy(_options: PolicyOptions): EvictionPolicy {
  return new LruPolicy();
}

class LruPolicy implements EvictionPolicy {
  readonly name = 'lru';
  #lists = new LinkedSlots(1);

  onMiss(_keyId: number): void {}

  onInsert(slot: number, _keyId: number, _size: number): void {
    // A slot that is still listed (a cache bug, or a re-insert) is unlinked first so that the
    // lists can never become corrupt.
    this.#lists.remove(slot);
    this.#lists.pushBack(RECENCY, slot);
  }

  onAccess(slot: number): void {
    if (this.#lists.ownerOf(slot) === RECENCY) this.#lists.moveToBack(slot, RECENCY);
  }

  onUpdate(slot: number, _size: number): void {
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    this.#lists.remove(slot);
  }

  evict(): number {
    const victim = this.#lists.first(RECENCY);
    if (victim !== -1) this.#lists.remove(victim);
    return victim;
  }

  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    let written = 0;
    for (let slot = this.#lists.first(RECENCY); slot !== -1 && written < limit; written++) {
      out[written] = slot;
      slot = this.#lists.next(slot);
    }
    return written;
  }

  clear(): void {
    this.#lists.clear();
  }
}
