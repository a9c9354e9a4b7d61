import { TopKeys } from '../../cluster/top-keys.ts';
import { REPLIES } from '../../protocol/resp/reply-writer.ts';

export interface NearCacheOptions {
  /** How long a cached GET reply is served, in ms; 0 disables the cache. */
  readonly ttlMs: number;
  /** How many hot keys may be cached at once; 0 disables the cache. */
  readonly maxKeys: number;
  /** Length of a popularity window, in ms: the hot set is recomputed from the last window. @default 1000 */
  readonly windowMs?: number;
  /** Reads a key needs within one window to count as hot (count − error of Space-Saving). @default 3 */
  readonly minReads?: number;
  /** Largest reply cached, in bytes. @default 64 KiB */
  readonly maxValueBytes?: number;
  /** One GET in this many is counted for popularity (a power of two). @default 16 */
  readonly sampleEvery?: number;
}

const MINUS = 0x2d;

interface Entry {
  /**
   * The GET reply in RESP2 (`$n\r\n...\r\n` or `$-1\r\n`: a value is the same bytes in RESP3,
   * only the null differs), or undefined while filling.
   */
  reply: Buffer | undefined;
  /** Monotonic ms after which the reply is not served. */
  expiresAt: number;
  /** Identifies the fill in flight; a write in between changes it, so a late fill is dropped. */
  token: number;
  /** Writes to the key sent and not yet answered: no fill may land meanwhile. */
  writes: number;
  /** Hits in the current window (hits are not counted in TopKeys, which sees misses only). */
  reads: number;
}

/**
 * The gateway's near cache for hot keys. A sample of the GETs (one in `sampleEvery`) is counted
 * in a Space-Saving summary (TopKeys); at the end of each window the top `maxKeys` keys sampled at
 * least `minReads` times (or served from here that often) become the hot set, and the summary
 * starts over. A GET of a hot key that misses here is forwarded and its reply kept for `ttlMs`;
 * later GETs within the TTL are answered without a node round trip.
 *
 * Cost: a hot key is one read in `sampleEvery × minReads` per window and more (48 a second by
 * default), so sampling loses none of them, while a GET of a cold key costs one counter
 * increment, not a key string and a heap update: with no hot key at all (a uniform workload)
 * the cache stays out of the way. Measured in docs/gateway.md.
 *
 * Consistency: every write through this gateway to a key (any command flagged `write`, and the
 * FLUSH commands for all keys) drops the cached reply when it is sent and again when it is
 * answered, and no fill may land while a write is in flight, so a client of this gateway never
 * reads its own or another client's acknowledged write older than the node has it. A write through
 * another gateway, or a key expiring on its node, is seen only when the TTL runs out: the TTL is
 * the staleness bound.
 */
export class NearCache {
  readonly ttlMs: number;
  readonly maxKeys: number;
  /** GETs seen while enabled. */
  gets = 0;
  hits = 0;
  fills = 0;
  invalidations = 0;

  readonly #windowMs: number;
  readonly #minReads: number;
  readonly #maxValueBytes: number;
  readonly #sampleMask: number;
  #sampleCounter = 0;
  readonly #top: TopKeys;
  readonly #entries = new Map<string, Entry>();
  #hot = new Set<string>();
  #windowEndsAt = 0;
  #nextToken = 1;

  constructor(options: NearCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxKeys = options.maxKeys;
    this.#windowMs = options.windowMs ?? 1000;
    this.#minReads = options.minReads ?? 3;
    this.#maxValueBytes = options.maxValueBytes ?? 64 * 1024;
    const sampleEvery = options.sampleEvery ?? 16;
    if (!(sampleEvery >= 1 && (sampleEvery & (sampleEvery - 1)) === 0)) {
      throw new RangeError(`sampleEvery must be a power of two (got ${sampleEvery})`);
    }
    this.#sampleMask = sampleEvery - 1;
    this.#top = new TopKeys(Math.max(64, 8 * Math.max(1, options.maxKeys)));
  }

  /** False when disabled (TTL or key count 0): callers skip the cache entirely. */
  get enabled(): boolean {
    return this.ttlMs > 0 && this.maxKeys > 0;
  }

  /** True when some key is hot or cached: only then must writes look their key up. */
  get tracking(): boolean {
    return this.#hot.size > 0 || this.#entries.size > 0;
  }

