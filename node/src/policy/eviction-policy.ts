/**
 * The contract between a cache and its eviction policy.
 *
 * A policy orders the resident entries of one cache; it never stores keys or values and never
 * does I/O. The cache (the node's Store, or the simulator's cache) owns the entries and refers
 * to each resident one by a small integer *slot* that it allocates densely and reuses after the
 * entry leaves, so that policies can keep their state in typed arrays indexed by slot.
 *
 * Besides the slot, the cache passes a numeric *key id*: a stable identity of the key that
 * outlives the entry. The simulator passes the trace's object id, the node a 53-bit hash of the
 * key bytes. Policies with ghost lists or frequency sketches (ARC, S3-FIFO, W-TinyLFU) remember
 * key ids of entries that already left.
 *
 * Sizes are in the cache's unit: bytes for a byte budget, 1 per entry for an object budget.
 * The cache alone enforces the budget: while an insert does not fit, it asks the policy for a
 * victim with `evict()`, removes that entry, and repeats.
 *
 * Every method must be O(1) or O(log n) amortised; `candidates` is O(max).
 */
export interface EvictionPolicy {
  /** The policy's name as given to `--policy` (for example `lru`). */
  readonly name: string;

  /**
   * Optional: bytes of the policy's own state per resident entry beyond what the store's
   * ENTRY_OVERHEAD already counts (that covers LRU's and LFU's few bytes). A store with a byte
   * budget charges them with every entry, so that a policy that keeps more per entry holds
   * fewer entries in the same memory: comparisons at one `--maxmemory` are at one memory.
   * Absent: 0. Caches with an object budget (the simulator) ignore it.
   */
  readonly entryOverhead?: number;

  /**
   * Optional: bytes of the budget the policy's state holds apart from its entries (the learned
   * policies' table of evicted keys). A store with a byte budget keeps its entries within the
   * budget minus this, and asks again before every eviction, so a table that grows is paid for
   * with entries. Caches with an object budget ignore it.
   */
  reservedBytes?(): number;

  /**
   * Optional: the cache gives the policy a read-only view of its residents, once, before the
   * first insert. A policy that drops its own per-entry state for a while (a learned policy
   * running as its plain base) rebuilds it from the view instead of keeping copies.
   */
  attachResidents?(view: ResidentView): void;

  /** A key was looked up and is not resident (lets sketches and ghosts count misses). */
  onMiss(keyId: number): void;

  /** A new entry became resident in `slot`. */
  onInsert(slot: number, keyId: number, size: number): void;

  /** A resident entry was read (a hit). */
  onAccess(slot: number): void;

  /** A resident entry was overwritten; its size may have changed. Counts as an access. */
  onUpdate(slot: number, size: number): void;

  /**
   * A resident entry left for a reason other than `evict()` (DEL, expiry, FLUSHALL, or a victim
   * that the cache chose itself from `candidates`). The policy forgets the slot.
   */
  onRemove(slot: number): void;

  /**
   * Chooses the next victim by the policy's own rule, forgets it, and returns its slot; -1 when
   * nothing is resident. The cache then removes that entry without calling `onRemove`.
   */
  evict(): number;

  /**
   * Writes up to `max` eviction candidates into `out`, the policy's preferred victim first,
   * without removing them, and returns how many it wrote. The ML hybrids rank these with a model
   * and remove their choice with `onRemove`.
   */
  candidates(out: Int32Array | number[], max: number): number;

  /**
   * Optional: the access count an LFU order holds for the resident in `slot` (OBJECT FREQ), or -1
   * when the policy keeps none. LFU and ML+LFU implement it; Redis answers OBJECT FREQ only under
   * an LFU policy too.
   */
  frequencyOf?(slot: number): number;

  /**
   * Optional: the entry in `slot` now expires at `expiresAtMs` (ms since the Unix epoch on the
   * cache's clock), or never when 0. The cache calls it after `onInsert`/`onUpdate` whenever the
   * entry has an expiry, and whenever EXPIRE/PERSIST/SET change it. Policies that learn from TTLs
   * (the ML hybrids) implement it; the others ignore expiries.
   */
  setExpiry?(slot: number, expiresAtMs: number): void;

  /**
   * Optional: the cache's capacity is now `capacity` (CONFIG SET maxmemory; 0 is no limit). The
   * cache calls it before evicting down to a smaller budget. Policies whose structure is sized
   * from the capacity implement it (S3-FIFO's queues, W-TinyLFU's window and protected segment,
   * ARC's target, the ML hybrids' usage feature and shadow); LRU, LFU, FIFO and SIEVE need not.
   */
  resize?(capacity: number): void;

  /** Forgets every resident entry (FLUSHALL); long-term memory such as sketches may stay. */
  clear(): void;
}

/** What a cache lets its policy read of a resident entry (`EvictionPolicy.attachResidents`). */
export interface ResidentView {
  /** The entry's key id, as `onInsert` gave it. */
  keyIdOf(slot: number): number;
  /** The entry's size as the cache charges it now, in its unit (`onInsert`'s `size`). */
  sizeOf(slot: number): number;
  /** Whether `slot` holds a resident entry now. */
  holds(slot: number): boolean;
  /** Every resident slot is below this. */
  slotLimit(): number;
}

/** What every policy factory receives. */
export interface PolicyOptions {
  /**
   * The cache's capacity in its size unit (bytes, or entries for an object budget). A node
   * started without a byte budget passes 0: the policy is never asked to evict until `resize`
   * gives it one.
   */
  readonly capacity: number;
  /** Seed for any randomness in the policy. @default 1 */
  readonly seed?: number;
  /**
   * True when `capacity` is a memory budget that the policy's `reservedBytes` count against (a
   * node's store; the simulator's charged mode): a policy then keeps what it reserves to a share
   * of it. @default false
   */
  readonly memoryBudget?: boolean;
}

/** Builds a policy for a cache of the given capacity. */
export type PolicyFactory = (options: PolicyOptions) => EvictionPolicy;
