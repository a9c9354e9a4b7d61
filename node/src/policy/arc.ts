import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { GhostLists } from './ghost-lists.ts';
import { LinkedSlots } from './linked-slots.ts';
import { growFloat64, grownSize } from './typed-arrays.ts';

/** T1: entries seen once recently (the paper's L1 data), oldest first. */
const T1 = 0;
/** T2: entries seen at least twice recently (L2 data), least recently used first. */
const T2 = 1;
const NONE = -1;
/** Ghost lists: B1 remembers T1's victims, B2 T2's. */
const B1 = 0;
const B2 = 1;

/**
 * Adaptive Replacement Cache (Megiddo & Modha, FAST'03, Fig. 4), generalised to sizes the way
 * libCacheSim's ARC.c does: T1/T2 hold resident entries, B1/B2 the key ids (and sizes) of entries
 * that T1/T2 dropped, and `p` is the adaptive target size of T1, all measured in the cache's
 * unit. A hit in B1 grows p by max(|B2|/|B1|, 1), a hit in B2 shrinks it by max(|B1|/|B2|, 1)
 * (case II/III; p is a float, as in libCacheSim and the reference Python port it cites), and a
 * ghost hit is re-admitted straight into T2. REPLACE evicts T1's LRU into B1 when
 * |T1| > p (or |T1| = p after a B2 hit, or T2 is empty), else T2's LRU into B2. A miss on every
 * list (case IV) first trims the directory: if |T1| + |B1| + incoming > c, B1's oldest ghost goes
 * (or, with B1 empty, T1's LRU is evicted with no ghost); else, once the four lists reach 2c, B2's
 * oldest ghost goes. Every operation is O(1); a hash index finds a missed key among the ghosts.
 *
 * The one thing this contract hides from the policy is the incoming entry's size, which case IV
 * compares against c: it uses the mean resident size instead, which is exact for an object
 * budget (every size 1) and a close estimate for a byte budget.
 */
export function createArcPolicy(options: PolicyOptions): EvictionPolicy {
  if (!(options.capacity >= 0 && Number.isFinite(options.capacity))) {
    throw new RangeError(`ARC capacity must be a number >= 0, got ${options.capacity}`);
  }
  return new ArcPolicy(options.capacity);
}

class ArcPolicy implements EvictionPolicy {
  readonly name = 'arc';
  #capacity: number;
  #lists = new LinkedSlots(2);
  #size = new Float64Array(1024);
  #key = new Float64Array(1024);
  #t1Used = 0;
  #t2Used = 0;
  #resident = 0;
  #ghosts = new GhostLists(2);
  /** The target size of T1. */
  #p = 0;
  /** The key id of the current miss when it hit a ghost list (so it goes to T2), else NaN. */
  #ghostHitKey = Number.NaN;
  #ghostHitInB2 = false;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The target p keeps its place within the new capacity; the ghosts trim as evictions go. */
  resize(capacity: number): void {
    this.#capacity = capacity;
    this.#p = Math.min(this.#p, capacity);
  }

  onMiss(keyId: number): void {
    this.#ghostHitKey = Number.NaN;
    this.#ghostHitInB2 = false;
    const ghosts = this.#ghosts;
    const list = ghosts.remove(keyId);
    if (list === NONE) return;
    // The ratios use the ghost lists' sizes from before the hit ghost left its list.
    const size = ghosts.removedSize;
    const b1 = ghosts.used(B1) + (list === B1 ? size : 0);
    const b2 = ghosts.used(B2) + (list === B2 ? size : 0);
    if (list === B1) {
      // Case II: T1 was too small for this key; grow its target.
      this.#p = Math.min(this.#p + Math.max(b2 / b1, 1), this.#capacity);
    } else {
      // Case III: T2 was too small; shrink T1's target.
      this.#p = Math.max(this.#p - Math.max(b1 / b2, 1), 0);
      this.#ghostHitInB2 = true;
    }
    this.#ghostHitKey = keyId;
  }

