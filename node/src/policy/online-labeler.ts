/**
 * Training labels for the learned policy, from the past only (research note §4.3, §4.6).
 *
 * A sampled key's feature row is recorded at time s, as the policy saw it then. Its label,
 * log1p(min(gap, cap)) with gap the requests until the key's next access, is written only when
 * it becomes known:
 * - at the key's next request (a hit, or a miss after it was evicted: the labeler tracks key ids,
 *   not slots, so eviction does not lose the sample), with the gap measured then;
 * - when the cap passes without a request (`advance`): the label is the cap;
 * - when the key leaves without being evicted (TTL expiry, DEL): it is dead, the label is the cap.
 * No label is ever computed from a request that has not happened yet.
 *
 * Resolved rows go to a sliding window of the newest `windowRows` rows for training; every
 * `validationEvery`-th one goes instead to a smaller window kept out of training, on which a new
 * model is compared with the current one before it is installed.
 *
 * Pending samples live in a FIFO ring ordered by sample time; since every sample's deadline is
 * its time plus a cap that changes slowly, the ring's head is (nearly) the next to expire.
 */
import { KeyIndex } from './feature-key-index.ts';

export interface OnlineLabelerOptions {
  readonly nFeatures: number;
  /** Samples awaiting their label; when full, new samples are dropped. */
  readonly maxPending: number;
  /** Newest resolved rows kept for training. */
  readonly windowRows: number;
  /** Newest held-out rows kept for validation. */
  readonly validationRows: number;
  /** Every n-th resolved row is held out for validation (0: none). */
  readonly validationEvery: number;
  /** Sees every label as it is written (tests check that it only uses the past). */
  readonly onLabel?: (label: ResolvedLabel) => void;
}

export interface ResolvedLabel {
  readonly keyId: number;
  readonly sampledAt: number;
  readonly resolvedAt: number;
  /** The gap the label was computed from; Infinity when the cap or a removal decided it. */
  readonly gap: number;
  readonly cap: number;
  readonly label: number;
}

/** The regression target; equals ml-scorer's labelFromGap (Infinity or NaN give the cap). */
export function capLabel(gap: number, cap: number): number {
  if (!(gap <= cap)) return Math.log1p(cap);
  return Math.log1p(gap > 0 ? gap : 0);
}

/** A ring of labelled rows: the newest `capacity` are kept. */
export class RowWindow {
  readonly capacity: number;
  readonly rows: Float32Array;
  readonly labels: Float32Array;
  readonly #nFeatures: number;
  #written = 0;

