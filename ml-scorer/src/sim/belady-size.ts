import type { PolicyOptions } from '../../../node/src/policy/eviction-policy.ts';
import type { Random } from '../../../node/src/util/random.ts';
import { createRandom } from '../../../node/src/util/random.ts';
import type { OraclePolicy } from './oracle-policy.ts';

/** Objects scored per eviction, as libCacheSim's BeladySize (`N_SAMPLE_PER_EVICTION`). */
export const BELADY_SIZE_SAMPLES = 128;

/**
 * The size-aware Belady variant libCacheSim calls `BeladySize`, for byte-budget caches where no
 * polynomial optimum is known: score each object by size x time to its next request and evict
 * the largest score among a sample of 128 resident objects (all of them when there are at most
 * 128). Like libCacheSim it never admits an object that will not be requested again, and an
 * object whose last request was a hit is evicted before anything else (libCacheSim removes it at
 * once; evicting it first whenever room is needed gives the same hits).
 *
 * Differences from libCacheSim: samples come from our seeded generator, not from its hash table,
 * so on a given trace the two differ a little; and sampling is with replacement, as there. It is
 * a reference line, not an optimum: an online policy may beat it in byte miss ratio.
 */
export function createBeladySizePolicy(options: PolicyOptions): OraclePolicy {
  return new BeladySizePolicy(options.capacity, createRandom(options.seed ?? 1));
}

/** Where a slot is: not resident, among the scored members, or among the dead (no next access). */
const NONE = 0;
const MEMBER = 1;
const DEAD = 2;

class BeladySizePolicy implements OraclePolicy {
  readonly name = 'belady-size';
  readonly oracle = true;
  readonly #random: Random;
  #now = 0;
  #next = Infinity;
  #slotNext: Float64Array;
  #slotSize: Float64Array;
  #slotWhere: Uint8Array;
  #slotPos: Int32Array;
  #members: Int32Array;
  #memberCount = 0;
  #dead: Int32Array;
  #deadCount = 0;

  constructor(capacity: number, random: Random) {
    const initial = Math.max(16, Math.min(capacity + 1, 1 << 12));
    this.#random = random;
    this.#slotNext = new Float64Array(initial);
    this.#slotSize = new Float64Array(initial);
    this.#slotWhere = new Uint8Array(initial);
    this.#slotPos = new Int32Array(initial);
    this.#members = new Int32Array(initial);
    this.#dead = new Int32Array(initial);
  }

  observe(vtime: number, nextAccess: number): void {
    this.#now = vtime;
    this.#next = nextAccess;
  }

  admits(): boolean {
    return this.#next !== Infinity;
  }

  onMiss(): void {}

  onInsert(slot: number, _keyId: number, size: number): void {
    if (slot >= this.#slotNext.length) this.#grow(slot + 1);
    this.#slotSize[slot] = size;
    this.#place(slot);
  }

  onAccess(slot: number): void {
    this.#unlink(slot);
    this.#place(slot);
  }

  onUpdate(slot: number, size: number): void {
    this.#slotSize[slot] = size;
    this.onAccess(slot);
  }

  onRemove(slot: number): void {
    this.#unlink(slot);
  }

  evict(): number {
    const victim = this.#choose();
    if (victim >= 0) this.#unlink(victim);
    return victim;
  }

  candidates(out: Int32Array | number[], max: number): number {
    // The single best of a sample; enough for a reference policy nobody ranks with a model.
    if (max <= 0) return 0;
    const victim = this.#choose();
    if (victim < 0) return 0;
    out[0] = victim;
    return 1;
  }

  clear(): void {
    this.#slotWhere.fill(NONE);
    this.#memberCount = 0;
    this.#deadCount = 0;
  }

  #choose(): number {
    if (this.#deadCount > 0) return this.#dead[this.#deadCount - 1]!;
    const count = this.#memberCount;
    if (count === 0) return -1;
    const sampled = count <= BELADY_SIZE_SAMPLES;
    const rounds = sampled ? count : BELADY_SIZE_SAMPLES;
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < rounds; i++) {
      const slot = this.#members[sampled ? i : this.#random.int(count)]!;
      const score = this.#slotSize[slot]! * (this.#slotNext[slot]! - this.#now);
      if (score > bestScore) {
        bestScore = score;
        best = slot;
      }
    }
    return best;
  }

  #place(slot: number): void {
    this.#slotNext[slot] = this.#next;
    if (this.#next === Infinity) {
      this.#slotWhere[slot] = DEAD;
      this.#slotPos[slot] = this.#deadCount;
      this.#dead[this.#deadCount++] = slot;
    } else {
      this.#slotWhere[slot] = MEMBER;
      this.#slotPos[slot] = this.#memberCount;
      this.#members[this.#memberCount++] = slot;
    }
  }

  /** Removes a slot from whichever dense list holds it (swap with the last). */
  #unlink(slot: number): void {
    const where = this.#slotWhere[slot];
    if (where === NONE) return;
    const list = where === MEMBER ? this.#members : this.#dead;
    const last = where === MEMBER ? --this.#memberCount : --this.#deadCount;
    const pos = this.#slotPos[slot]!;
    const moved = list[last]!;
    list[pos] = moved;
    this.#slotPos[moved] = pos;
    this.#slotWhere[slot] = NONE;
  }

  #grow(needed: number): void {
    let length = this.#slotNext.length;
    while (length < needed) length *= 2;
    this.#slotNext = growFloat(this.#slotNext, length);
    this.#slotSize = growFloat(this.#slotSize, length);
    const where = new Uint8Array(length);
    where.set(this.#slotWhere);
    this.#slotWhere = where;
    this.#slotPos = growInt(this.#slotPos, length);
    this.#members = growInt(this.#members, length);
    this.#dead = growInt(this.#dead, length);
  }
}

function growFloat(array: Float64Array, length: number): Float64Array {
  const next = new Float64Array(length);
  next.set(array);
  return next;
}

function growInt(array: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(array);
  return next;
}
