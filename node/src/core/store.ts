import type { EvictionPolicy, PolicyFactory } from '../policy/eviction-policy.ts';
import { createLruPolicy } from '../policy/lru.ts';
import { findPolicy, policyNames } from '../policy/registry.ts';
import { growFloat64, growInt32, grownSize } from '../policy/typed-arrays.ts';
import type { Clock } from '../util/clock.ts';
import { entryCharge } from './entry-size.ts';
import { ExpiryHeap } from './expiry-heap.ts';
import { hashKey } from './key-hash.ts';
import { createNullPersistence, type Persistence } from './persistence.ts';
import { addInt64, formatInt64, INT64_MAX, INT64_MIN, parseInt64 } from './redis-integer.ts';
import { OP_STATUS, type OpStatus } from './status.ts';
import type {
  CacheStore,
  NumberResult,
  RemovalReason,
  ScanPage,
  SetOptions,
  SetResult,
  StoreStats,
} from './store-types.ts';

/** How the store is built. */
export interface StoreOptions {
  /** Source of wall-clock time for TTLs. */
  readonly clock: Clock;
  /**
   * The eviction policy: an instance, a factory (called with the byte budget as capacity), or a
   * `--policy` name from the registry.
   * @default 'lru'
   */
  readonly policy?: EvictionPolicy | PolicyFactory | string;
  /** Seed handed to a policy factory. @default 1 */
  readonly seed?: number;
  /** Byte budget (keys + values + per-entry overhead); 0 means unlimited. @default 0 */
  readonly maxMemory?: number;
  /** Longest value accepted, in bytes (Redis's proto-max-bulk-len). @default 512 MiB */
  readonly maxValueSize?: number;
  /** Longest key accepted, in bytes. @default 512 MiB, as Redis */
  readonly maxKeySize?: number;
  /** Where changes are mirrored. @default a persistence that keeps nothing */
  readonly persistence?: Persistence;
  /** Called after an entry leaves the store (not when it is overwritten), for metrics or migration. */
  readonly onRemove?: (key: string, reason: RemovalReason) => void;
}

const MIB = 1024 * 1024;
const NONE = -1;
/** `#makeRoom`'s answer when the entry cannot fit. */
const NO_ROOM = -2;
const INITIAL_SLOTS = 1024;

// Results without a payload are shared constants, so the common paths allocate nothing.
const SET_OK: SetResult = { status: OP_STATUS.OK, previous: undefined };
const SET_NOT_APPLIED: SetResult = { status: OP_STATUS.NOT_APPLIED, previous: undefined };
const SET_TOO_LARGE: SetResult = { status: OP_STATUS.TOO_LARGE, previous: undefined };
const SET_OOM: SetResult = { status: OP_STATUS.OOM, previous: undefined };
const SET_PERSISTENCE_FAILED: SetResult = {
  status: OP_STATUS.PERSISTENCE_FAILED,
  previous: undefined,
};
const NUMBER_NOT_INTEGER: NumberResult = { status: OP_STATUS.NOT_INTEGER };
const NUMBER_OVERFLOW: NumberResult = { status: OP_STATUS.OVERFLOW };
const NUMBER_TOO_LARGE: NumberResult = { status: OP_STATUS.TOO_LARGE };
const NUMBER_OOM: NumberResult = { status: OP_STATUS.OOM };
const NUMBER_PERSISTENCE_FAILED: NumberResult = { status: OP_STATUS.PERSISTENCE_FAILED };

/**
 * The in-memory keyspace: a Map from key to a dense slot, with keys, values and expiry times in
 * arrays indexed by slot (reused through a free-slot stack), an indexed expiry heap, a byte budget
 * enforced through the eviction policy, and every change mirrored to the persistence port.
 *
 * Expiry: an entry with `expireAt <= now` is gone. Every lookup checks it (lazy expiry) and
 * `expireStep` pops due entries from the heap (active expiry), so an expired key is never
 * returned, while `size()` and `bytesUsed` may still count ones not yet collected, as in Redis.
 *
 * Writes that return a status refuse with PERSISTENCE_FAILED while persistence is not writable.
 * DEL, EXPIRE and FLUSHALL return booleans or nothing, so they cannot refuse here: the command
 * layer checks `writable` before calling them (Redis's MISCONF behaviour). Expiries and
 * evictions still reach `persistence.delete` then; an adapter that drops them is harmless
 * because reloads skip expired entries.
 *
 * Values are kept as handed over; callers should copy them into exact-size Buffers
 * (`Buffer.allocUnsafeSlow`), not pooled ones, or the byte budget undercounts (entry-size.ts).
 */