  constructor(capacity: number, nFeatures: number) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.#nFeatures = nFeatures;
    this.rows = new Float32Array(this.capacity * nFeatures);
    this.labels = new Float32Array(this.capacity);
  }

  /** Rows held. */
  get size(): number {
    return Math.min(this.#written, this.capacity);
  }

  push(source: Float32Array, offset: number, label: number): void {
    const at = this.#written++ % this.capacity;
    copyRow(source, offset, this.rows, at * this.#nFeatures, this.#nFeatures);
    this.labels[at] = label;
  }

  /** Rows ever pushed (a mark for `since`). */
  get written(): number {
    return this.#written;
  }

  /**
   * Copies of the rows pushed after the mark `written` had (at most the `capacity` newest), in
   * fresh buffers, oldest first.
   */
  since(mark: number): { rows: Float32Array; labels: Float32Array } {
    const n = Math.min(this.#written - mark, this.capacity);
    const f = this.#nFeatures;
    const rows = new Float32Array(n * f);
    const labels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const at = (this.#written - n + i) % this.capacity;
      rows.set(this.rows.subarray(at * f, at * f + f), i * f);
      labels[i] = this.labels[at]!;
    }
    return { rows, labels };
  }

  /** Copies of the rows held, in fresh buffers (safe to transfer to a worker). */
  snapshot(): { rows: Float32Array; labels: Float32Array } {
    const n = this.size;
    return { rows: this.rows.slice(0, n * this.#nFeatures), labels: this.labels.slice(0, n) };
  }

  clear(): void {
    this.#written = 0;
  }
}

export class OnlineLabeler {
  readonly training: RowWindow;
  readonly validation: RowWindow;
  readonly #nFeatures: number;
  readonly #onLabel: ((label: ResolvedLabel) => void) | undefined;
  readonly #validationEvery: number;
  readonly #index: KeyIndex;
  readonly #capacity: number;
  readonly #rows: Float32Array;
  readonly #keys: Float64Array;
  readonly #sampledAt: Float64Array;
  readonly #caps: Float64Array;
  readonly #live: Uint8Array;
  /**
   * A counting filter over the pending keys: most requests are for keys with no pending sample,
   * and this 2-byte-per-counter array answers "surely not pending" without probing the (larger)
   * key index.
   */
  readonly #filter: Uint16Array;
  readonly #filterMask: number;
  #head = 0;
  #count = 0;
  #resolved = 0;
  #dropped = 0;

  constructor(options: OnlineLabelerOptions) {
    const f = options.nFeatures;
    this.#nFeatures = f;
    this.#onLabel = options.onLabel;
    this.#validationEvery = Math.max(0, Math.floor(options.validationEvery));
    this.#capacity = Math.max(1, Math.floor(options.maxPending));
    this.#index = new KeyIndex(this.#capacity);
    this.#rows = new Float32Array(this.#capacity * f);
    this.#keys = new Float64Array(this.#capacity);
    this.#sampledAt = new Float64Array(this.#capacity);
    this.#caps = new Float64Array(this.#capacity);
    this.#live = new Uint8Array(this.#capacity);
    let size = 1024;
    while (size < 4 * this.#capacity) size *= 2;
    this.#filter = new Uint16Array(size);
    this.#filterMask = size - 1;
    this.training = new RowWindow(options.windowRows, f);
    this.validation = new RowWindow(options.validationRows, f);
  }

  /** Labels written so far. */
  get resolved(): number {
    return this.#resolved;
  }

  /** Samples awaiting their label. */
  get pending(): number {
    return this.#index.size;
  }

  /** Samples refused because the pending ring was full or the key was already pending. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether `keyId` awaits a label. */
  isPending(keyId: number): boolean {
    return this.#filter[this.#slotOf(keyId)] !== 0 && this.#index.get(keyId) >= 0;
  }

  /**
   * Records the row `source[offset …]` of `keyId` as seen at time `t`; its label will be capped
   * at `cap` requests. Returns false (and records nothing) if the key already awaits a label or
   * the ring is full.
   */
  record(keyId: number, t: number, cap: number, source: Float32Array, offset: number): boolean {
    if (this.#count === this.#capacity || this.isPending(keyId)) {
      this.#dropped++;
      return false;
    }
    const at = (this.#head + this.#count++) % this.#capacity;
    copyRow(source, offset, this.#rows, at * this.#nFeatures, this.#nFeatures);
    this.#keys[at] = keyId;
    this.#sampledAt[at] = t;
    this.#caps[at] = cap;
    this.#live[at] = 1;
    this.#index.set(keyId, at);
    this.#filter[this.#slotOf(keyId)]!++;
    return true;
  }

  /** Time is now `t`: samples whose cap has passed get the cap's label. */
  advance(t: number): void {
    while (this.#count > 0) {
      const at = this.#head;
      if (this.#live[at] === 1) {
        if (t - this.#sampledAt[at]! < this.#caps[at]!) return;
        this.#resolve(at, t, Infinity);
      }
      this.#head = (at + 1) % this.#capacity;
      this.#count--;
    }
  }

  /** `keyId` is requested at time `t` (hit or miss): its pending sample learns its gap. */
  access(keyId: number, t: number): void {
    if (this.#filter[this.#slotOf(keyId)] === 0) return;
    const at = this.#index.take(keyId);
    if (at >= 0) this.#resolveTaken(at, t, t - this.#sampledAt[at]!);
  }

  /** `keyId` left without being evicted (expired or deleted) at time `t`: it is dead. */
  dead(keyId: number, t: number): void {
    if (this.#filter[this.#slotOf(keyId)] === 0) return;
    const at = this.#index.take(keyId);
    if (at >= 0) this.#resolveTaken(at, t, Infinity);
  }

  /** Forgets pending samples and both windows. */
  clear(): void {
    this.#index.clear();
    this.#filter.fill(0);
    this.#live.fill(0);
    this.#head = 0;
    this.#count = 0;
    this.training.clear();
    this.validation.clear();
  }

  #resolve(at: number, t: number, gap: number): void {
    this.#index.delete(this.#keys[at]!);
    this.#resolveTaken(at, t, gap);
  }

  /** Resolves the pending sample at ring position `at`, already out of the key index. */
  #resolveTaken(at: number, t: number, gap: number): void {
    const cap = this.#caps[at]!;
    const label = capLabel(gap, cap);
    const keyId = this.#keys[at]!;
    this.#live[at] = 0;
    this.#filter[this.#slotOf(keyId)]!--;
    const n = ++this.#resolved;
    const target =
      this.#validationEvery > 0 && n % this.#validationEvery === 0
        ? this.validation
        : this.training;
    target.push(this.#rows, at * this.#nFeatures, label);
    this.#onLabel?.({ keyId, sampledAt: this.#sampledAt[at]!, resolvedAt: t, gap, cap, label });
  }

  /** The filter counter of a key id (a multiplicative hash of both 32-bit halves). */
  #slotOf(keyId: number): number {
    const h = Math.imul(
      (keyId >>> 0) ^ Math.imul((keyId / 4294967296) >>> 0, 0x9e3779b1),
      0x85ebca6b,
    );
    return (h ^ (h >>> 15)) & this.#filterMask;
  }
}

/** Copies `n` floats (a feature row) without making a subarray view per call. */
function copyRow(
  source: Float32Array,
  from: number,
  target: Float32Array,
  to: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) target[to + i] = source[from + i]!;
}
