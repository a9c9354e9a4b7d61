import type { EvictionPolicy, PolicyFactory } from '../policy/eviction-policy.ts';
import { createLruPolicy } from '../policy/lru.ts';
import { findPolicy, policyNames } from '../policy/registry.ts';
import type { Random } from '../util/random.ts';
import type { Clock } from '../util/clock.ts';
import { entryCharge } from './entry-size.ts';
import { EntryTable, hashBytes } from './entry-table.ts';
import { ExpiryHeap } from './expiry-heap.ts';
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
  StoreMemory,
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
  /**
   * Share of the budget (0 to 0.5) that `evictAhead` keeps free, so that writes find room
   * without evicting first: eviction, and a learned policy's scoring with it, then runs after
   * the replies are written instead of before. Writes still evict inline whenever the budget
   * itself would be exceeded, so the budget holds either way. 0 (or no `onEvictionDue` to ask
   * for it): writes evict inline only.
   * @default 0
   */
  readonly evictionHeadroom?: number;
  /**
   * Called once when a write leaves less than the headroom free; the caller then calls
   * `evictAhead` outside the request path until it returns false. Needs `evictionHeadroom`.
   */
  readonly onEvictionDue?: () => void;
}

const MIB = 1024 * 1024;
const NONE = -1;
/** `#makeRoom`'s answer when the entry cannot fit. */
const NO_ROOM = -2;
/** Entries evicted per write, beyond what it needs, while the store owes a charge (#chargeDebt). */
const DEBT_VICTIMS_PER_WRITE = 8;
/** Index cells moved and free slots trimmed per key of an `expireStep` budget (see `maintain`). */
const MAINTAIN_PER_KEY = 128;
/** String keys up to this length are encoded into a reused scratch Buffer. */
const MAX_SCRATCH = 64 * 1024;
/** Random slots RANDOMKEY tries before it walks the table from one (a table of free slots). */
const RANDOM_KEY_TRIES = 100;

/** Buffer methods that Node has had for years but that @types/node does not declare. */
interface FastBuffer extends Buffer {
  latin1Write(text: string, offset: number, length: number): number;
  latin1Slice(start: number, end: number): string;
}

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
 * The in-memory keyspace. Entries live in an EntryTable (entry-table.ts): key and value bytes in
 * slab-arena chunks, a 32-byte record per dense slot, and an open-addressing hash index, so that
 * no entry is a JavaScript object of its own. Around it the Store keeps the rules: an indexed
 * expiry heap, a byte budget enforced through the eviction policy (which orders slots), and every
 * change mirrored to the persistence port.
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
 * Values are copied into the arena: the store never keeps the caller's Buffer, but hands it to
 * persistence, so callers still hand over Buffers they do not reuse. Reads through the CacheStore
 * API return copies. The RESP hot path uses the additive byte-level methods `getView` (the value
 * read in place, no allocation) and `setFrom` (key and value taken from the request bytes, no
 * allocation without persistence).
 */
export class Store implements CacheStore {
  readonly #clock: Clock;
  readonly #policy: EvictionPolicy;
  /**
   * The policy's own bytes per entry, charged with each (`EvictionPolicy.entryOverhead`). It may
   * change (a learned policy running as its plain base, and back): `#followPolicyCharge`
   * re-charges every entry before each write.
   */
  #policyOverhead: number;
  /**
   * Bytes the entries may exceed the budget by, after the policy's charge per entry rose or its
   * reserved memory grew (a learned policy's evicted-keys table doubles, or it learns again after
   * running plain): they are evicted DEBT_VICTIMS_PER_WRITE entries per write beyond what the
   * write needs, so that such a rise never evicts a large share of the store within one command.
   */
  #chargeDebt = 0;
  /** What the entries could use at the last write (`#entryBudget`), to notice it shrink. */
  #budgetSeen = Number.POSITIVE_INFINITY;
  /** The policy's memory apart from its entries (`EvictionPolicy.reservedBytes`), or null. */
  readonly #policyReserved: (() => number) | null;
  /**
   * The policy's optional `setExpiry`, bound once (null when the policy ignores expiries), so
   * that writes without a TTL never look it up.
   */
  readonly #policyExpiry: ((slot: number, expiresAtMs: number) => void) | null;
  readonly #persistence: Persistence;
  /**
   * False when no persistence port was given: puts and deletes would go nowhere, so they are
   * skipped, and with them building the key strings and value copies they take.
   */
  readonly #mirror: boolean;
  /** See `observeChanges`. */
  #changed: ((key: string | undefined) => void) | undefined = undefined;
  /** See `observeRemovals`. */
  #removed: ((key: string, reason: RemovalReason) => void) | undefined = undefined;
  /**
   * The coarse clock that stamps each entry's last access, in whole seconds of the monotonic
   * clock: read at the start, then moved by `tick` (a server ticks it once per batch of commands
   * it reads) so that an access costs no clock read.
   */
  #second: number;
  readonly #onRemove: ((key: string, reason: RemovalReason) => void) | undefined;
  readonly #maxValueSize: number;
  readonly #maxKeySize: number;
  #maxMemory: number;

