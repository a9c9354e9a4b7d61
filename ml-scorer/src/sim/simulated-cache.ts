import type { EvictionPolicy } from '../../../node/src/policy/eviction-policy.ts';
import type { RequestBatch } from '../data/request-batch.ts';
import { KeyIndex } from './key-index.ts';
import type { OraclePolicy } from './oracle-policy.ts';
import { isOraclePolicy } from './oracle-policy.ts';
import type { SimResult } from './sim-result.ts';
import { toSimResult } from './sim-result.ts';

/**
 * One simulated cache: the part of a real cache that matters for miss ratios (which keys are
 * resident, in which slots, how much of the budget they use) driving one eviction policy. It is
 * the hot loop of `mlcache sim`, so it keeps everything in typed arrays and allocates nothing
 * per request.
 *
 * Semantics, chosen to match libCacheSim where it has a rule:
 * - hit: the key is resident and not expired: `onAccess`.
 * - miss: `onMiss`; an object larger than the whole cache is not admitted (libCacheSim warns and
 *   skips it too); otherwise `evict()` until it fits, then `onInsert`. A policy whose `evict()`
 *   returns -1 (noeviction) makes the insert fail instead, as Redis answers OOM.
 * - size change (a resident key requested with another size): counted as a hit and treated as an
 *   overwrite: `onUpdate`, then `evict()` until the cache fits its budget again (which may evict
 *   the updated object itself); an object that no longer fits the cache at all is removed.
 *   libCacheSim only adjusts its occupancy here and lets the cache overshoot until the next
 *   miss; none of the bundled traces changes a size.
 * - TTL: an object expires `ttl` seconds after the timestamp of the request that inserted (or
 *   resized) it; a request to an expired object counts as a miss, the object is removed with
 *   `onRemove` and inserted again. Expiry is lazy (on access), as in libCacheSim; an expired
 *   object that is never requested again stays until the policy evicts it.
 */
export class SimulatedCache {
  readonly policy: EvictionPolicy;
  readonly capacity: number;
  readonly ignoreSize: boolean;
  /**
   * With `entryOverhead` given (byte budget only), what the policy charges per object now
   * (`EvictionPolicy.entryOverhead`; a learned policy's changes while it runs plain), read at
   * every request; null: not charged.
   */
  #policyOverhead: number | null;
  /** The `entryOverhead` given, or 0. */
  readonly #storeOverhead: number;
  /** With `entryOverhead`: the policy's `reservedBytes`, or null (charged nothing apart). */
  readonly #reserved: (() => number) | null;
  readonly #oracle: OraclePolicy | null;
  readonly #index: KeyIndex;
  #slotKeys: Float64Array;
  #slotSizes: Float64Array;
  #slotExpiry: Float64Array;
  /** 1 while a slot holds a resident object: checks what evict() returns. */
  #slotLive: Uint8Array;
  #freeSlots: Int32Array;
  #freeCount = 0;
  /** Slots ever handed out; slots below this that are not resident are on the free stack. */
  #slotsUsed = 0;
  #used = 0;
  #vtime = 0;
  #hits = 0;
  #byteRequests = 0;
  #byteMisses = 0;
  #seconds = 0;

