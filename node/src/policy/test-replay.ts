import type { EvictionPolicy } from './eviction-policy.ts';

/**
 * A minimal cache for tests and benchmarks: replays a trace of dense key ids (0..n-1) through a
 * policy the way libCacheSim's cache_get_base does. A hit calls onAccess; a miss calls onMiss,
 * and unless the object is larger than the whole cache (then it is not admitted, and still a
 * miss), evicts until it fits and inserts it. Slots are dense and reused, like the node's.
 *
 * With `check`, every step verifies the contract: evict() returns a resident slot, the budget
 * holds, and candidates() lists only resident slots (the fast path skips all of that).
 */
export interface ReplayOptions {
  readonly capacity: number;
  /** Per-request sizes in the cache's unit; omitted means every object counts 1. */
  readonly sizes?: ArrayLike<number>;
  /** Verify the contract at every request (slow). */
  readonly check?: boolean;
}

export interface ReplayResult {
  readonly requests: number;
  readonly misses: number;
  readonly missRatio: number;
}

export function replay(
  keys: ArrayLike<number>,
  keyCount: number,
  policy: EvictionPolicy,
  options: ReplayOptions,
): ReplayResult {
  const { capacity, sizes } = options;
  const check = options.check === true;
  const slotOf = new Int32Array(keyCount).fill(-1);
  let keyOf = new Int32Array(1024);
  let sizeOf = new Float64Array(1024);
  const free: number[] = [];
  let nextSlot = 0;
  let used = 0;
  let resident = 0;
  let misses = 0;
  const probe = check ? new Int32Array(16) : undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    const size = sizes === undefined ? 1 : (sizes[i] as number);
    const hit = slotOf[key] as number;
    if (hit >= 0) {
      // libCacheSim ignores a size change on a hit; the traces used here have none.
      policy.onAccess(hit);
      continue;
    }
    misses++;
    policy.onMiss(key);
    if (size > capacity) continue;
    while (used + size > capacity) {
      const victim = policy.evict();
      if (
        check &&
        (victim < 0 || victim >= nextSlot || slotOf[keyOf[victim] as number] !== victim)
      ) {
        throw new Error(`request ${i}: evict() returned ${victim}, which is not resident`);
      }
      if (victim < 0) throw new Error(`request ${i}: nothing to evict with ${used} used`);
      used -= sizeOf[victim] as number;
      slotOf[keyOf[victim] as number] = -1;
      free.push(victim);
      resident--;
    }
    const slot = free.length > 0 ? (free.pop() as number) : nextSlot++;
    if (slot >= keyOf.length) {
      const grownKeys = new Int32Array(keyOf.length * 2);
      grownKeys.set(keyOf);
      keyOf = grownKeys;
      const grownSizes = new Float64Array(sizeOf.length * 2);
      grownSizes.set(sizeOf);
      sizeOf = grownSizes;
    }
    keyOf[slot] = key;
    sizeOf[slot] = size;
    slotOf[key] = slot;
    used += size;
    resident++;
    policy.onInsert(slot, key, size);
    if (probe !== undefined) {
      if (used > capacity) throw new Error(`request ${i}: ${used} used > capacity ${capacity}`);
      const count = policy.candidates(probe, probe.length);
      if (count > Math.min(resident, probe.length)) {
        throw new Error(`request ${i}: ${count} candidates for ${resident} resident entries`);
      }
      for (let c = 0; c < count; c++) {
        const candidate = probe[c] as number;
        if (
          candidate < 0 ||
          candidate >= nextSlot ||
          slotOf[keyOf[candidate] as number] !== candidate
        ) {
          throw new Error(`request ${i}: candidate ${candidate} is not resident`);
        }
      }
    }
  }
  return { requests: keys.length, misses, missRatio: keys.length === 0 ? 0 : misses / keys.length };
}

/**
 * A small cache over any key ids for scenario and property tests: GET/SET/DEL/FLUSHALL the way
 * the node drives a policy, with the contract checked after every call (evict() and candidates()
 * return resident slots only, candidates are distinct, the budget holds).
 */
export class TestCache {
  readonly #policy: EvictionPolicy;
  #capacity: number;
  #slotOf = new Map<number, number>();
  #keyOf: number[] = [];
  #sizeOf: number[] = [];
  #free: number[] = [];
  #used = 0;
  #probe = new Int32Array(32);

  constructor(policy: EvictionPolicy, capacity: number) {
    this.#policy = policy;
    this.#capacity = capacity;
  }

  get used(): number {
    return this.#used;
  }