  onInsert(slot: number, keyId: number, size: number): void {
    this.onRemove(slot);
    if (slot >= this.#size.length) this.#grow(slot);
    this.#size[slot] = size;
    this.#key[slot] = keyId;
    this.#resident++;
    if (keyId === this.#ghostHitKey) {
      this.#lists.pushBack(T2, slot);
      this.#t2Used += size;
    } else {
      this.#lists.pushBack(T1, slot);
      this.#t1Used += size;
    }
    this.#endRequest();
  }

  onAccess(slot: number): void {
    const list = this.#lists.ownerOf(slot);
    if (list === T1) {
      // Case I: a second hit makes the entry frequent.
      const size = this.#size[slot] as number;
      this.#t1Used -= size;
      this.#t2Used += size;
      this.#lists.remove(slot);
      this.#lists.pushBack(T2, slot);
    } else if (list === T2) {
      this.#lists.moveToBack(slot);
    }
    this.#endRequest();
  }

  onUpdate(slot: number, size: number): void {
    const list = this.#lists.ownerOf(slot);
    if (list === NONE) return;
    const delta = size - (this.#size[slot] as number);
    this.#size[slot] = size;
    if (list === T1) this.#t1Used += delta;
    else this.#t2Used += delta;
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    const list = this.#lists.remove(slot);
    if (list === NONE) return;
    this.#forget(slot, list);
  }

  evict(): number {
    if (this.#resident === 0) return NONE;
    // A ghost hit only needs REPLACE (case II/III); libCacheSim does the same for every
    // eviction of that request.
    if (!Number.isNaN(this.#ghostHitKey)) return this.#replace();
    const c = this.#capacity;
    const incoming = (this.#t1Used + this.#t2Used) / this.#resident;
    const ghosts = this.#ghosts;
    if (this.#t1Used + ghosts.used(B1) + incoming > c) {
      // Case IV.A: L1 = T1 + B1 is full.
      if (ghosts.dropOldest(B1)) return this.#replace();
      // B1 is empty, so T1 alone fills L1: evict its LRU and remember no ghost.
      const victim = this.#lists.first(T1);
      if (victim === NONE) return this.#replace();
      this.#lists.remove(victim);
      this.#forget(victim, T1);
      return victim;
    }
    // Case IV.B: the whole directory holds 2c; drop the oldest B2 ghost.
    if (this.#t1Used + ghosts.used(B1) + this.#t2Used + ghosts.used(B2) >= 2 * c) {
      ghosts.dropOldest(B2);
    }
    return this.#replace();
  }

  /** T1's or T2's LRU end first (REPLACE's choice), then the rest of both lists. */
  candidates(out: Int32Array | number[], max: number): number {
    const limit = ArrayBuffer.isView(out) ? Math.min(max, out.length) : max;
    const first = this.#replaceTakesT1() ? T1 : T2;
    let written = this.#copyList(first, out, 0, limit);
    written = this.#copyList(first === T1 ? T2 : T1, out, written, limit);
    return written;
  }

  /** Forgets the resident entries; the ghosts and p are history and stay. */
  clear(): void {
    this.#lists.clear();
    this.#size = new Float64Array(1024);
    this.#key = new Float64Array(1024);
    this.#t1Used = 0;
    this.#t2Used = 0;
    this.#resident = 0;
    this.#endRequest();
  }

  /** REPLACE (Fig. 4): evict from T1 or T2 per p, remembering the victim in B1 or B2. */
  #replace(): number {
    const fromT1 = this.#replaceTakesT1();
    const list = fromT1 ? T1 : T2;
    const victim = this.#lists.first(list);
    if (victim === NONE) return NONE;
    this.#lists.remove(victim);
    this.#forget(victim, list);
    const key = this.#key[victim] as number;
    this.#ghosts.pushNewest(fromT1 ? B1 : B2, key, this.#size[victim] as number);
    return victim;
  }

  #replaceTakesT1(): boolean {
    const t1 = this.#t1Used;
    if (this.#lists.isEmpty(T1)) return false;
    if (this.#lists.isEmpty(T2)) return true;
    return t1 > this.#p || (t1 === this.#p && this.#ghostHitInB2);
  }

  #forget(slot: number, list: number): void {
    const size = this.#size[slot] as number;
    if (list === T1) this.#t1Used -= size;
    else this.#t2Used -= size;
    this.#resident--;
    if (this.#resident === 0) {
      // Exact zero when empty, so float rounding of byte sizes cannot build up.
      this.#t1Used = 0;
      this.#t2Used = 0;
    }
  }

  #endRequest(): void {
    this.#ghostHitKey = Number.NaN;
    this.#ghostHitInB2 = false;
  }

  #copyList(list: number, out: Int32Array | number[], from: number, limit: number): number {
    let written = from;
    for (let slot = this.#lists.first(list); slot !== NONE && written < limit; written++) {
      out[written] = slot;
      slot = this.#lists.next(slot);
    }
    return written;
  }

  #grow(slot: number): void {
    const size = grownSize(this.#size.length, slot);
    this.#size = growFloat64(this.#size, size);
    this.#key = growFloat64(this.#key, size);
  }
}