export class Store implements CacheStore {
  readonly #clock: Clock;
  readonly #policy: EvictionPolicy;
  readonly #persistence: Persistence;
  readonly #onRemove: ((key: string, reason: RemovalReason) => void) | undefined;
  readonly #maxValueSize: number;
  readonly #maxKeySize: number;
  #maxMemory: number;

  readonly #index = new Map<string, number>();
  /** Per slot: the key and value, undefined while the slot is free. */
  #keys: (string | undefined)[] = [];
  #values: (Buffer | undefined)[] = [];
  /** Per slot: absolute expiry in ms, 0 for none. */
  #expireAt = new Float64Array(INITIAL_SLOTS);
  #heap = new ExpiryHeap();
  #freeSlots = new Int32Array(INITIAL_SLOTS);
  #freeCount = 0;

  #bytesUsed = 0;
  #hits = 0;
  #misses = 0;
  #evictedCapacity = 0;
  #evictedExpired = 0;

  constructor(options: StoreOptions) {
    if (typeof options?.clock?.now !== 'function') throw new TypeError('Store needs a clock');
    const maxMemory = options.maxMemory ?? 0;
    checkSize('maxMemory', maxMemory, 0);
    const maxValueSize = options.maxValueSize ?? 512 * MIB;
    checkSize('maxValueSize', maxValueSize, 1);
    const maxKeySize = options.maxKeySize ?? 512 * MIB;
    checkSize('maxKeySize', maxKeySize, 1);
    if (options.onRemove !== undefined && typeof options.onRemove !== 'function') {
      throw new TypeError('Store onRemove must be a function');
    }
    this.#clock = options.clock;
    this.#maxMemory = maxMemory;
    this.#maxValueSize = maxValueSize;
    this.#maxKeySize = maxKeySize;
    this.#persistence = options.persistence ?? createNullPersistence();
    this.#onRemove = options.onRemove;
    this.#policy = resolvePolicy(options.policy, maxMemory, options.seed ?? 1);
  }

  get(key: string): Buffer | undefined {
    const slot = this.#find(key);
    if (slot === NONE) {
      this.#misses++;
      this.#policy.onMiss(hashKey(key));
      return undefined;
    }
    this.#hits++;
    this.#policy.onAccess(slot);
    return this.#values[slot];
  }

  peek(key: string): Buffer | undefined {
    const slot = this.#find(key);
    return slot === NONE ? undefined : this.#values[slot];
  }

  has(key: string): boolean {
    return this.#find(key) !== NONE;
  }