  /**
   * `entryOverhead`: charge every object this many bytes beyond its size plus the policy's own
   * per-entry state, as a node's store does (its ENTRY_OVERHEAD is 112), so that policies are
   * compared at one memory rather than one capacity of data. Byte budget only; absent, objects
   * cost their size (libCacheSim's convention, and the default).
   */
  constructor(
    policy: EvictionPolicy,
    capacity: number,
    ignoreSize: boolean,
    entryOverhead?: number,
  ) {
    if (!(capacity >= 0) || !Number.isFinite(capacity)) {
      throw new RangeError(`cache capacity must be a non-negative number, got ${capacity}`);
    }
    this.policy = policy;
    this.capacity = capacity;
    this.ignoreSize = ignoreSize;
    const charged = !ignoreSize && entryOverhead !== undefined;
    this.#storeOverhead = charged ? entryOverhead : 0;
    this.#policyOverhead = charged ? (policy.entryOverhead ?? 0) : null;
    this.#reserved =
      charged && typeof policy.reservedBytes === 'function' ? () => policy.reservedBytes!() : null;
    this.#oracle = isOraclePolicy(policy) ? policy : null;
    const initialSlots = Math.max(16, Math.min(ignoreSize ? capacity + 1 : 4096, 1 << 20));
    this.#index = new KeyIndex(initialSlots);
    this.#slotKeys = new Float64Array(initialSlots);
    this.#slotSizes = new Float64Array(initialSlots);
    this.#slotExpiry = new Float64Array(initialSlots);
    this.#slotLive = new Uint8Array(initialSlots);
    this.#freeSlots = new Int32Array(initialSlots);
    policy.attachResidents?.({
      keyIdOf: (slot) => this.#slotKeys[slot]!,
      sizeOf: (slot) => this.#slotSizes[slot]!,
      holds: (slot) => this.#slotLive[slot] === 1,
      slotLimit: () => this.#slotsUsed,
    });
  }

  /**
   * Bytes charged against the budget per object on top of its size: 0, or with `entryOverhead`
   * given, that plus the policy's own now.
   */
  get overhead(): number {
    return this.#storeOverhead + (this.#policyOverhead ?? 0);
  }

  /** Whether this cache's policy needs batches with next-access times. */
  get needsNextAccess(): boolean {
    return this.#oracle !== null;
  }

  /** Resident objects and the budget they use, for tests and invariants. */
  get residentCount(): number {
    return this.#index.size;
  }

  get usedSize(): number {
    return this.#used;
  }

