import type { PolicyOptions } from '../../../node/src/policy/eviction-policy.ts';
import type { OraclePolicy } from './oracle-policy.ts';

/**
 * Belady's MIN, the offline optimum for unit-size objects: evict the resident object whose next
 * request is farthest in the future. Objects are always admitted, as libCacheSim's `Belady` does,
 * so that its rows in the reference CSV are exact targets and the result is the optimum among
 * caches that must admit every missed object, which is the class every online policy of the
 * registry belongs to.
 *
 * A binary max-heap on next-access time with lazy invalidation: an access pushes a fresh entry
 * and leaves the old one in the heap; `evict()` discards popped entries that no longer match
 * their slot's current next access. The heap is rebuilt from live slots when stale entries
 * outnumber live ones, so memory stays O(resident) and every operation O(log n) amortised.
 * (Two entries can only look alike when both say "never again", and then either is a right
 * victim.)
 */
export function createBeladyPolicy(options: PolicyOptions): OraclePolicy {
  return new BeladyPolicy(options.capacity);
}

class BeladyPolicy implements OraclePolicy {
  readonly name = 'belady';
  readonly oracle = true;
  #next = Infinity;
  #slotNext: Float64Array;
  #slotLive: Uint8Array;
  #live = 0;
  #heapNext: Float64Array;
  #heapSlot: Int32Array;
  #heapSize = 0;

  constructor(capacity: number) {
    const initial = Math.max(16, Math.min(capacity + 1, 1 << 16));
    this.#slotNext = new Float64Array(initial);
    this.#slotLive = new Uint8Array(initial);
    this.#heapNext = new Float64Array(initial * 2);
    this.#heapSlot = new Int32Array(initial * 2);
  }

  observe(_vtime: number, nextAccess: number): void {
    this.#next = nextAccess;
  }

  admits(): boolean {
    return true;
  }

  onMiss(): void {}

  onInsert(slot: number): void {
    if (slot >= this.#slotNext.length) this.#growSlots(slot + 1);
    this.#slotLive[slot] = 1;
    this.#live++;
    this.#touch(slot);
  }

  onAccess(slot: number): void {
    this.#touch(slot);
  }

  onUpdate(slot: number): void {
    this.#touch(slot);
  }

  onRemove(slot: number): void {
    if (this.#slotLive[slot] === 1) {
      this.#slotLive[slot] = 0;
      this.#live--;
    }
  }

  evict(): number {
    while (this.#heapSize > 0) {
      const next = this.#heapNext[0]!;
      const slot = this.#heapSlot[0]!;
      this.#pop();
      if (this.#slotLive[slot] === 1 && this.#slotNext[slot] === next) {
        this.#slotLive[slot] = 0;
        this.#live--;
        return slot;
      }
    }
    return -1;
  }

  candidates(out: Int32Array | number[], max: number): number {
    // Pop the best valid entries, then push them back: O(max log n), and only for callers that
    // rank candidates themselves.
    let count = 0;
    while (count < max && this.#heapSize > 0) {
      const next = this.#heapNext[0]!;
      const slot = this.#heapSlot[0]!;
      this.#pop();
      if (this.#slotLive[slot] === 1 && this.#slotNext[slot] === next) out[count++] = slot;
    }
    for (let i = 0; i < count; i++) this.#push(this.#slotNext[out[i]!]!, out[i]!);
    return count;
  }

  clear(): void {
    this.#slotLive.fill(0);
    this.#live = 0;
    this.#heapSize = 0;
  }

  #touch(slot: number): void {
    this.#slotNext[slot] = this.#next;
    // The rebuild pushes this slot's new entry along with every other live one.
    if (this.#heapSize >= 2 * this.#live + 1024) this.#rebuild();
    else this.#push(this.#next, slot);
  }

  /** Drops every stale entry: re-pushes one entry per live slot. */
  #rebuild(): void {
    this.#heapSize = 0;
    for (let slot = 0; slot < this.#slotLive.length; slot++) {
      if (this.#slotLive[slot] === 1) this.#push(this.#slotNext[slot]!, slot);
    }
  }

  #push(next: number, slot: number): void {
    if (this.#heapSize === this.#heapNext.length) this.#growHeap();
    const heapNext = this.#heapNext;
    const heapSlot = this.#heapSlot;
    let i = this.#heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapNext[parent]! >= next) break;
      heapNext[i] = heapNext[parent]!;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapNext[i] = next;
    heapSlot[i] = slot;
  }

  #pop(): void {
    const heapNext = this.#heapNext;
    const heapSlot = this.#heapSlot;
    const size = --this.#heapSize;
    if (size === 0) return;
    const next = heapNext[size]!;
    const slot = heapSlot[size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heapNext[child + 1]! > heapNext[child]!) child++;
      if (heapNext[child]! <= next) break;
      heapNext[i] = heapNext[child]!;
      heapSlot[i] = heapSlot[child]!;
      i = child;
    }
    heapNext[i] = next;
    heapSlot[i] = slot;
  }

  #growSlots(needed: number): void {
    let length = this.#slotNext.length;
    while (length < needed) length *= 2;
    const next = new Float64Array(length);
    next.set(this.#slotNext);
    this.#slotNext = next;
    const live = new Uint8Array(length);
    live.set(this.#slotLive);
    this.#slotLive = live;
  }

  #growHeap(): void {
    const length = this.#heapNext.length * 2;
    const heapNext = new Float64Array(length);
    heapNext.set(this.#heapNext);
    this.#heapNext = heapNext;
    const heapSlot = new Int32Array(length);
    heapSlot.set(this.#heapSlot);
    this.#heapSlot = heapSlot;
  }
}
