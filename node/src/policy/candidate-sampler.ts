/**
 * Where the learned policy's eviction candidates come from (research note §0.3, §4.5). A scorer
 * that only ranks the base policy's tail gains almost nothing, so every batch mixes three
 * sources, deduplicated, all of them resident:
 *
 * 1. the base policy's own preferred victims (`candidates()`: the LRU tail, or LFU's lowest
 *    buckets), listed first, so that an empty model behaves like the base;
 * 2. recently inserted entries that have not been hit since (quick demotion of one-hit wonders,
 *    as S3-FIFO's small queue and 3L-Cache's bidirectional sampling do);
 * 3. uniformly random residents (LRB).
 *
 * It keeps its own index of resident slots (a dense array with back-pointers, so a random
 * resident is O(1)) and a ring of recent insertions stamped with the slot's insert epoch, so an
 * entry that left or was reused is recognised as stale without searching.
 */
import type { EvictionPolicy } from './eviction-policy.ts';
import type { Random } from '../util/random.ts';
import { growInt32, grownSize } from './typed-arrays.ts';

/** How many candidates to take from each source. */
export interface CandidateShares {
  readonly tail: number;
  readonly recent: number;
  readonly random: number;
  /** Insertions (the newest ones) that `recent` samples from. */
  readonly recentWindow: number;
  /** Entries of the base's eviction end walked to find `tail` candidates that are not skipped. */
  readonly tailScan: number;
}

export class CandidateSampler {
  readonly #random: Random;
  /** Resident slots, densely packed, and each slot's index in it (-1 when not resident). */
  #residents = new Int32Array(1024);
  #count = 0;
  #position = new Int32Array(1024).fill(-1);
  /**
   * Per slot: its insert epoch times 2, plus 1 once hit (or overwritten) after its insert. The
   * epoch is bumped on every insert (and removal), so ring entries of an earlier tenancy are
   * stale. A ring entry stores the state its insert left (hit bit clear), so one compare tells
   * both "same tenancy" and "not hit since", and a hit or insert touches one array, not two.
   */
  #state = new Uint32Array(1024);
  /** Per slot: the batch stamp that last listed it, for deduplication. */
  #mark = new Uint32Array(1024);
  #stamp = 0;
  /** The newest insertions: slot and epoch, written at `#inserted % ring size`. */
  readonly #ringSlots: Int32Array;
  readonly #ringEpochs: Uint32Array;
  readonly #ringMask: number;
  #inserted = 0;
  #tail = new Int32Array(64);

  constructor(random: Random, ringSize = 1 << 16) {
    let n = 16;
    while (n < ringSize) n *= 2;
    this.#random = random;
    this.#ringSlots = new Int32Array(n);
    this.#ringEpochs = new Uint32Array(n);
    this.#ringMask = n - 1;
  }

  get residentCount(): number {
    return this.#count;
  }

  /** Whether `slot` is resident as far as the sampler knows. */
  isResident(slot: number): boolean {
    return slot < this.#position.length && this.#position[slot]! >= 0;
  }

  onInsert(slot: number): void {
    if (slot >= this.#position.length) this.#grow(slot);
    if (this.#position[slot]! < 0) {
      this.#position[slot] = this.#count;
      if (this.#count === this.#residents.length) {
        this.#residents = growInt32(this.#residents, this.#count * 2);
      }
      this.#residents[this.#count++] = slot;
    }
    const epoch = nextEpoch(this.#state[slot]!);
    this.#state[slot] = epoch;
    const at = this.#inserted++ & this.#ringMask;
    this.#ringSlots[at] = slot;
    this.#ringEpochs[at] = epoch;
  }

  onHit(slot: number): void {
    if (slot < this.#state.length) this.#state[slot] = this.#state[slot]! | 1;
  }

  onRemove(slot: number): void {
    if (slot >= this.#position.length) return;
    const at = this.#position[slot]!;
    if (at < 0) return;
    const last = this.#residents[--this.#count]!;
    this.#residents[at] = last;
    this.#position[last] = at;
    this.#position[slot] = -1;
    // A later insert bumps the epoch anyway; bumping now also retires the ring entry at once.
    this.#state[slot] = nextEpoch(this.#state[slot]!);
  }

  clear(): void {
    for (let i = 0; i < this.#count; i++) this.#position[this.#residents[i]!] = -1;
    this.#count = 0;
    this.#inserted = 0;
  }

  /** A uniformly random resident slot, or -1 when none is. */
  randomResident(): number {
    return this.#count === 0 ? -1 : this.#residents[this.#random.int(this.#count)]!;
  }

  /**
   * Writes up to `shares.tail + shares.recent + shares.random` distinct resident slots for which
   * `skip` is false into `out` from `offset` on (the base's preferred victims first) and returns
   * how many it wrote.
   */
  sample(
    base: EvictionPolicy,
    out: Int32Array,
    shares: CandidateShares,
    skip: (slot: number) => boolean = never,
    offset = 0,
  ): number {
    const stamp = this.#nextStamp();
    const mark = this.#mark;
    let n = offset;
    if (shares.tail > 0) {
      const scan = Math.max(shares.tail, shares.tailScan);
      if (scan > this.#tail.length) this.#tail = new Int32Array(scan);
      const tail = base.candidates(this.#tail, scan);
      for (let i = 0; i < tail && n < offset + shares.tail; i++) {
        const slot = this.#tail[i]!;
        if (mark[slot] === stamp || !this.isResident(slot) || skip(slot)) continue;
        mark[slot] = stamp;
        out[n++] = slot;
      }
    }
    const window = Math.min(shares.recentWindow, this.#inserted, this.#ringMask + 1);
    let want = n + shares.recent;
    for (let tries = 2 * shares.recent; n < want && tries > 0 && window > 0; tries--) {
      const at = (this.#inserted - 1 - this.#random.int(window)) & this.#ringMask;
      const slot = this.#ringSlots[at]!;
      if (this.#state[slot] !== this.#ringEpochs[at]) continue;
      if (mark[slot] === stamp || this.#position[slot]! < 0 || skip(slot)) continue;
      mark[slot] = stamp;
      out[n++] = slot;
    }
    want = n + shares.random;
    for (let tries = 2 * shares.random; n < want && tries > 0 && this.#count > 0; tries--) {
      const slot = this.#residents[this.#random.int(this.#count)]!;
      if (mark[slot] === stamp || skip(slot)) continue;
      mark[slot] = stamp;
      out[n++] = slot;
    }
    return n - offset;
  }

  #nextStamp(): number {
    this.#stamp = (this.#stamp + 1) >>> 0;
    if (this.#stamp === 0) {
      this.#mark.fill(0);
      this.#stamp = 1;
    }
    return this.#stamp;
  }

  #grow(slot: number): void {
    const size = grownSize(this.#position.length, slot);
    this.#position = growInt32(this.#position, size, -1);
    const state = new Uint32Array(size);
    state.set(this.#state);
    this.#state = state;
    const mark = new Uint32Array(size);
    mark.set(this.#mark);
    this.#mark = mark;
  }
}

/** The state of a slot's next tenancy: the epoch bumped, the hit bit clear. */
function nextEpoch(state: number): number {
  return ((state | 1) + 1) >>> 0;
}

function never(_slot: number): boolean {
  return false;
}
