/**
 * Where the learned policy's eviction candidates come from (research note §0.3, §4.5). A scorer
 * that only ranks the base policy's tail gains almost nothing, so every batch mixes three
 * sources, deduplicated, all of them resident:
 *
 * 1. the base policy's own preferred victims (`candidates()`: the LRU tail, or LFU's lowest
 *    buckets), listed first, so that an empty model behaves like the base;
 * 2. recently inserted entries that have not been hit since (quick demotion of one-hit wonders,
 *    as S3-FIFO's small queue and 3L-Cache's bidirectional sampling do): the newest ones in
 *    order (`newest`, W-TinyLFU's admission test), the one inserted `exitAge` insertions ago
 *    (`exitAge`, where S3-FIFO's small queue would judge it), and others at random from the
 *    newest `recentWindow` (`recent`);
 * 3. uniformly random residents (LRB).
 *
 * It keeps its own index of resident slots (a dense array with back-pointers, so a random
 * resident is O(1)) and a ring of recent insertions stamped with the slot's insert epoch, so an
 * entry that left or was reused is recognised as stale without searching.
 */
import type { EvictionPolicy } from './eviction-policy.ts';
import type { Random } from '../util/random.ts';
import { GrowableBuffer } from './growable-buffer.ts';

/** How many candidates to take from each source. */
export interface CandidateShares {
  readonly tail: number;
  readonly recent: number;
  readonly random: number;
  /** Taken first among the recent ones: the newest insertions not hit since, newest first. */
  readonly newest?: number;
  /** With a value above 0: the insertion made this many insertions ago, if not hit since. */
  readonly exitAge?: number;
  /** Insertions (the newest ones) that `recent` samples from. */
  readonly recentWindow: number;
  /** Entries of the base's eviction end walked to find `tail` candidates that are not skipped. */
  readonly tailScan: number;
  /** The `random` ones from a hand sweeping the slot numbers instead of at random (`#sweep`). */
  readonly sweep?: boolean;
}

/** The most insertions the ring remembers: 2^24 (128 MiB of slots and epochs). */
export const MAX_RING = 1 << 24;

export class CandidateSampler {
  readonly #random: Random;
  /** Resident slots, densely packed. */
  #residentBytes = new GrowableBuffer(1024 * 4);
  #residents = new Int32Array(this.#residentBytes.buffer);
  #count = 0;
  /**
   * Per slot, side by side in one buffer (a request for a random slot touches one cache line, not
   * two): its index in `#residents` plus one (0 when not resident, so that new slots, zeroed, need
   * no fill) at `#position[2 * slot]`, and its state at `#state[2 * slot + 1]`: the insert epoch
   * times 2, plus 1 once hit (or overwritten) after its insert. The epoch is bumped on every insert
   * (and removal), so ring entries of an earlier tenancy are stale. A ring entry stores the state
   * its insert left (hit bit clear), so one compare tells both "same tenancy" and "not hit since".
   */
  #position: Int32Array;
  /** The bytes behind `#position` and `#state`, grown without a pause once large. */
  #slotBytes = new GrowableBuffer(1024 * 8);
  #state: Uint32Array;
  /** Slots that fit in `#position` / `#state`. */
  #slots = 0;
  /**
   * The newest insertions, written at `#inserted % ring size`: the slot at `#ring[2 * i]` and its
   * epoch beside it at `#ring[2 * i + 1]`, so that reading an entry touches one cache line (a
   * recent candidate is a random entry of a large window: as two arrays, two cold lines).
   */
  #ring: Uint32Array;
  #ringMask: number;
  #inserted = 0;
  #tail = new Int32Array(64);
  /** The sweep's next slot, and one past the highest slot ever inserted. */
  #hand = 0;
  #highSlot = 0;

  constructor(random: Random, ringSize = 1 << 16) {
    let n = 16;
    while (n < ringSize) n *= 2;
    this.#random = random;
    this.#ring = new Uint32Array(2 * n);
    this.#ringMask = n - 1;
    this.#position = new Int32Array(this.#slotBytes.buffer);
    this.#state = new Uint32Array(this.#slotBytes.buffer);
    this.#slots = this.#position.length / 2;
  }

