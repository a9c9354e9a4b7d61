import type { Random } from '../util/random.ts';
import type { OpStatus } from './status.ts';

/**
 * The contract of the in-memory store, shared by the RESP commands, the gRPC service, the admin
 * API and (later) the cluster's migration code.
 *
 * Keys are JavaScript strings holding the key's bytes one per character (Buffer's `latin1`
 * encoding, which is lossless for arbitrary bytes); values are Buffers that the store owns (the
 * caller must not reuse the memory after handing it over; copy out of socket buffers first).
 *
 * Times are wall-clock milliseconds since the epoch from the injected Clock; an `expireAt` of 0
 * means "no expiry". An expired key is never returned by any method.
 */
export interface SetOptions {
  /** Absolute expiry in ms since the epoch; 0 for none. Ignored when `keepTtl` is set. */
  readonly expireAt?: number;
  /** Keep the existing TTL (SET ... KEEPTTL). */
  readonly keepTtl?: boolean;
  /** Only set if the key does not exist (NX). */
  readonly ifAbsent?: boolean;
  /** Only set if the key exists (XX). */
  readonly ifPresent?: boolean;
}

/** Result of `set`. `previous` is the old value when the key existed (for SET ... GET). */
export interface SetResult {
  readonly status: OpStatus;
  readonly previous: Buffer | undefined;
}

/** Result of an INCR-family or APPEND operation. */
export type NumberResult =
  | { readonly status: 'OK'; readonly value: bigint | number }
  | { readonly status: Exclude<OpStatus, 'OK'> };

/** Why an entry left the store, for metrics and persistence. */
export type RemovalReason = 'deleted' | 'expired' | 'capacity' | 'flushed';

/** Counters the store keeps as plain numbers; metrics read them at scrape time. */
export interface StoreStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictedCapacity: number;
  /** Of `evictedCapacity`, those evicted ahead of need, off the request path (`evictAhead`). */
  readonly evictedAhead: number;
  readonly evictedExpired: number;
  readonly items: number;
  readonly itemsWithTtl: number;
  /** Bytes charged against the budget: keys + values + per-entry overhead. */
  readonly bytesUsed: number;
  /** The budget in bytes; 0 means unlimited. */
  readonly bytesCapacity: number;
  readonly policy: string;
}

/** One page of a SCAN. `cursor` 0 means the iteration is complete. */
export interface ScanPage {
  readonly cursor: number;
  readonly keys: string[];
}

/** The store's operations. All are synchronous and O(1) unless noted. */
export interface CacheStore {
  /** Reads a value; counts a hit or a miss and updates the policy. */
  get(key: string): Buffer | undefined;
  /** Reads a value without counting it or touching the policy (TYPE, STRLEN of absent keys, ...). */
  peek(key: string): Buffer | undefined;
  /** True if the key is resident and not expired; does not count a hit. */
  has(key: string): boolean;
  /**
   * The access count the eviction policy's LFU order holds for the key (OBJECT FREQ), without
   * counting an access: -2 when the key is absent, -1 when the policy keeps no such count.
   */
  frequencyOf(key: string): number;
  /**
   * The bytes the memory budget is charged for the key (MEMORY USAGE): its key and value, the
   * store's overhead per entry and the policy's state per entry; -1 when the key is absent.
   */
  memoryUsage(key: string): number;
  /**
   * Whole seconds since the key was last read or written (OBJECT IDLETIME), without counting an
   * access; -1 when the key is absent.
   */
  idleSeconds(key: string): number;
  /**
   * Tells `listener` of every key that changes from now on (a write, a new expiry, a removal of
   * any kind), and of a flush as `undefined`; `undefined` stops it (WATCH, transaction.ts).
   */
  observeChanges(listener: ((key: string | undefined) => void) | undefined): void;
  set(key: string, value: Buffer, options?: SetOptions): SetResult;
  /** Removes a key; true if it existed. */
  delete(key: string): boolean;
  /** Expiry of a key: -2 if absent, -1 if it has none, else the absolute ms time. */
  expireAtOf(key: string): number;
  /** Sets (ms time) or clears (0) the expiry of an existing key; false if the key is absent. A time in the past deletes the key. */
  setExpireAt(key: string, expireAt: number): boolean;
  /** Adds `delta` to the integer stored at key (absent counts as 0), keeping its TTL. */
  incrBy(key: string, delta: bigint): NumberResult;
  /** Appends bytes; returns the new length. */
  append(key: string, suffix: Buffer): NumberResult;
  /**
   * Changes the value of an existing key in place, its length kept (SETBIT, BITFIELD, PFADD on a
   * value that does not grow): `change` gets the stored bytes (valid only during the call) and
   * answers whether it changed any. A change is a write like SET's, TTL kept. NOT_FOUND for an
   * absent key, NOT_APPLIED when nothing changed.
   */
  update(key: string, change: (value: Buffer) => boolean): OpStatus;
  /** Number of resident keys (expired keys not yet collected may be counted, as in Redis). */
  size(): number;
  /** Removes everything. */
  clear(): void;
  /** Walks the keyspace in pages; stable across concurrent writes in the Redis SCAN sense (every key present for the whole walk is returned at least once). O(count). */
  scan(cursor: number, count: number, match?: (key: string) => boolean): ScanPage;
  /**
   * RANDOMKEY: a resident key chosen with `random` (expired ones met on the way are removed), or
   * undefined when there is none. Not an access: the policy does not see it.
   */
  randomKey(random: Random): string | undefined;
  /** Runs one bounded step of active expiry; returns how many keys it removed. */
  expireStep(maxKeys: number): number;
  stats(): StoreStats;
  /** What the store's own structures hold (INFO memory's `mlcache_store_*` fields). */
  memory(): StoreMemory;
  /**
   * A promise that settles when every write made so far is durable, or undefined when the
   * durability mode does not make writers wait (none, async). Write commands await it before
   * acknowledging.
   */
  durable(): Promise<void> | undefined;
}

/** What `CacheStore.memory()` reports: the bytes behind the charges of `stats().bytesUsed`. */
export interface StoreMemory {
  /** Bytes held by the store's structures (arena, index, slot records, free set, expiry heap). */
  readonly reservedBytes: number;
  /** Bytes held in arena pages (chunk rounding and free chunks included). */
  readonly arenaBytes: number;
  /** Cells of the hash index (the new index while a rehash is in progress). */
  readonly indexCells: number;
  /** True while the index is moving into a new size. */
  readonly rehashing: boolean;
  /** Slots the slot records array holds. */
  readonly slotCapacity: number;
  /** One past the highest slot in use. */
  readonly slotEnd: number;
}

/** The memory of a store that holds nothing (stand-ins for the store in front ends and benches). */
export const NO_STORE_MEMORY: StoreMemory = {
  reservedBytes: 0,
  arenaBytes: 0,
  indexCells: 0,
  rehashing: false,
  slotCapacity: 0,
  slotEnd: 0,
};
