import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { growUint8For } from './grow-uint8.ts';
import { LinkedSlots } from './linked-slots.ts';

/** The single insertion-order list; its first slot is the oldest. */
const QUEUE = 0;
const NONE = -1;
/** How many entries `candidates` may pass over per candidate it writes, so it stays O(max). */
const SCAN_PER_CANDIDATE = 8;

/**
 * SIEVE (Zhang et al., NSDI'24, Algorithm 1): one FIFO queue, a visited bit per entry and a hand.
 * A hit only sets the visited bit (no reordering, so hits are cheap). To evict, the hand walks
 * from where it stopped towards newer entries, wrapping from the newest back to the oldest; it
 * clears visited bits on its way and evicts the first entry whose bit is already clear, then
 * stays at the next newer entry. New entries join at the newest end, behind the hand, which is
 * what lets SIEVE drop new unpopular entries quickly ("quick demotion", §3).
 *
 * This follows libCacheSim's Sieve.c exactly (same hand and wrap rules), so its miss ratios are
 * exact targets. Each eviction is O(1) amortised: every step of the hand clears a bit that a hit
 * had set.
 */
export function createSievePolicy(_options: PolicyOptions): EvictionPolicy {
  return new SievePolicy();
}

class SievePolicy implements EvictionPolicy {
  readonly name = 'sieve';
  #lists = new LinkedSlots(1);
  #visited = new Uint8Array(1024);
  /** The next entry the hand examines; -1 means "start at the oldest". */
  #hand = NONE;

  onMiss(_keyId: number): void {}

  onInsert(slot: number, _keyId: number, _size: number): void {
    this.onRemove(slot);
    if (slot >= this.#visited.length) this.#visited = growUint8For(this.#visited, slot);
    this.#visited[slot] = 0;
    this.#lists.pushBack(QUEUE, slot);
  }

  onAccess(slot: number): void {
    if (this.#lists.ownerOf(slot) === QUEUE) this.#visited[slot] = 1;
  }

  onUpdate(slot: number, _size: number): void {
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    if (this.#lists.ownerOf(slot) !== QUEUE) return;
    if (this.#hand === slot) this.#hand = this.#lists.next(slot);
    this.#lists.remove(slot);
  }

  evict(): number {
    const lists = this.#lists;
    const visited = this.#visited;
    let slot = this.#hand === NONE ? lists.first(QUEUE) : this.#hand;
    if (slot === NONE) return NONE;
    while (visited[slot] !== 0) {
      visited[slot] = 0;
      slot = lists.next(slot);
      if (slot === NONE) slot = lists.first(QUEUE);
    }
    this.#hand = lists.next(slot);
    lists.remove(slot);
    return slot;
  }

  /**
   * The hand's next victims in order: unvisited entries from the hand onwards (wrapping once).
   * If the scan budget runs out first, visited entries from the hand fill the rest, since the
   * hand would clear their bits and take them next.
   */
  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    const lists = this.#lists;
    const start = this.#hand === NONE ? lists.first(QUEUE) : this.#hand;
    if (start === NONE || limit <= 0) return 0;
    let written = 0;
    let budget = limit * SCAN_PER_CANDIDATE;
    let slot = start;
    do {
      if (this.#visited[slot] === 0) out[written++] = slot;
      slot = lists.next(slot);
      if (slot === NONE) slot = lists.first(QUEUE);
    } while (slot !== start && written < limit && --budget > 0);
    if (written < limit) {
      // The hand clears visited bits as it passes, so visited entries follow in hand order.
      slot = start;
      do {
        if (this.#visited[slot] !== 0) out[written++] = slot;
        slot = lists.next(slot);
        if (slot === NONE) slot = lists.first(QUEUE);
      } while (slot !== start && written < limit);
    }
    return written;
  }

  clear(): void {
    this.#lists.clear();
    this.#visited = new Uint8Array(1024);
    this.#hand = NONE;
  }
}