  /** Cached keys (filled or filling). */
  get size(): number {
    return this.#entries.size;
  }

  /** The hot keys of the last window. */
  get hotKeys(): number {
    return this.#hot.size;
  }

  /**
   * Called for every GET: counts it, ends the popularity window when due, and says whether this
   * GET is sampled (its key must then go to `noteMiss` with `sampled` true).
   */
  sample(now: number): boolean {
    this.gets++;
    if (now >= this.#windowEndsAt) this.#rollWindow(now);
    return (++this.#sampleCounter & this.#sampleMask) === 0;
  }

  /** The cached GET reply for `key` if fresh (counts a hit), in RESP3 when `resp3`. */
  lookup(key: string, now: number, resp3 = false): Buffer | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.reply !== undefined && now < entry.expiresAt) {
      entry.reads++;
      this.hits++;
      const reply = entry.reply;
      return resp3 && reply[1] === MINUS ? REPLIES.NULL : reply;
    }
    return undefined;
  }

  /**
   * A GET of `key` that the cache could not answer: counted for popularity when `sampled`.
   * Returns a fill token when the key is hot and its reply should be kept (pass it to `fill`),
   * or 0.
   */
  noteMiss(key: string, sampled: boolean): number {
    if (sampled) this.#top.record(key);
    if (!this.#hot.has(key)) return 0;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (this.#entries.size >= this.maxKeys) return 0;
      entry = { reply: undefined, expiresAt: 0, token: 0, writes: 0, reads: 0 };
      this.#entries.set(key, entry);
    }
    if (entry.writes > 0) return 0;
    entry.token = this.#nextToken++;
    return entry.token;
  }

  /**
   * Keeps the reply of the GET started with `token` (a RESP2 bulk reply, see Entry), unless a
   * write came in between.
   */
  fill(key: string, token: number, reply: Buffer, now: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token || entry.writes > 0) return;
    if (reply.length > this.#maxValueBytes) return;
    entry.reply = reply;
    entry.expiresAt = now + this.ttlMs;
    this.fills++;
  }

  /**
   * A write to `key` is being sent. Returns true when the key is tracked: the caller must call
   * `endWrite` when the write is answered.
   */
  beginWrite(key: string): boolean {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      if (!this.#hot.has(key)) return false;
      entry = { reply: undefined, expiresAt: 0, token: 0, writes: 0, reads: 0 };
      this.#entries.set(key, entry);
    }
    if (entry.reply !== undefined) this.invalidations++;
    entry.reply = undefined;
    entry.token = 0;
    entry.writes++;
    return true;
  }

  /** The write announced by `beginWrite` was answered. */
  endWrite(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.writes = Math.max(0, entry.writes - 1);
    entry.reply = undefined;
    entry.token = 0;
  }

  /**
   * A node reports that `key` changed (`--near-cache-invalidation`): its reply is dropped, and a
   * fill in flight is dropped when it lands (the read may have been answered before the change).
   */
  invalidate(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (entry.reply !== undefined) this.invalidations++;
    entry.reply = undefined;
    entry.token = 0;
  }

  /** FLUSHALL / FLUSHDB: nothing cached is valid any more. */
  clear(): void {
    for (const entry of this.#entries.values()) {
      if (entry.reply !== undefined) this.invalidations++;
      entry.reply = undefined;
      entry.token = 0;
    }
  }

  /** Recomputes the hot set from the window that ended and drops what is no longer hot. */
  #rollWindow(now: number): void {
    const hot = new Set<string>();
    // Keys served from here stay hot on their hits; then the most read of the misses.
    for (const [key, entry] of this.#entries) {
      if (entry.reads >= this.#minReads) hot.add(key);
      entry.reads = 0;
    }
    // Above the summary's noise floor too: with many keys read a few times each (a uniform
    // workload), the smallest counter grows to total/capacity and random keys reach minReads.
    const floor = this.#top.total / this.#top.capacity;
    for (const key of this.#top.top(this.maxKeys)) {
      if (hot.size >= this.maxKeys) break;
      const guaranteed = key.count - key.error;
      if (guaranteed >= this.#minReads && guaranteed > floor) hot.add(key.key);
    }
    this.#hot = hot;
    for (const [key, entry] of this.#entries) {
      if (!hot.has(key) && entry.writes === 0) this.#entries.delete(key);
    }
    this.#top.clear();
    this.#windowEndsAt = now + this.#windowMs;
  }
}