  /** The resident key ids, in no particular order. */
  keys(): number[] {
    return [...this.#slotOf.keys()];
  }

  has(keyId: number): boolean {
    return this.#slotOf.has(keyId);
  }

  /** A read: returns whether it hit; a miss inserts the object (size 1 unless given). */
  get(keyId: number, size = 1): boolean {
    const slot = this.#slotOf.get(keyId);
    if (slot !== undefined) {
      this.#policy.onAccess(slot);
      this.#verify();
      return true;
    }
    this.#policy.onMiss(keyId);
    this.#insert(keyId, size);
    return false;
  }

  /** A write: overwrites a resident object (maybe resizing it) or inserts a new one. */
  set(keyId: number, size: number): void {
    const slot = this.#slotOf.get(keyId);
    if (slot === undefined) {
      this.#insert(keyId, size);
      return;
    }
    const old = this.#sizeOf[slot] as number;
    if (this.#used - old + size > this.#capacity) {
      // Too big to keep in place: the store drops it and inserts afresh.
      this.del(keyId);
      this.#insert(keyId, size);
      return;
    }
    this.#sizeOf[slot] = size;
    this.#used += size - old;
    this.#policy.onUpdate(slot, size);
    this.#verify();
  }

  del(keyId: number): void {
    const slot = this.#slotOf.get(keyId);
    if (slot === undefined) return;
    this.#policy.onRemove(slot);
    this.#drop(slot);
    this.#verify();
  }

  /** Evicts one entry chosen from `candidates()` (as the ML hybrids do), via onRemove. */
  removeCandidate(pick: number): number | undefined {
    const count = this.#policy.candidates(this.#probe, this.#probe.length);
    if (count === 0) return undefined;
    const slot = this.#probe[pick % count] as number;
    const key = this.#keyOf[slot] as number;
    this.#policy.onRemove(slot);
    this.#drop(slot);
    this.#verify();
    return key;
  }

  /** CONFIG SET maxmemory: tells the policy, then evicts down to the new budget as a store does. */
  resize(capacity: number): void {
    this.#capacity = capacity;
    this.#policy.resize?.(capacity);
    while (this.#used > capacity) {
      const victim = this.#policy.evict();
      if (!this.#isResident(victim)) {
        throw new Error(`evict() returned ${victim}, which is not resident`);
      }
      this.#drop(victim);
    }
    this.#verify();
  }

  flush(): void {
    this.#policy.clear();
    this.#slotOf.clear();
    this.#keyOf = [];
    this.#sizeOf = [];
    this.#free = [];
    this.#used = 0;
    if (this.#policy.evict() !== -1) throw new Error('evict() found a victim after clear()');
    if (this.#policy.candidates(this.#probe, this.#probe.length) !== 0) {
      throw new Error('candidates() listed slots after clear()');
    }
  }

  #insert(keyId: number, size: number): void {
    if (size > this.#capacity) return;
    while (this.#used + size > this.#capacity) {
      const victim = this.#policy.evict();
      if (!this.#isResident(victim)) {
        throw new Error(`evict() returned ${victim}, which is not resident`);
      }
      this.#drop(victim);
    }
    const slot = this.#free.length > 0 ? (this.#free.pop() as number) : this.#keyOf.length;
    this.#keyOf[slot] = keyId;
    this.#sizeOf[slot] = size;
    this.#slotOf.set(keyId, slot);
    this.#used += size;
    this.#policy.onInsert(slot, keyId, size);
    this.#verify();
  }

  #drop(slot: number): void {
    this.#slotOf.delete(this.#keyOf[slot] as number);
    this.#used -= this.#sizeOf[slot] as number;
    this.#keyOf[slot] = Number.NaN;
    this.#free.push(slot);
  }

  #isResident(slot: number): boolean {
    const key = this.#keyOf[slot];
    return key !== undefined && this.#slotOf.get(key) === slot;
  }

  #verify(): void {
    if (this.#used > this.#capacity) {
      throw new Error(`${this.#used} used exceeds the capacity ${this.#capacity}`);
    }
    const count = this.#policy.candidates(this.#probe, this.#probe.length);
    if (count > Math.min(this.#slotOf.size, this.#probe.length)) {
      throw new Error(`${count} candidates for ${this.#slotOf.size} resident entries`);
    }
    const seen = new Set<number>();
    for (let i = 0; i < count; i++) {
      const slot = this.#probe[i] as number;
      if (!this.#isResident(slot)) throw new Error(`candidate ${slot} is not resident`);
      if (seen.has(slot)) throw new Error(`candidate ${slot} is listed twice`);
      seen.add(slot);
    }
  }
}