  set(key: string, value: Buffer, options?: SetOptions): SetResult {
    if (key.length > this.#maxKeySize || value.length > this.#maxValueSize) return SET_TOO_LARGE;
    if (!this.#persistence.writable) return SET_PERSISTENCE_FAILED;
    const slot = this.#find(key);
    const previous = slot === NONE ? undefined : this.#values[slot];
    let expireAt = 0;
    if (options !== undefined) {
      if (slot === NONE ? options.ifPresent === true : options.ifAbsent === true) {
        return previous === undefined
          ? SET_NOT_APPLIED
          : { status: OP_STATUS.NOT_APPLIED, previous };
      }
      if (options.keepTtl === true) {
        if (slot !== NONE) expireAt = this.#expireAt[slot] as number;
      } else if (options.expireAt !== undefined && options.expireAt !== 0) {
        expireAt = checkTime(options.expireAt);
        if (expireAt <= this.#clock.now()) {
          // Redis: SET with a time already past succeeds and leaves the key deleted.
          if (slot !== NONE) this.#remove(slot, 'deleted', true);
          return previous === undefined ? SET_OK : { status: OP_STATUS.OK, previous };
        }
      }
    }
    const status = this.#write(slot, key, value, expireAt, true);
    if (previous === undefined) return status === OP_STATUS.OK ? SET_OK : SET_OOM;
    return { status, previous };
  }

  delete(key: string): boolean {
    const slot = this.#find(key);
    if (slot === NONE) return false;
    this.#remove(slot, 'deleted', true);
    return true;
  }

  expireAtOf(key: string): number {
    const slot = this.#find(key);
    if (slot === NONE) return -2;
    const expireAt = this.#expireAt[slot] as number;
    return expireAt === 0 ? -1 : expireAt;
  }

  setExpireAt(key: string, expireAt: number): boolean {
    checkTime(expireAt);
    const slot = this.#find(key);
    if (slot === NONE) return false;
    if (expireAt !== 0 && expireAt <= this.#clock.now()) {
      this.#remove(slot, 'deleted', true);
      return true;
    }
    if (expireAt === this.#expireAt[slot]) return true;
    this.#setExpiry(slot, expireAt);
    this.#persistence.put(key, this.#values[slot] as Buffer, expireAt);
    return true;
  }

  /** The result is a number when it is a safe integer, a bigint beyond (up to the int64 range). */
  incrBy(key: string, delta: bigint): NumberResult {
    if (key.length > this.#maxKeySize) return NUMBER_TOO_LARGE;
    if (delta > INT64_MAX || delta < INT64_MIN) return NUMBER_NOT_INTEGER;
    if (!this.#persistence.writable) return NUMBER_PERSISTENCE_FAILED;
    const slot = this.#find(key);
    let current: number | bigint = 0;
    let expireAt = 0;
    if (slot !== NONE) {
      const parsed = parseInt64(this.#values[slot] as Buffer);
      if (parsed === undefined) return NUMBER_NOT_INTEGER;
      current = parsed;
      expireAt = this.#expireAt[slot] as number;
    }
    const next = addInt64(current, delta);
    if (next === undefined) return NUMBER_OVERFLOW;
    const bytes = formatInt64(next);
    if (bytes.length > this.#maxValueSize) return NUMBER_TOO_LARGE;
    const status = this.#write(slot, key, bytes, expireAt, true);
    return status === OP_STATUS.OK ? { status: OP_STATUS.OK, value: next } : NUMBER_OOM;
  }

  append(key: string, suffix: Buffer): NumberResult {
    if (key.length > this.#maxKeySize) return NUMBER_TOO_LARGE;
    if (!this.#persistence.writable) return NUMBER_PERSISTENCE_FAILED;
    const slot = this.#find(key);
    const old = slot === NONE ? undefined : (this.#values[slot] as Buffer);
    const length = (old === undefined ? 0 : old.length) + suffix.length;
    if (length > this.#maxValueSize) return NUMBER_TOO_LARGE;
    let value = suffix;
    if (old !== undefined) {
      value = Buffer.allocUnsafeSlow(length);
      old.copy(value, 0);
      suffix.copy(value, old.length);
    }
    const expireAt = slot === NONE ? 0 : (this.#expireAt[slot] as number);
    const status = this.#write(slot, key, value, expireAt, true);
    return status === OP_STATUS.OK ? { status: OP_STATUS.OK, value: length } : NUMBER_OOM;
  }

  size(): number {
    return this.#index.size;
  }

  clear(): void {
    const hook = this.#onRemove;
    if (hook !== undefined) for (const key of this.#index.keys()) hook(key, 'flushed');
    this.#index.clear();
    this.#keys = [];
    this.#values = [];
    this.#expireAt = new Float64Array(INITIAL_SLOTS);
    this.#heap.clear();
    this.#freeSlots = new Int32Array(INITIAL_SLOTS);
    this.#freeCount = 0;
    this.#bytesUsed = 0;
    this.#policy.clear();
    this.#persistence.clear();
  }

  /**
   * The cursor is a slot index: each call walks slots upwards from it and returns where it
   * stopped (0 once past the last slot). A key keeps its slot for as long as it is resident, so
   * a key present for the whole iteration is returned exactly once; a key inserted meanwhile may
   * land in a slot behind or ahead of the cursor, so it may or may not be returned (as Redis
   * allows). `count` bounds the work: at most `count` live keys are examined (before `match`, as
   * Redis does) and at most 10 x `count` slots, so pages over a sparse slot range may be empty.
   */
  scan(cursor: number, count: number, match?: (key: string) => boolean): ScanPage {
    const keys: string[] = [];
    const end = this.#keys.length;
    let slot = Number.isSafeInteger(cursor) && cursor > 0 ? cursor : 0;
    if (slot >= end) return { cursor: 0, keys };
    const wanted = Math.max(1, Math.floor(count) || 1);
    const stop = Math.min(end, slot + 10 * wanted);
    const now = this.#clock.now();
    let examined = 0;
    for (; slot < stop && examined < wanted; slot++) {
      const key = this.#keys[slot];
      if (key === undefined) continue;
      const expireAt = this.#expireAt[slot] as number;
      if (expireAt !== 0 && expireAt <= now) {
        this.#remove(slot, 'expired', true);
        continue;
      }
      examined++;
      if (match === undefined || match(key)) keys.push(key);
    }
    return { cursor: slot >= end ? 0 : slot, keys };
  }

  expireStep(maxKeys: number): number {
    const heap = this.#heap;
    const now = this.#clock.now();
    let removed = 0;
    while (removed < maxKeys && heap.peekTime() <= now) {
      this.#remove(heap.peekSlot(), 'expired', true);
      removed++;
    }
    return removed;
  }

  stats(): StoreStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictedCapacity: this.#evictedCapacity,
      evictedExpired: this.#evictedExpired,
      items: this.#index.size,
      itemsWithTtl: this.#heap.size,
      bytesUsed: this.#bytesUsed,
      bytesCapacity: this.#maxMemory,
      policy: this.#policy.name,
    };
  }

  durable(): Promise<void> | undefined {
    return this.#persistence.barrier();
  }

  /** False while persistence refuses writes; the command layer then refuses DEL, EXPIRE, FLUSHALL. */
  get writable(): boolean {
    return this.#persistence.writable;
  }

  /** The eviction policy (read-only use: metrics, the ML hybrid's candidate ranking). */
  get policy(): EvictionPolicy {
    return this.#policy;
  }

  /**
   * Loads one entry read back from persistence at start-up, without echoing it back as a `put`.
   * Skips (returns false) entries already expired, too large, or that cannot fit; may evict
   * others to honour the budget, and those evictions do reach `persistence.delete`.
   */
  restore(key: string, value: Buffer, expireAt: number): boolean {
    if (key.length > this.#maxKeySize || value.length > this.#maxValueSize) return false;
    checkTime(expireAt);
    if (expireAt !== 0 && expireAt <= this.#clock.now()) return false;
    return this.#write(this.#find(key), key, value, expireAt, false) === OP_STATUS.OK;
  }

  /**
   * Changes the byte budget at run time (CONFIG SET maxmemory), evicting until the store fits.
   * Returns how many entries were evicted; with a policy that cannot evict, the store stays over
   * budget and only refuses growth.
   */
  setMaxMemory(maxMemory: number): number {
    checkSize('maxMemory', maxMemory, 0);
    this.#maxMemory = maxMemory;
    let evicted = 0;
    while (maxMemory > 0 && this.#bytesUsed > maxMemory) {
      const victim = this.#policy.evict();
      if (victim === NONE) break;
      this.#removeVictim(victim);
      evicted++;
    }
    return evicted;
  }

  /** The live slot of `key`, or -1; removes the entry first if it has expired (lazy expiry). */
  #find(key: string): number {
    const slot = this.#index.get(key);
    if (slot === undefined) return NONE;
    const expireAt = this.#expireAt[slot] as number;
    if (expireAt !== 0 && expireAt <= this.#clock.now()) {
      this.#remove(slot, 'expired', true);
      return NONE;
    }
    return slot;
  }

  /**
   * Stores `value` under `key` (in `slot`, or a new slot when -1), evicting first if needed.
   * OOM changes nothing: either the entry alone exceeds the budget, or the policy had no victim.
   */
  #write(slot: number, key: string, value: Buffer, expireAt: number, echo: boolean): OpStatus {
    const charge = entryCharge(key.length, value.length);
    let target = slot;
    if (this.#maxMemory > 0) {
      target = this.#makeRoom(slot, charge);
      if (target === NO_ROOM) return OP_STATUS.OOM;
    }
    if (target === NONE) {
      this.#insert(key, value, expireAt, charge);
    } else {
      this.#bytesUsed += value.length - (this.#values[target] as Buffer).length;
      this.#values[target] = value;
      if (expireAt !== this.#expireAt[target]) this.#setExpiry(target, expireAt);
      this.#policy.onUpdate(target, charge);
    }
    if (echo) this.#persistence.put(key, value, expireAt);
    return OP_STATUS.OK;
  }

  /**
   * Evicts until an entry of `charge` bytes fits in place of the one in `slot` (-1 for none).
   * Returns the slot to write to: `slot`, or -1 if the policy chose that very entry as a victim
   * (it is then re-inserted, as Redis may evict the key a command is about to write), or NO_ROOM.
   */
  #makeRoom(slot: number, charge: number): number {
    if (charge > this.#maxMemory) return NO_ROOM;
    let target = slot;
    let held = target === NONE ? 0 : this.#chargeOf(target);
    while (this.#bytesUsed - held + charge > this.#maxMemory) {
      const victim = this.#policy.evict();
      if (victim === NONE) return NO_ROOM;
      if (victim === target) {
        target = NONE;
        held = 0;
      }
      this.#removeVictim(victim);
    }
    return target;
  }

  #removeVictim(victim: number): void {
    if (this.#keys[victim] === undefined) {
      throw new Error(`policy ${this.#policy.name} chose slot ${victim}, which holds no entry`);
    }
    this.#remove(victim, 'capacity', false);
  }

  #insert(key: string, value: Buffer, expireAt: number, charge: number): void {
    let slot: number;
    if (this.#freeCount > 0) {
      slot = this.#freeSlots[--this.#freeCount] as number;
      this.#keys[slot] = key;
      this.#values[slot] = value;
    } else {
      slot = this.#keys.length;
      this.#keys.push(key);
      this.#values.push(value);
      if (slot >= this.#expireAt.length) {
        this.#expireAt = growFloat64(this.#expireAt, grownSize(this.#expireAt.length, slot));
      }
    }
    if (expireAt !== 0) this.#setExpiry(slot, expireAt);
    this.#index.set(key, slot);
    this.#bytesUsed += charge;
    this.#policy.onInsert(slot, hashKey(key), charge);
  }

  #setExpiry(slot: number, expireAt: number): void {
    this.#expireAt[slot] = expireAt;
    if (expireAt === 0) this.#heap.delete(slot);
    else this.#heap.set(slot, expireAt);
  }

  #chargeOf(slot: number): number {
    return entryCharge((this.#keys[slot] as string).length, (this.#values[slot] as Buffer).length);
  }

  /** Takes the entry in `slot` out of every structure and reports it; `forgetInPolicy` is false for victims of `evict()`. */
  #remove(slot: number, reason: RemovalReason, forgetInPolicy: boolean): void {
    const key = this.#keys[slot] as string;
    this.#bytesUsed -= this.#chargeOf(slot);
    this.#index.delete(key);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    if (this.#expireAt[slot] !== 0) this.#setExpiry(slot, 0);
    if (this.#freeCount === this.#freeSlots.length) {
      this.#freeSlots = growInt32(this.#freeSlots, this.#freeSlots.length * 2);
    }
    this.#freeSlots[this.#freeCount++] = slot;
    if (forgetInPolicy) this.#policy.onRemove(slot);
    if (reason === 'capacity') this.#evictedCapacity++;
    else if (reason === 'expired') this.#evictedExpired++;
    this.#persistence.delete(key);
    const hook = this.#onRemove;
    if (hook !== undefined) hook(key, reason);
  }
}

function resolvePolicy(
  policy: StoreOptions['policy'],
  capacity: number,
  seed: number,
): EvictionPolicy {
  if (policy === undefined) return createLruPolicy({ capacity, seed });
  if (typeof policy === 'function') return policy({ capacity, seed });
  if (typeof policy === 'string') {
    const factory = findPolicy(policy);
    if (factory === undefined) {
      throw new RangeError(`unknown policy "${policy}"; known: ${policyNames().join(', ')}`);
    }
    return factory({ capacity, seed });
  }
  if (typeof policy.evict !== 'function') throw new TypeError('Store policy is not a policy');
  return policy;
}

function checkSize(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Store ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Expiry times are ms numbers; NaN would corrupt the heap order, so it is a caller bug. */
function checkTime(time: number): number {
  if (Number.isNaN(time)) throw new RangeError('expiry time is NaN');
  return time;
}