  readonly #table = new EntryTable();
  readonly #heap = new ExpiryHeap();
  /** The table's slot capacity when the heap last fitted its per-slot array to it. */
  #slotCapacity = 0;
  /** Where string keys are written as bytes for a lookup (see #encode). */
  #scratch = Buffer.allocUnsafeSlow(256) as FastBuffer;
  #viewStart = 0;
  #viewEnd = 0;

  #bytesUsed = 0;
  #hits = 0;
  #misses = 0;
  #evictedCapacity = 0;
  #evictedExpired = 0;
  /** Of `#evictedCapacity`, those evicted by `evictAhead`. */
  #evictedAhead = 0;
  readonly #headroomShare: number;
  /** `#headroomShare` of the budget, in bytes. */
  #headroom = 0;
  readonly #onEvictionDue: (() => void) | undefined;
  /** `#onEvictionDue` was called and `evictAhead` has not caught up yet. */
  #evictionDue = false;
  /**
   * While true, reads (`get`, `getView`) count their hit or miss and nothing else: the access
   * time and the policy stay as they were (CLIENT NO-TOUCH; the dispatcher sets it around a
   * no-touch client's command). Writes are accesses still.
   */
  noTouch = false;

  constructor(options: StoreOptions) {
    this.#second = Math.floor(options.clock.monotonic() / 1000);
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
    this.#mirror = options.persistence !== undefined;
    this.#onRemove = options.onRemove;
    const headroom = options.evictionHeadroom ?? 0;
    if (!(headroom >= 0 && headroom <= 0.5)) {
      throw new RangeError(`Store evictionHeadroom must be within [0, 0.5], got ${headroom}`);
    }
    if (options.onEvictionDue !== undefined && typeof options.onEvictionDue !== 'function') {
      throw new TypeError('Store onEvictionDue must be a function');
    }
    this.#headroomShare = options.onEvictionDue === undefined ? 0 : headroom;
    this.#headroom = Math.floor(maxMemory * this.#headroomShare);
    this.#onEvictionDue = options.onEvictionDue;
    this.#policy = resolvePolicy(options.policy, maxMemory, options.seed ?? 1);
    const policy = this.#policy;
    this.#policyOverhead = policy.entryOverhead ?? 0;
    policy.attachResidents?.({
      keyIdOf: (slot) => this.#table.keyHash(slot),
      sizeOf: (slot) => this.#chargeOf(slot),
      holds: (slot) => this.#table.isLive(slot),
      slotLimit: () => this.#table.slotCapacity,
    });
    this.#policyReserved =
      typeof policy.reservedBytes === 'function' ? () => policy.reservedBytes!() : null;
    this.#policyExpiry =
      typeof policy.setExpiry === 'function'
        ? (slot, expiresAtMs) => policy.setExpiry!(slot, expiresAtMs)
        : null;
  }

  /**
   * Tells `listener` of every key that changes from now on (a write, a new expiry, a removal of
   * any kind), and of a flush as `undefined`; `undefined` stops it. WATCH (transaction.ts) sets it
   * only while some key is watched, so that writes build no key string otherwise.
   */
  observeChanges(listener: ((key: string | undefined) => void) | undefined): void {
    this.#changed = listener;
  }

  /**
   * Tells `listener` of every entry removed from now on, with why (keyspace notifications of
   * expired and evicted keys); `undefined` stops it. Set only while notifications want it, so
   * that removals build no key string otherwise.
   */
  observeRemovals(listener: ((key: string, reason: RemovalReason) => void) | undefined): void {
    this.#removed = listener;
  }

