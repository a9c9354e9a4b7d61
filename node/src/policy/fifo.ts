import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { LinkedSlots } from './linked-slots.ts';

/** The single insertion-order list; its first slot is the oldest. */
const QUEUE = 0;

/**
 * First in, first out: the victim is the oldest insert; hits and updates do not reorder. The
 * baseline that SIEVE and S3-FIFO improve on, and libCacheSim's `FIFO`. Every operation is O(1).
 */
export function createFifoPolicy(_options: PolicyOptions): EvictionPolicy {
  return new FifoPolicy();
}

class FifoPolicy implements EvictionPolicy {
  readonly name = 'fifo';
  #lists = new LinkedSlots(1);

  onMiss(_keyId: number): void {}

  onInsert(slot: number, _keyId: number, _size: number): void {
    this.#lists.remove(slot);
    this.#lists.pushBack(QUEUE, slot);
  }

  onAccess(_slot: number): void {}

  onUpdate(_slot: number, _size: number): void {}

  onRemove(slot: number): void {
    this.#lists.remove(slot);
  }

  evict(): number {
    const victim = this.#lists.first(QUEUE);
    if (victim !== -1) this.#lists.remove(victim);
    return victim;
  }

  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    let written = 0;
    for (let slot = this.#lists.first(QUEUE); slot !== -1 && written < limit; written++) {
      out[written] = slot;
      slot = this.#lists.next(slot);
    }
    return written;
  }

  clear(): void {
    this.#lists.clear();
  }
}