  /** Replays one batch of requests. */
  process(batch: RequestBatch): void {
    const started = performance.now();
    const { keys, sizes, timestamps, ttls, nextAccess } = batch;
    const oracle = this.#oracle;
    if (oracle !== null && nextAccess === null) {
      throw new Error(`policy ${this.policy.name} needs next-access times, but the batch has none`);
    }
    const policy = this.policy;
    const index = this.#index;
    const ignoreSize = this.ignoreSize;
    const capacity = this.capacity;
    let overhead = this.overhead;
    const charged = this.#policyOverhead !== null;
    let hits = 0;
    let byteRequests = 0;
    let byteMisses = 0;
    for (let i = 0; i < batch.length; i++) {
      const key = keys[i]!;
      if (charged && (policy.entryOverhead ?? 0) !== this.#policyOverhead) {
        this.#recharge(policy.entryOverhead ?? 0);
        overhead = this.overhead;
      }
      const objectSize = ignoreSize ? 1 : sizes[i]!;
      // What the object costs against the budget (and what the policy sees as its size).
      const size = objectSize + overhead;
      byteRequests += objectSize;
      if (oracle !== null) {
        const next = nextAccess![i]!;
        oracle.observe(this.#vtime + i, next < 0 ? Infinity : next);
      }
      let slot = index.get(key);
      if (slot >= 0 && this.#slotExpiry[slot]! <= timestamps[i]!) {
        // Expired: gone before this request, which therefore misses.
        policy.onRemove(slot);
        this.#drop(slot);
        slot = -1;
      }
      if (slot >= 0) {
        hits++;
        if (this.#slotSizes[slot] === size) {
          policy.onAccess(slot);
        } else {
          this.#resize(slot, size, expiryOf(timestamps[i]!, ttls === null ? 0 : ttls[i]!));
        }
        continue;
      }
      byteMisses += objectSize;
      policy.onMiss(key);
      if (size > capacity) continue;
      if (oracle !== null && !oracle.admits()) continue;
      if (!this.#makeRoom(this.#limit() - size)) continue;
      slot = this.#allocate();
      index.set(key, slot);
      this.#slotKeys[slot] = key;
      this.#slotLive[slot] = 1;
      this.#slotSizes[slot] = size;
      this.#slotExpiry[slot] = expiryOf(timestamps[i]!, ttls === null ? 0 : ttls[i]!);
      this.#used += size;
      policy.onInsert(slot, key, size);
    }
    this.#vtime += batch.length;
    this.#hits += hits;
    this.#byteRequests += byteRequests;
    this.#byteMisses += byteMisses;
    this.#seconds += (performance.now() - started) / 1000;
  }

  /** The counters so far. */
  result(): SimResult {
    return toSimResult({
      requests: this.#vtime,
      hits: this.#hits,
      byteRequests: this.#byteRequests,
      byteMisses: this.#byteMisses,
      seconds: this.#seconds,
    });
  }

  #resize(slot: number, size: number, expiry: number): void {
    this.#used += size - this.#slotSizes[slot]!;
    this.#slotSizes[slot] = size;
    this.#slotExpiry[slot] = expiry;
    if (size > this.capacity) {
      this.policy.onRemove(slot);
      this.#drop(slot);
      return;
    }
    this.policy.onUpdate(slot, size);
    if (!this.#makeRoom(this.#limit())) {
      // The policy refuses to evict: the overwrite fails and the object leaves, as Redis's
      // noeviction answers OOM to a write that does not fit.
      if (this.#slotLive[slot] === 1) {
        this.policy.onRemove(slot);
        this.#drop(slot);
      }
    }
  }

  /**
   * The policy charges `policyOverhead` per object now: every resident is re-charged. A rise is
   * evicted at the next insert, all at once (a node's store spreads it over its writes).
   */
  #recharge(policyOverhead: number): void {
    const change = policyOverhead - this.#policyOverhead!;
    this.#policyOverhead = policyOverhead;
    for (let slot = 0; slot < this.#slotsUsed; slot++) {
      if (this.#slotLive[slot] === 1) this.#slotSizes[slot] = this.#slotSizes[slot]! + change;
    }
    this.#used += change * this.#index.size;
  }

  /** The budget the entries may use: all of it, less what the policy holds apart. */
  #limit(): number {
    return this.#reserved === null ? this.capacity : this.capacity - this.#reserved();
  }

  /**
   * Evicts until at most `limit` of the budget is used. Returns false when the policy returns -1
   * (it refuses to evict, like noeviction): the caller then does not admit the object.
   */
  #makeRoom(limit: number): boolean {
    while (this.#used > limit) {
      const victim = this.policy.evict();
      if (victim === -1) return false;
      if (!(this.#slotLive[victim] === 1)) {
        throw new Error(
          `policy ${this.policy.name} returned slot ${victim} from evict(), which holds no object`,
        );
      }
      this.#drop(victim);
    }
    return true;
  }

  #drop(slot: number): void {
    this.#index.delete(this.#slotKeys[slot]!);
    this.#slotLive[slot] = 0;
    this.#used -= this.#slotSizes[slot]!;
    this.#freeSlots[this.#freeCount++] = slot;
  }

  #allocate(): number {
    if (this.#freeCount > 0) return this.#freeSlots[--this.#freeCount]!;
    if (this.#slotsUsed === this.#slotKeys.length) this.#growSlots();
    return this.#slotsUsed++;
  }

  #growSlots(): void {
    const capacity = this.#slotKeys.length * 2;
    this.#slotKeys = grow(this.#slotKeys, capacity);
    this.#slotSizes = grow(this.#slotSizes, capacity);
    this.#slotExpiry = grow(this.#slotExpiry, capacity);
    const live = new Uint8Array(capacity);
    live.set(this.#slotLive);
    this.#slotLive = live;
    const free = new Int32Array(capacity);
    free.set(this.#freeSlots);
    this.#freeSlots = free;
  }
}

function expiryOf(timestamp: number, ttl: number): number {
  return ttl > 0 ? timestamp + ttl : Infinity;
}

function grow(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}