  /**
   * Makes the ring of insertions hold at least the newest `insertions` (up to MAX_RING), so that
   * the recent window and the small FIFO's exit, sized from the resident count, stay within it
   * in a cache that outgrew the first size. The insertions already held keep their places
   * relative to the newest; older ones were never kept, so their places read as stale.
   */
  reserveInsertions(insertions: number): void {
    let n = this.#ringMask + 1;
    if (insertions <= n || n >= MAX_RING) return;
    while (n < insertions && n < MAX_RING) n *= 2;
    const ring = new Uint32Array(2 * n);
    const from = Math.max(0, this.#inserted - (this.#ringMask + 1));
    for (let i = from; i < this.#inserted; i++) {
      const to = 2 * (i & (n - 1));
      const at = 2 * (i & this.#ringMask);
      ring[to] = this.#ring[at]!;
      ring[to + 1] = this.#ring[at + 1]!;
    }
    this.#ring = ring;
    this.#ringMask = n - 1;
  }

  get residentCount(): number {
    return this.#count;
  }

  /** Whether `slot` is resident as far as the sampler knows. */
  isResident(slot: number): boolean {
    return slot < this.#slots && this.#position[2 * slot]! > 0;
  }

  onInsert(slot: number): void {
    if (slot >= this.#slots) this.#grow(slot);
    if (slot >= this.#highSlot) this.#highSlot = slot + 1;
    if (this.#position[2 * slot] === 0) {
      if (this.#count === this.#residents.length) {
        this.#residentBytes.ensure((this.#count + 1) * 4);
        this.#residents = new Int32Array(this.#residentBytes.buffer);
      }
      this.#residents[this.#count++] = slot;
      this.#position[2 * slot] = this.#count;
    }
    const epoch = nextEpoch(this.#state[2 * slot + 1]!);
    this.#state[2 * slot + 1] = epoch;
    const at = 2 * (this.#inserted++ & this.#ringMask);
    this.#ring[at] = slot;
    this.#ring[at + 1] = epoch;
  }

  onHit(slot: number): void {
    if (slot < this.#slots) this.#state[2 * slot + 1] = this.#state[2 * slot + 1]! | 1;
  }

  onRemove(slot: number): void {
    if (slot >= this.#slots) return;
    const at = this.#position[2 * slot]! - 1;
    if (at < 0) return;
    const last = this.#residents[--this.#count]!;
    this.#residents[at] = last;
    this.#position[2 * last] = at + 1;
    this.#position[2 * slot] = 0;
    // A later insert bumps the epoch anyway; bumping now also retires the ring entry at once.
    this.#state[2 * slot + 1] = nextEpoch(this.#state[2 * slot + 1]!);
  }

  clear(): void {
    for (let i = 0; i < this.#count; i++) this.#position[2 * this.#residents[i]!] = 0;
    this.#count = 0;
    this.#inserted = 0;
    // Every later resident is inserted again, which raises the mark as far as it needs.
    this.#highSlot = 0;
    this.#hand = 0;
  }

  /** A copy of the resident slots, in no particular order. */
  residentSlots(): Int32Array {
    return this.#residents.slice(0, this.#count);
  }

  /** A uniformly random resident slot, or -1 when none is. */
  randomResident(): number {
    return this.#count === 0 ? -1 : this.#residents[this.#random.int(this.#count)]!;
  }

  /**
   * Writes distinct resident slots for which `skip` is false into `out` from `offset` on, up to
   * `shares.tail + shares.newest + shares.recent + shares.random`, and one more with an
   * `exitAge` (the base's preferred victims first), and returns how many it wrote.
   */
  sample(
    base: EvictionPolicy,
    out: Int32Array,
    shares: CandidateShares,
    skip: (slot: number) => boolean = never,
    offset = 0,
  ): number {
    let n = offset;
    if (shares.tail > 0) {
      const scan = Math.max(shares.tail, shares.tailScan);
      if (scan > this.#tail.length) this.#tail = new Int32Array(scan);
      const tail = base.candidates(this.#tail, scan);
      for (let i = 0; i < tail && n < offset + shares.tail; i++) {
        const slot = this.#tail[i]!;
        if (listed(out, offset, n, slot) || !this.isResident(slot) || skip(slot)) continue;
        out[n++] = slot;
      }
    }
    const window = Math.min(shares.recentWindow, this.#inserted, this.#ringMask + 1);
    let want = n + (shares.newest ?? 0);
    // The newest first, walking back over at most twice as many as wanted.
    for (let back = 0; n < want && back < 2 * (shares.newest ?? 0) && back < window; back++) {
      const slot = this.#ringCandidate(back, out, offset, n, skip);
      if (slot >= 0) out[n++] = slot;
    }
    const exit = shares.exitAge ?? 0;
    if (exit > 0 && exit < this.#inserted && exit <= this.#ringMask) {
      const slot = this.#ringCandidate(exit, out, offset, n, skip);
      if (slot >= 0) out[n++] = slot;
    }
    want = n + shares.recent;
    for (let tries = 2 * shares.recent; n < want && tries > 0 && window > 0; tries--) {
      const slot = this.#ringCandidate(this.#random.int(window), out, offset, n, skip);
      if (slot >= 0) out[n++] = slot;
    }
    want = n + shares.random;
    if (shares.sweep === true) n = this.#sweep(out, offset, n, want, skip);
    for (let tries = 2 * shares.random; n < want && tries > 0 && this.#count > 0; tries--) {
      const slot = this.#residents[this.#random.int(this.#count)]!;
      if (listed(out, offset, n, slot) || skip(slot)) continue;
      out[n++] = slot;
    }
    return n - offset;
  }

  /**
   * Walks the hand on over slot numbers from where it stopped, writing resident slots that are not
   * listed or skipped into `out` until `want`; returns the new count. A slot's records sit in slot
   * order, so the hand reads them in order, where random residents each cost a cache miss or
   * two: the same entries are looked at about as often (each once per sweep of the slots) for
   * less. It looks at most at 8 slots per candidate wanted, so where few slots are resident
   * (after a shrink) it finds fewer and the random draws that follow make up the rest.
   */
  #sweep(
    out: Int32Array,
    offset: number,
    n: number,
    want: number,
    skip: (slot: number) => boolean,
  ): number {
    const high = this.#highSlot;
    let hand = this.#hand;
    for (let tries = 8 * (want - n); n < want && tries > 0 && this.#count > 0; tries--) {
      if (hand >= high) hand = 0;
      const slot = hand++;
      if (this.#position[2 * slot] === 0 || listed(out, offset, n, slot) || skip(slot)) continue;
      out[n++] = slot;
    }
    this.#hand = hand;
    return n;
  }

  /**
   * The slot inserted `back` insertions before the newest, if it is still there from that
   * insert, not hit since, not yet listed in `out[offset … n)` and not skipped; otherwise -1.
   */
  #ringCandidate(
    back: number,
    out: Int32Array,
    offset: number,
    n: number,
    skip: (slot: number) => boolean,
  ): number {
    const at = 2 * ((this.#inserted - 1 - back) & this.#ringMask);
    const slot = this.#ring[at]!;
    if (this.#state[2 * slot + 1] !== this.#ring[at + 1]) return -1;
    if (listed(out, offset, n, slot) || this.#position[2 * slot] === 0 || skip(slot)) return -1;
    return slot;
  }

  #grow(slot: number): void {
    this.#slotBytes.ensure((slot + 1) * 8);
    this.#position = new Int32Array(this.#slotBytes.buffer);
    this.#state = new Uint32Array(this.#slotBytes.buffer);
    this.#slots = this.#position.length / 2;
  }
}

/**
 * Whether `slot` is already among `out[from … to)`, the candidates this batch listed so far (a
 * handful): a scan of them costs less than a per-slot mark, a cache miss in a large cache.
 */
function listed(out: Int32Array, from: number, to: number, slot: number): boolean {
  for (let i = from; i < to; i++) if (out[i] === slot) return true;
  return false;
}

/** The state of a slot's next tenancy: the epoch bumped, the hit bit clear. */
function nextEpoch(state: number): number {
  return ((state | 1) + 1) >>> 0;
}

function never(_slot: number): boolean {
  return false;
}