  /** Moves the coarse clock of last accesses to `monotonicMs` (a reading of the clock's monotonic()). */
  tick(monotonicMs: number): void {
    this.#second = Math.floor(monotonicMs / 1000);
  }

  /**
   * Whole seconds since the key was last read or written (OBJECT IDLETIME), without counting an
   * access, on the coarse clock moved by `tick`; -1 when the key is absent. Now is read on that
   * clock too, as Redis reads its LRU clock for both: a precise now against a stamp up to a tick
   * old would report a key touched a moment ago as idle for a second.
   */
  idleSeconds(key: string): number {
    const slot = this.#lookup(key);
    if (slot === NONE) return -1;
    return Math.max(0, this.#second - this.#table.accessedAt(slot));
  }

  get(key: string): Buffer | undefined {
    const slot = this.#read(this.#encode(key), 0, key.length);
    return slot === NONE ? undefined : this.#table.valueCopy(slot);
  }

  /**
   * GET on the key `key[start, end)` without allocating: counts a hit or a miss and updates the
   * policy like `get`, and returns the arena page that holds the value, which is
   * `[viewStart, viewEnd)` of it; undefined when absent. The view is valid only until the next
   * call into the store: copy it out at once (the RESP writer does).
   */
  getView(key: Buffer, start: number, end: number): Buffer | undefined {
    const slot = this.#read(key, start, end);
    if (slot === NONE) return undefined;
    const table = this.#table;
    const valueStart = table.valueStart(slot);
    this.#viewStart = valueStart;
    this.#viewEnd = valueStart + table.valueLength(slot);
    return table.page(slot);
  }

  /** Where the value that the last `getView` returned starts in its page. */
  get viewStart(): number {
    return this.#viewStart;
  }

  /** Where that value ends. */
  get viewEnd(): number {
    return this.#viewEnd;
  }

  peek(key: string): Buffer | undefined {
    const slot = this.#lookup(key);
    return slot === NONE ? undefined : this.#table.valueCopy(slot);
  }

  has(key: string): boolean {
    return this.#lookup(key) !== NONE;
  }

  frequencyOf(key: string): number {
    const slot = this.#lookup(key);
    if (slot === NONE) return -2;
    return this.#policy.frequencyOf?.(slot) ?? -1;
  }

  memoryUsage(key: string): number {
    const slot = this.#lookup(key);
    return slot === NONE ? -1 : this.#chargeOf(slot);
  }

  set(key: string, value: Buffer, options?: SetOptions): SetResult {
    const keyLength = key.length;
    if (keyLength > this.#maxKeySize || value.length > this.#maxValueSize) return SET_TOO_LARGE;
    if (!this.#persistence.writable) return SET_PERSISTENCE_FAILED;
    const bytes = this.#encode(key);
    const hash = hashBytes(bytes, 0, keyLength);
    const slot = this.#find(bytes, 0, keyLength, hash);
    const previous = slot === NONE ? undefined : this.#table.valueCopy(slot);
    let expireAt = 0;
    if (options !== undefined) {
      if (slot === NONE ? options.ifPresent === true : options.ifAbsent === true) {
        return previous === undefined
          ? SET_NOT_APPLIED
          : { status: OP_STATUS.NOT_APPLIED, previous };
      }
      if (options.keepTtl === true) {
        if (slot !== NONE) expireAt = this.#table.expireAt(slot);
      } else if (options.expireAt !== undefined && options.expireAt !== 0) {
        expireAt = checkTime(options.expireAt);
        if (expireAt <= this.#clock.now()) {
          // Redis: SET with a time already past succeeds and leaves the key deleted.
          if (slot !== NONE) this.#remove(slot, 'deleted', true);
          return previous === undefined ? SET_OK : { status: OP_STATUS.OK, previous };
        }
      }
    }
    const status = this.#write(slot, bytes, 0, keyLength, hash, value, 0, value.length, expireAt);
    if (status === OP_STATUS.OK) {
      if (this.#mirror) this.#persistence.put(key, value, expireAt);
      this.#changed?.(key);
    }
    if (previous === undefined) return status === OP_STATUS.OK ? SET_OK : SET_OOM;
    return { status, previous };
  }

  /**
   * A plain SET (no options: the TTL is cleared) of the key `key[keyStart, keyEnd)` to the value
   * `value[valueStart, valueEnd)`, both read in place (request bytes) and copied into the store.
   * Allocates nothing unless persistence needs the key and value as objects of their own.
   */
  setFrom(
    key: Buffer,
    keyStart: number,
    keyEnd: number,
    value: Buffer,
    valueStart: number,
    valueEnd: number,
  ): OpStatus {
    if (keyEnd - keyStart > this.#maxKeySize || valueEnd - valueStart > this.#maxValueSize) {
      return OP_STATUS.TOO_LARGE;
    }
    if (!this.#persistence.writable) return OP_STATUS.PERSISTENCE_FAILED;
    const hash = hashBytes(key, keyStart, keyEnd);
    const slot = this.#find(key, keyStart, keyEnd, hash);
    const status = this.#write(slot, key, keyStart, keyEnd, hash, value, valueStart, valueEnd, 0);
    if (status === OP_STATUS.OK && this.#mirror) {
      const copy = Buffer.allocUnsafe(valueEnd - valueStart);
      value.copy(copy, 0, valueStart, valueEnd);
      this.#persistence.put((key as FastBuffer).latin1Slice(keyStart, keyEnd), copy, 0);
    }
    if (status === OP_STATUS.OK && this.#changed !== undefined) {
      this.#changed((key as FastBuffer).latin1Slice(keyStart, keyEnd));
    }
    return status;
  }

  delete(key: string): boolean {
    const slot = this.#lookup(key);
    if (slot === NONE) return false;
    this.#remove(slot, 'deleted', true);
    return true;
  }

  expireAtOf(key: string): number {
    const slot = this.#lookup(key);
    if (slot === NONE) return -2;
    const expireAt = this.#table.expireAt(slot);
    return expireAt === 0 ? -1 : expireAt;
  }

  setExpireAt(key: string, expireAt: number): boolean {
    checkTime(expireAt);
    const slot = this.#lookup(key);
    if (slot === NONE) return false;
    if (expireAt !== 0 && expireAt <= this.#clock.now()) {
      this.#remove(slot, 'deleted', true);
      return true;
    }
    if (expireAt === this.#table.expireAt(slot)) return true;
    this.#setExpiry(slot, expireAt);
    this.#policyExpiry?.(slot, expireAt);
    if (this.#mirror) this.#persistence.put(key, this.#table.valueCopy(slot), expireAt);
    this.#changed?.(key);
    return true;
  }

  /** The result is a number when it is a safe integer, a bigint beyond (up to the int64 range). */
  incrBy(key: string, delta: bigint): NumberResult {
    const keyLength = key.length;
    if (keyLength > this.#maxKeySize) return NUMBER_TOO_LARGE;
    if (delta > INT64_MAX || delta < INT64_MIN) return NUMBER_NOT_INTEGER;
    if (!this.#persistence.writable) return NUMBER_PERSISTENCE_FAILED;
    const bytes = this.#encode(key);
    const hash = hashBytes(bytes, 0, keyLength);
    const slot = this.#find(bytes, 0, keyLength, hash);
    const table = this.#table;
    let current: number | bigint = 0;
    let expireAt = 0;
    if (slot !== NONE) {
      const parsed = parseInt64(
        table.page(slot).subarray(table.valueStart(slot), table.valueEnd(slot)),
      );
      if (parsed === undefined) return NUMBER_NOT_INTEGER;
      current = parsed;
      expireAt = table.expireAt(slot);
    }
    const next = addInt64(current, delta);
    if (next === undefined) return NUMBER_OVERFLOW;
    const value = formatInt64(next);
    if (value.length > this.#maxValueSize) return NUMBER_TOO_LARGE;
    const status = this.#write(slot, bytes, 0, keyLength, hash, value, 0, value.length, expireAt);
    if (status !== OP_STATUS.OK) return NUMBER_OOM;
    if (this.#mirror) this.#persistence.put(key, value, expireAt);
    this.#changed?.(key);
    return { status: OP_STATUS.OK, value: next };
  }

  append(key: string, suffix: Buffer): NumberResult {
    const keyLength = key.length;
    if (keyLength > this.#maxKeySize) return NUMBER_TOO_LARGE;
    if (!this.#persistence.writable) return NUMBER_PERSISTENCE_FAILED;
    const bytes = this.#encode(key);
    const hash = hashBytes(bytes, 0, keyLength);
    const slot = this.#find(bytes, 0, keyLength, hash);
    const table = this.#table;
    const oldLength = slot === NONE ? 0 : table.valueLength(slot);
    const length = oldLength + suffix.length;
    if (length > this.#maxValueSize) return NUMBER_TOO_LARGE;
    let value = suffix;
    if (slot !== NONE) {
      value = Buffer.allocUnsafe(length);
      table.page(slot).copy(value, 0, table.valueStart(slot), table.valueEnd(slot));
      suffix.copy(value, oldLength);
    }
    const expireAt = slot === NONE ? 0 : table.expireAt(slot);
    const status = this.#write(slot, bytes, 0, keyLength, hash, value, 0, length, expireAt);
    if (status !== OP_STATUS.OK) return NUMBER_OOM;
    if (this.#mirror) this.#persistence.put(key, value, expireAt);
    this.#changed?.(key);
    return { status: OP_STATUS.OK, value: length };
  }

  update(key: string, change: (value: Buffer) => boolean): OpStatus {
    if (!this.#persistence.writable) return OP_STATUS.PERSISTENCE_FAILED;
    const slot = this.#lookup(key);
    if (slot === NONE) return OP_STATUS.NOT_FOUND;
    const table = this.#table;
    const start = table.valueStart(slot);
    if (!change(table.page(slot).subarray(start, start + table.valueLength(slot)))) {
      return OP_STATUS.NOT_APPLIED;
    }
    // An overwrite of the same size: no memory to make, the policy and WATCH hear of it.
    this.#policy.onUpdate(slot, this.#chargeOf(slot));
    table.setAccessedAt(slot, this.#second);
    if (this.#mirror) this.#persistence.put(key, table.valueCopy(slot), table.expireAt(slot));
    this.#changed?.(key);
    return OP_STATUS.OK;
  }

  size(): number {
    return this.#table.size;
  }

  clear(): void {
    const table = this.#table;
    const hook = this.#onRemove;
    if (hook !== undefined) {
      for (let slot = 0; slot < table.end; slot++) {
        if (table.isLive(slot)) hook(table.keyString(slot), 'flushed');
      }
    }
    table.clear();
    this.#heap.clear();
    this.#bytesUsed = 0;
    this.#evictionDue = false;
    this.#policy.clear();
    this.#persistence.clear();
    this.#changed?.(undefined);
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
    const table = this.#table;
    const end = table.end;
    let slot = Number.isSafeInteger(cursor) && cursor > 0 ? cursor : 0;
    if (slot >= end) return { cursor: 0, keys };
    const wanted = Math.max(1, Math.floor(count) || 1);
    const stop = Math.min(end, slot + 10 * wanted);
    const now = this.#clock.now();
    let examined = 0;
    for (; slot < stop && examined < wanted; slot++) {
      if (!table.isLive(slot)) continue;
      const expireAt = table.expireAt(slot);
      if (expireAt !== 0 && expireAt <= now) {
        this.#remove(slot, 'expired', true);
        continue;
      }
      examined++;
      const key = table.keyString(slot);
      if (match === undefined || match(key)) keys.push(key);
    }
    return { cursor: slot >= end ? 0 : slot, keys };
  }

  randomKey(random: Random): string | undefined {
    const table = this.#table;
    const now = this.#clock.now();
    // Slots sampled at random (most are live: the table trims free slots off its top), then, for
    // a sparse table, a walk from a random slot, so that a key is found whenever there is one.
    for (let tries = 0; tries < RANDOM_KEY_TRIES && table.end > 0; tries++) {
      const key = this.#liveKeyAt(random.int(table.end), now);
      if (key !== undefined) return key;
    }
    const end = table.end;
    const start = end > 0 ? random.int(end) : 0;
    for (let i = 0; i < end; i++) {
      const key = this.#liveKeyAt((start + i) % end, now);
      if (key !== undefined) return key;
    }
    return undefined;
  }

  /** The key in `slot` when it is live and not expired (an expired one is removed). */
  #liveKeyAt(slot: number, now: number): string | undefined {
    const table = this.#table;
    if (!table.isLive(slot)) return undefined;
    const expireAt = table.expireAt(slot);
    if (expireAt !== 0 && expireAt <= now) {
      this.#remove(slot, 'expired', true);
      return undefined;
    }
    return table.keyString(slot);
  }

  /**
   * Also advances the table's background upkeep (an index rehash, trimming free slots off the
   * top of the slot range) by a bounded step, as Redis's cron rehashes idle dicts.
   */
  expireStep(maxKeys: number): number {
    const heap = this.#heap;
    const now = this.#clock.now();
    let removed = 0;
    while (removed < maxKeys && heap.peekTime() <= now) {
      this.#remove(heap.peekSlot(), 'expired', true);
      removed++;
    }
    this.#table.maintain(maxKeys * MAINTAIN_PER_KEY);
    if (this.#table.slotCapacity !== this.#slotCapacity) this.#fitHeap();
    return removed;
  }

  /**
   * Memory the store's own structures hold, for diagnostics: arena pages, hash index, slot
   * records, free-slot set and expiry heap (the policy's per-slot arrays are not counted).
   * Unlike `bytesUsed` (the budget's charges), these are the real allocations, which shrink
   * after mass deletes as the index rehashes smaller and the slot range's top empties.
   */
  memory(): StoreMemory {
    const table = this.#table;
    return {
      reservedBytes: table.reservedBytes + this.#heap.bytes,
      arenaBytes: table.arenaBytes,
      indexCells: table.indexCapacity,
      rehashing: table.rehashing,
      slotCapacity: table.slotCapacity,
      slotEnd: table.end,
    };
  }

  stats(): StoreStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictedCapacity: this.#evictedCapacity,
      evictedAhead: this.#evictedAhead,
      evictedExpired: this.#evictedExpired,
      items: this.#table.size,
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

  /** Bytes held in arena pages, chunk rounding and free chunks included (diagnostics). */
  get arenaBytes(): number {
    return this.#table.arenaBytes;
  }

  /**
   * Loads one entry read back from persistence at start-up, without echoing it back as a `put`.
   * Skips (returns false) entries already expired, too large, or that cannot fit; may evict
   * others to honour the budget, and those evictions do reach `persistence.delete`.
   */
  restore(key: string, value: Buffer, expireAt: number): boolean {
    const keyLength = key.length;
    if (keyLength > this.#maxKeySize || value.length > this.#maxValueSize) return false;
    checkTime(expireAt);
    if (expireAt !== 0 && expireAt <= this.#clock.now()) return false;
    const bytes = this.#encode(key);
    const hash = hashBytes(bytes, 0, keyLength);
    const slot = this.#find(bytes, 0, keyLength, hash);
    const status = this.#write(slot, bytes, 0, keyLength, hash, value, 0, value.length, expireAt);
    if (status === OP_STATUS.OK) this.#changed?.(key);
    return status === OP_STATUS.OK;
  }

  /**
   * Changes the byte budget at run time (CONFIG SET maxmemory), evicting until the store fits.
   * Returns how many entries were evicted; with a policy that cannot evict, the store stays over
   * budget and only refuses growth.
   */
  setMaxMemory(maxMemory: number): number {
    checkSize('maxMemory', maxMemory, 0);
    this.#maxMemory = maxMemory;
    this.#headroom = Math.floor(maxMemory * this.#headroomShare);
    this.#evictionDue = false;
    this.#policy.resize?.(maxMemory);
    this.#followPolicyCharge();
    let evicted = 0;
    while (maxMemory > 0 && this.#bytesUsed > this.#entryBudget()) {
      const victim = this.#policy.evict();
      if (victim === NONE) break;
      this.#removeVictim(victim);
      evicted++;
    }
    // Evicted down to the new budget: nothing is owed any more (a policy that cannot evict
    // leaves the store over it, refusing growth, as before).
    this.#chargeDebt = 0;
    this.#budgetSeen = this.#entryBudget();
    this.#checkHeadroom();
    return evicted;
  }

  /**
   * Evicts at most `maxVictims` entries while the entries use more than the budget less the
   * headroom (`evictionHeadroom`). Returns true while more remain to evict: call again soon,
   * after the requests that have arrived since (one call is a bounded pause). False once the
   * headroom is free, or when the policy has no victim (`noeviction`): then no further
   * `onEvictionDue` comes until the budget changes or the store is flushed.
   */
  evictAhead(maxVictims: number): boolean {
    if (this.#maxMemory === 0 || this.#headroom === 0) {
      this.#evictionDue = false;
      return false;
    }
    const floor = this.#entryBudget() - this.#headroom;
    try {
      for (let n = 0; n < maxVictims && this.#bytesUsed > floor; n++) {
        const victim = this.#policy.evict();
        if (victim === NONE) return false;
        this.#removeVictim(victim);
        this.#evictedAhead++;
      }
    } catch (error) {
      // A policy bug: the caller's run ends here, so the next write into the headroom asks again.
      this.#evictionDue = false;
      throw error;
    }
    if (this.#bytesUsed > floor) return true;
    this.#evictionDue = false;
    return false;
  }

  /**
   * The bytes of a string key, for the table, which works on bytes: written into a reused
   * scratch Buffer, except when an onRemove hook is set (the hook may call back into the store
   * while the caller still needs its key bytes) or the key is long.
   */
  #encode(key: string): Buffer {
    const length = key.length;
    if (this.#onRemove !== undefined || length > MAX_SCRATCH) return Buffer.from(key, 'latin1');
    let scratch = this.#scratch;
    if (length > scratch.length) {
      scratch = Buffer.allocUnsafeSlow(Math.min(MAX_SCRATCH, 2 * length)) as FastBuffer;
      this.#scratch = scratch;
    }
    scratch.latin1Write(key, 0, length);
    return scratch;
  }

  /** The live slot of a string key, or -1, without counting (lazy expiry applies). */
  #lookup(key: string): number {
    const bytes = this.#encode(key);
    return this.#find(bytes, 0, key.length, hashBytes(bytes, 0, key.length));
  }

  /**
   * A counted read: the live slot or -1, a hit or a miss, and the policy told unless `noTouch`
   * (then the access time stays too).
   */
  #read(key: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(key, start, end);
    const slot = this.#find(key, start, end, hash);
    if (slot === NONE) {
      this.#misses++;
      if (!this.noTouch) this.#policy.onMiss(hash);
      return NONE;
    }
    this.#hits++;
    if (this.noTouch) return slot;
    this.#table.setAccessedAt(slot, this.#second);
    this.#policy.onAccess(slot);
    return slot;
  }

  /** The live slot of `key[start, end)`, or -1; removes the entry first if it has expired (lazy expiry). */
  #find(key: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.#table;
    const slot = table.find(key, start, end, hash);
    if (slot === NONE) return NONE;
    const expireAt = table.expireAt(slot);
    if (expireAt !== 0 && expireAt <= this.#clock.now()) {
      this.#remove(slot, 'expired', true);
      return NONE;
    }
    return slot;
  }

  /**
   * Stores `value[valueStart, valueEnd)` under `key[keyStart, keyEnd)` (in `slot`, or a new slot
   * when -1), evicting first if needed. OOM changes nothing: either the entry alone exceeds the
   * budget, or the policy had no victim. The caller mirrors the change to persistence.
   */
  #write(
    slot: number,
    key: Uint8Array,
    keyStart: number,
    keyEnd: number,
    hash: number,
    value: Uint8Array,
    valueStart: number,
    valueEnd: number,
    expireAt: number,
  ): OpStatus {
    const valueLength = valueEnd - valueStart;
    this.#followPolicyCharge();
    const charge = entryCharge(keyEnd - keyStart, valueLength) + this.#policyOverhead;
    let target = slot;
    if (this.#maxMemory > 0) {
      target = this.#makeRoom(slot, charge);
      if (target === NO_ROOM) return OP_STATUS.OOM;
    }
    const table = this.#table;
    if (target === NONE) {
      target = table.insert(key, keyStart, keyEnd, hash, value, valueStart, valueEnd);
      if (expireAt !== 0) this.#setExpiry(target, expireAt);
      this.#bytesUsed += charge;
      this.#policy.onInsert(target, hash, charge);
      if (expireAt !== 0) this.#policyExpiry?.(target, expireAt);
    } else {
      this.#bytesUsed += valueLength - table.valueLength(target);
      table.replaceValue(target, value, valueStart, valueEnd);
      // A SET without KEEPTTL clears the TTL: the policy hears of that change too (0 = none).
      const changed = expireAt !== table.expireAt(target);
      if (changed) this.#setExpiry(target, expireAt);
      this.#policy.onUpdate(target, charge);
      if (expireAt !== 0 || changed) this.#policyExpiry?.(target, expireAt);
    }
    table.setAccessedAt(target, this.#second);
    if (this.#headroom > 0) this.#checkHeadroom();
    return OP_STATUS.OK;
  }

  /** Asks for `evictAhead` (once until it catches up) when less than the headroom is free. */
  #checkHeadroom(): void {
    if (
      this.#evictionDue ||
      this.#headroom === 0 ||
      this.#bytesUsed <= this.#entryBudget() - this.#headroom
    ) {
      return;
    }
    this.#evictionDue = true;
    this.#onEvictionDue!();
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
    for (let extra = this.#chargeDebt > 0 ? DEBT_VICTIMS_PER_WRITE : 0; ; extra--) {
      const budget = this.#entryBudget();
      if (budget < this.#budgetSeen) {
        // The policy reserves more (even within this loop, as one of its evictions may do so):
        // owed, as a rise of its charge is.
        this.#chargeDebt = Math.max(this.#chargeDebt, this.#bytesUsed - budget);
      }
      this.#budgetSeen = budget;
      const over = this.#bytesUsed - held + charge - budget;
      if (over <= (extra > 0 ? 0 : this.#chargeDebt)) break;
      const victim = this.#policy.evict();
      if (victim === NONE) return NO_ROOM;
      if (victim === target) {
        target = NONE;
        held = 0;
      }
      this.#removeVictim(victim);
    }
    if (this.#chargeDebt > 0) {
      this.#chargeDebt = Math.max(0, this.#bytesUsed - this.#entryBudget());
    }
    return target;
  }

  /**
   * If the policy charges another amount per entry now, every entry is re-charged. A rise is
   * owed (`#chargeDebt`), not evicted at once.
   */
  #followPolicyCharge(): void {
    const overhead = this.#policy.entryOverhead ?? 0;
    if (overhead === this.#policyOverhead) return;
    this.#bytesUsed += this.#table.size * (overhead - this.#policyOverhead);
    this.#policyOverhead = overhead;
    this.#chargeDebt = Math.max(0, this.#bytesUsed - this.#entryBudget());
  }

  /** What the entries may use: the budget less the policy's memory apart from them. */
  #entryBudget(): number {
    return this.#policyReserved === null
      ? this.#maxMemory
      : this.#maxMemory - this.#policyReserved();
  }

  #removeVictim(victim: number): void {
    if (!this.#table.isLive(victim)) {
      throw new Error(`policy ${this.#policy.name} chose slot ${victim}, which holds no entry`);
    }
    this.#remove(victim, 'capacity', false);
  }

  #setExpiry(slot: number, expireAt: number): void {
    this.#table.setExpireAt(slot, expireAt);
    if (expireAt === 0) this.#heap.delete(slot);
    else this.#heap.set(slot, expireAt);
  }

  /** Gives the heap's positions of slots beyond the table's records back. */
  #fitHeap(): void {
    this.#slotCapacity = this.#table.slotCapacity;
    this.#heap.fitSlots(this.#slotCapacity);
  }

  #chargeOf(slot: number): number {
    return (
      entryCharge(this.#table.keyLength(slot), this.#table.valueLength(slot)) + this.#policyOverhead
    );
  }

  /** Takes the entry in `slot` out of every structure and reports it; `forgetInPolicy` is false for victims of `evict()`. */
  #remove(slot: number, reason: RemovalReason, forgetInPolicy: boolean): void {
    const table = this.#table;
    const hook = this.#onRemove;
    const changed = this.#changed;
    const removed = this.#removed;
    const key =
      this.#mirror || hook !== undefined || changed !== undefined || removed !== undefined
        ? table.keyString(slot)
        : '';
    this.#bytesUsed -= this.#chargeOf(slot);
    if (table.expireAt(slot) !== 0) this.#heap.delete(slot);
    table.remove(slot);
    if (table.slotCapacity !== this.#slotCapacity) this.#fitHeap();
    if (forgetInPolicy) this.#policy.onRemove(slot);
    if (reason === 'capacity') this.#evictedCapacity++;
    else if (reason === 'expired') this.#evictedExpired++;
    if (this.#mirror) this.#persistence.delete(key);
    if (hook !== undefined) hook(key, reason);
    changed?.(key);
    removed?.(key, reason);
  }
}

function resolvePolicy(
  policy: StoreOptions['policy'],
  capacity: number,
  seed: number,
): EvictionPolicy {
  if (policy === undefined) return createLruPolicy({ capacity, seed });
  // The budget is memory, which what a policy reserves counts against (#entryBudget).
  if (typeof policy === 'function') return policy({ capacity, seed, memoryBudget: true });
  if (typeof policy === 'string') {
    const factory = findPolicy(policy);
    if (factory === undefined) {
      throw new RangeError(`unknown policy "${policy}"; known: ${policyNames().join(', ')}`);
    }
    return factory({ capacity, seed, memoryBudget: true });
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
