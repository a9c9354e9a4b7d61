/**
 * ML+LRU and ML+LFU: a base policy (LRU or LFU) whose victim a learned model may overrule
 * (docs/learned-eviction.md; research note §4).
 *
 * - Time is the logical clock t: requests seen (hits, misses, and inserts without a miss).
 * - Each eviction challenges the base's own victim: a few fresh candidates (recent insertions
 *   not hit since, random residents; candidate-sampler.ts) are scored with the model, which
 *   predicts log1p(requests to the next access), and join a small pool of scored candidates
 *   (victim-buffer.ts). The pool's best is evicted instead of the base's victim only if the
 *   model ranks it farther by `challengeMargin`; otherwise the base's victim goes. Candidates not
 *   chosen stay where they are in the base's order, so the base remains the floor.
 * - Training data come from the past only (online-training.ts, online-labeler.ts): rows of
 *   random residents and of scored candidates, labelled when the key is next requested or when
 *   the cap passes. New models are trained through the trainer port and installed only if they
 *   rank held-out recent rows better than the current model and the base (model-gate.ts).
 * - Guards: with no model, a model of another feature schema, an open circuit breaker (scorer
 *   errors, overrun deadlines), or a model that trails a shadow of the base on sampled keys for
 *   a sustained period (shadow-baseline.ts), every eviction is exactly the base policy's.
 */
import type { Clock } from '../util/clock.ts';
import { createRandom } from '../util/random.ts';
import type { Random } from '../util/random.ts';
import type { CandidateShares } from './candidate-sampler.ts';
import { CandidateSampler } from './candidate-sampler.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION, FeatureTracker } from './features.ts';
import { createLfuPolicy } from './lfu.ts';
import { createLruPolicy } from './lru.ts';
import type { MlBase, MlHybridParams } from './ml-hybrid-params.ts';
import { resolveMlHybridParams } from './ml-hybrid-params.ts';
import type { MlHybridStats } from './ml-hybrid-stats.ts';
import { emptyStats } from './ml-hybrid-stats.ts';
import { OnlineTraining } from './online-training.ts';
import type { Scorer, TrainerPort } from './scorer-port.ts';
import { ShadowBaseline } from './shadow-baseline.ts';
import type { TreeEnsemble } from './tree-model.ts';
import { FlatEnsemble } from './tree-model.ts';
import { growFloat64, grownSize } from './typed-arrays.ts';
import { VictimBuffer } from './victim-buffer.ts';

export type { MlBase } from './ml-hybrid-params.ts';

export interface MlHybridOptions extends PolicyOptions {
  readonly base: MlBase;
  /** Trains new models; without one the policy only uses `scorer`. */
  readonly trainer?: TrainerPort;
  /** A model to start with (one trained by `mlcache train`, say). */
  readonly scorer?: Scorer | TreeEnsemble;
  /**
   * Makes deadlines and the breaker's cooldown wall-clock ms and measures training time. Without
   * one (the simulator) both are logical (rows × trees, requests), so runs are reproducible.
   */
  readonly clock?: Clock;
  readonly params?: Partial<MlHybridParams>;
}

/** Why an eviction went to the base policy. */
export type FallbackReason = 'noModel' | 'breakerOpen' | 'scorerError' | 'deadline' | 'shadow';

export function createMlHybridPolicy(options: MlHybridOptions): MlHybridPolicy {
  return new MlHybridPolicy(options);
}

/** The base policy of a kind, for a capacity (also what the shadow runs). */
export function createBasePolicy(base: MlBase, capacity: number, seed = 1): EvictionPolicy {
  if (base === 'lru') return createLruPolicy({ capacity, seed });
  if (base === 'lfu') return createLfuPolicy({ capacity, seed });
  throw new RangeError(`unknown base policy ${String(base)}`);
}

export class MlHybridPolicy implements EvictionPolicy {
  readonly name: string;
  readonly #base: EvictionPolicy;
  readonly #params: MlHybridParams;
  readonly #capacity: number;
  readonly #clock: Clock | undefined;
  readonly #random: Random;
  readonly #features: FeatureTracker;
  readonly #sampler: CandidateSampler;
  readonly #pool: VictimBuffer;
  readonly #breaker: CircuitBreaker;
  readonly #shadow: ShadowBaseline;
  readonly #training: OnlineTraining | null;
  readonly #stats: MlHybridStats = emptyStats();
  /** What each eviction samples; the recent window follows the resident count. */
  readonly #shares: { -readonly [K in keyof CandidateShares]: CandidateShares[K] };

  #scorer: Scorer | null = null;
  /** The installed model as trees, when it came as trees (for export); null otherwise. */
  #model: TreeEnsemble | null = null;
  #modelInstalledAt = 0;
  #shadowFallback = false;
  /**
   * How much farther than the base's victim the model must rank a candidate to evict it: the
   * `challengeMargin` knob, raised after every shadow fallback (the model lost to its base) and
   * lowered back, step by step, by models that live out their time without one.
   */
  #margin: number;

  #t = 0;
  #used = 0;
  #lastMissKey = Number.NaN;
  #logicalWork = 0;
  /** Misses per request, exponentially weighted: sets the memory window (#window). */
  #missRate = 1;

  /** Per slot: key id, size, and a version bumped on every touch (stales pool entries). */
  #keyOf = new Float64Array(1024);
  #sizeOf = new Float64Array(1024);
  #version = new Uint32Array(1024);
  /** Per slot: its version + 1 while it sits in the pool (so it is not sampled again). */
  #pooledVersion = new Uint32Array(1024);

  /** One batch: the base's victim (when it needs scoring) first, then fresh candidates. */
  readonly #candidates: Int32Array;
  readonly #rows: Float32Array;
  readonly #scores: Float64Array;
  readonly #row = new Float32Array(FEATURE_COUNT);
  readonly #one = new Int32Array(1);
  /** The base's victim as last scored: its score is reused while it stays, untouched. */
  #head = -1;
  #headVersion = 0;
  #headModel = 0;
  #headScore = 0;
  /** Skips pooled slots and the head (a field, so no closure is made per batch). */
  readonly #skip = (slot: number): boolean =>
    slot === this.#head || this.#pooledVersion[slot] === this.#version[slot]! + 1;
  readonly #unpool = (slot: number): void => {
    this.#pooledVersion[slot] = 0;
  };

  constructor(options: MlHybridOptions) {
    const p = resolveMlHybridParams(options.params);
    const seed = options.seed ?? 1;
    this.#params = p;
    this.#margin = p.challengeMargin;
    this.name = `ml-${options.base}`;
    this.#capacity = options.capacity;
    this.#clock = options.clock;
    this.#base = createBasePolicy(options.base, options.capacity, seed);
    this.#random = createRandom(seed ^ 0x6d6c);
    const ghosts =
      p.ghostCapacity > 0
        ? p.ghostCapacity
        : Math.max(1024, Math.min(2 * options.capacity, 1 << 17));
    this.#features = new FeatureTracker({ ghostCapacity: ghosts });
    this.#sampler = new CandidateSampler(this.#random);
    const k = 1 + p.recent + p.random;
    this.#candidates = new Int32Array(k);
    this.#rows = new Float32Array(k * FEATURE_COUNT);
    this.#scores = new Float64Array(k);
    this.#pool = new VictimBuffer(p.poolSize);
    this.#shares = { tail: 0, recent: p.recent, random: p.random, recentWindow: 8, tailScan: 0 };
    const clock = this.#clock;
    this.#breaker = new CircuitBreaker({
      now: clock === undefined ? () => this.#t : () => clock.monotonic(),
      failureThreshold: p.breakerFailures,
      cooldown: p.breakerCooldown,
    });
    this.#shadow = new ShadowBaseline({
      createBase: (capacity) => createBasePolicy(options.base, capacity, seed),
      capacity: options.capacity,
      seed,
      minEntries: p.shadowMinEntries,
      minPercent: p.shadowMinPercent,
      margin: p.shadowMargin,
    });
    this.#training =
      options.trainer === undefined
        ? null
        : new OnlineTraining({
            trainer: options.trainer,
            kind: options.base,
            seed,
            params: p,
            stats: this.#stats,
            ...(clock === undefined ? {} : { clock }),
            current: () => this.#scorer,
            install: (scorer, model) => this.#install(scorer, model),
          });
    if (options.scorer !== undefined) this.installModel(options.scorer);
  }

  // ---- the EvictionPolicy contract -------------------------------------------------------------

  onMiss(keyId: number): void {
    this.#request(keyId);
    this.#missRate += (1 - this.#missRate) * this.#rateWeight();
    this.#lastMissKey = keyId;
    this.#base.onMiss(keyId);
  }

  onInsert(slot: number, keyId: number, size: number): void {
    if (this.#lastMissKey !== keyId) this.#request(keyId);
    this.#lastMissKey = Number.NaN;
    if (slot < this.#keyOf.length && this.#sampler.isResident(slot)) this.onRemove(slot);
    if (slot >= this.#keyOf.length) this.#grow(slot);
    this.#keyOf[slot] = keyId;
    this.#sizeOf[slot] = size;
    this.#version[slot] = (this.#version[slot]! + 1) >>> 0;
    this.#used += size;
    this.#features.onInsert(slot, keyId, this.#t, size, 0);
    this.#sampler.onInsert(slot);
    this.#base.onInsert(slot, keyId, size);
    if (this.#shadow.sampled(keyId)) this.#observeShadow(keyId, size, false);
  }

  onAccess(slot: number): void {
    if (!this.#sampler.isResident(slot)) return;
    const keyId = this.#keyOf[slot]!;
    this.#request(keyId);
    this.#missRate -= this.#missRate * this.#rateWeight();
    this.#touch(slot);
    this.#features.onAccess(slot, this.#t);
    this.#base.onAccess(slot);
    if (this.#shadow.sampled(keyId)) this.#observeShadow(keyId, this.#sizeOf[slot]!, true);
  }

  onUpdate(slot: number, size: number): void {
    if (!this.#sampler.isResident(slot)) return;
    const keyId = this.#keyOf[slot]!;
    this.#request(keyId);
    this.#touch(slot);
    this.#used += size - this.#sizeOf[slot]!;
    this.#sizeOf[slot] = size;
    this.#features.onUpdate(slot, this.#t, size, 0);
    this.#base.onUpdate(slot, size);
    if (this.#shadow.sampled(keyId)) this.#observeShadow(keyId, size, true);
  }

  onRemove(slot: number): void {
    if (!this.#sampler.isResident(slot)) return;
    // Left without being evicted (expired, deleted): whatever it was sampled for is dead.
    this.#training?.labeler.dead(this.#keyOf[slot]!, this.#t);
    this.#base.onRemove(slot);
    this.#forget(slot);
  }

  evict(): number {
    if (this.#sampler.residentCount === 0) return this.#base.evict();
    if (!this.#shadow.started) this.#shadow.start(this.#sampler.residentCount);
    const reason = this.#fallbackReason();
    let victim = -1;
    if (reason === null) {
      victim = this.#challenge();
    } else {
      this.#stats.fallbacks[reason]++;
      if (this.#training !== null) this.#logCandidates();
    }
    if (victim < 0) {
      victim = this.#base.evict();
      this.#stats.baseEvictions++;
    } else {
      this.#base.onRemove(victim);
      this.#stats.modelEvictions++;
    }
    if (victim >= 0) this.#forget(victim);
    return victim;
  }

  candidates(out: Int32Array | number[], max: number): number {
    return this.#base.candidates(out, max);
  }

  clear(): void {
    this.#base.clear();
    this.#sampler.clear();
    this.#features.clear();
    this.#pool.clear(this.#unpool);
    this.#head = -1;
    this.#used = 0;
  }

  // ---- models and counters ---------------------------------------------------------------------

  /**
   * Installs a model without validation (one loaded from a file, say). Returns false, and keeps
   * the current model, when it was trained on another feature schema.
   */
  installModel(model: Scorer | TreeEnsemble): boolean {
    const scorer = 'trees' in model ? new FlatEnsemble(model) : model;
    if (
      scorer.featureSchemaVersion !== FEATURE_SCHEMA_VERSION ||
      scorer.nFeatures !== FEATURE_COUNT
    ) {
      this.#stats.modelsRefusedVersion++;
      return false;
    }
    this.#install(scorer, 'trees' in model ? model : null);
    return true;
  }

  /** The model in use as trees (null before the first, or for a scorer given as code). */
  currentModel(): TreeEnsemble | null {
    return this.#model;
  }

  /** Plain-number counters for metrics (a live view; do not keep it across calls). */
  stats(): MlHybridStats {
    const s = this.#stats;
    s.requests = this.#t;
    s.breakerState = this.#breaker.state === 'closed' ? 0 : this.#breaker.state === 'open' ? 1 : 2;
    s.breakerOpens = this.#breaker.opens;
    s.modelAge = this.#scorer === null ? 0 : this.#t - this.#modelInstalledAt;
    s.shadowFallbackActive = this.#shadowFallback ? 1 : 0;
    s.labelsResolved = this.#training?.labeler.resolved ?? 0;
    s.labelsPending = this.#training?.labeler.pending ?? 0;
    s.labelCap = this.#cap();
    s.challengeMargin = this.#margin;
    s.shadowPercent = this.#shadow.percent;
    s.shadowWindows = this.#shadow.windows;
    s.shadowLiveHitRatio = this.#shadow.liveHitRatio;
    s.shadowBaseHitRatio = this.#shadow.shadowHitRatio;
    return s;
  }

  // ---- per request -----------------------------------------------------------------------------

  #request(keyId: number): void {
    const t = ++this.#t;
    const training = this.#training;
    if (training === null) return;
    training.request(keyId, t);
    // Before the first model every request samples: the sooner a model exists, the better.
    if (this.#scorer === null || t % this.#params.sampleEvery === 0) {
      const slot = this.#sampler.randomResident();
      if (slot >= 0) {
        const usage = this.#usage();
        this.#features.write(slot, t, this.#clock?.now() ?? 0, usage, this.#row, 0);
        training.labeler.record(this.#keyOf[slot]!, t, this.#cap(), this.#row, 0);
      }
    }
  }

  #touch(slot: number): void {
    this.#lastMissKey = Number.NaN;
    this.#version[slot] = (this.#version[slot]! + 1) >>> 0;
    this.#sampler.onHit(slot);
  }

  #observeShadow(keyId: number, size: number, hit: boolean): void {
    const shadow = this.#shadow;
    const before = shadow.windows;
    shadow.observe(keyId, size, hit);
    if (shadow.windows === before || this.#scorer === null || this.#shadowFallback) return;
    if (shadow.trailing >= this.#params.shadowSustain) {
      // Sustained trailing: back to the base until a newer model passes the gate.
      shadow.resetVerdict();
      this.#shadowFallback = true;
      this.#stats.shadowFallbacks++;
      this.#margin += this.#params.fallbackMarginStep;
      this.#pool.clear(this.#unpool);
    }
  }

  #fallbackReason(): FallbackReason | null {
    if (this.#scorer === null) return 'noModel';
    if (this.#shadowFallback) return 'shadow';
    if (!this.#breaker.allow()) return 'breakerOpen';
    return null;
  }

  #forget(slot: number): void {
    this.#version[slot] = (this.#version[slot]! + 1) >>> 0;
    this.#used -= this.#sizeOf[slot]!;
    this.#features.onRemove(slot);
    this.#sampler.onRemove(slot);
  }

  /** The miss-rate average spans a few cache turnovers (and starts fast). */
  #rateWeight(): number {
    return 1 / Math.min(this.#t, Math.max(1024, 4 * this.#sampler.residentCount));
  }

  /**
   * The memory window in requests: how long an entry stays resident on average (Little's law:
   * residents / misses per request), which is LRU's characteristic time.
   */
  #window(): number {
    const residents = Math.max(this.#sampler.residentCount, 64);
    return Math.max(residents, residents / Math.max(this.#missRate, 1e-4));
  }

  /** The label cap: capFactor × the memory window (LRB caps at 2 × its memory window). */
  #cap(): number {
    return Math.ceil(this.#params.capFactor * this.#window());
  }

  #usage(): number {
    return this.#capacity > 0 ? this.#used / this.#capacity : 1;
  }

  // ---- scoring ---------------------------------------------------------------------------------

  /**
   * The base's victim, challenged: fresh candidates are scored into the pool, and the pool's
   * best replaces the base's victim only if it scores higher by `challengeMargin`. The base's
   * victim is scored once and its score reused while it stays the base's choice, untouched.
   * Returns the pool's victim, or -1 to evict the base's.
   */
  #challenge(): number {
    if (this.#base.candidates(this.#one, 1) === 0) return -1;
    const head = this.#one[0]!;
    const known =
      head === this.#head &&
      this.#version[head] === this.#headVersion &&
      this.#headModel === this.#stats.modelVersion;
    this.#head = head;
    if (!this.#scoreBatch(!known)) return -1;
    if (!known) {
      this.#headVersion = this.#version[head]!;
      this.#headModel = this.#stats.modelVersion;
      this.#headScore = this.#scores[0]!;
    }
    const floor = this.#headScore + this.#margin;
    const victim = this.#pool.takeAbove(floor, this.#version);
    if (victim < 0) this.#stats.modelKeptBase++;
    return victim;
  }

  /**
   * Scores fresh candidates (and, with `withHead`, the base's victim first) and adds the fresh
   * ones to the pool; false when the model failed or overran its deadline.
   */
  #scoreBatch(withHead: boolean): boolean {
    const p = this.#params;
    const scorer = this.#scorer!;
    const n = this.#gather(withHead);
    if (n === 0) return true;
    const scores = this.#scores;
    const started = this.#now();
    try {
      scorer.predict(this.#rows, scores, n);
    } catch {
      this.#breaker.failure();
      this.#stats.fallbacks.scorerError++;
      return false;
    }
    this.#logicalWork += n * (scorer.treeCount ?? 1);
    if (!(this.#now() - started <= p.deadline)) {
      this.#breaker.failure();
      this.#stats.fallbacks.deadline++;
      return false;
    }
    this.#breaker.success();
    const batch = ++this.#stats.batches;
    const pool = this.#pool;
    const version = this.#version;
    const pooled = this.#pooledVersion;
    for (let i = 0; i < n; i++) {
      const slot = this.#candidates[i]!;
      const size = this.#sizeOf[slot]!;
      if (p.sizeAware && size > 1) scores[i] = scores[i]! + Math.log(size);
      if (slot === this.#head) continue;
      const out = pool.add(slot, scores[i]!, version);
      if (out !== slot) pooled[slot] = version[slot]! + 1;
      if (out >= 0) pooled[out] = 0;
    }
    if (this.#training !== null && batch % p.logEvery === 0) this.#logRows(n);
    return true;
  }

  /**
   * Samples fresh candidates (not pooled, not the head) after the head if `withHead`, and writes
   * their feature rows; returns how many rows.
   */
  #gather(withHead: boolean): number {
    const first = withHead ? 1 : 0;
    this.#candidates[0] = this.#head;
    this.#shares.recentWindow = Math.max(
      8,
      Math.round(this.#params.recentFraction * this.#sampler.residentCount),
    );
    const n =
      first + this.#sampler.sample(this.#base, this.#candidates, this.#shares, this.#skip, first);
    const nowMs = this.#clock?.now() ?? 0;
    const usage = this.#usage();
    for (let i = 0; i < n; i++) {
      const at = i * FEATURE_COUNT;
      this.#features.write(this.#candidates[i]!, this.#t, nowMs, usage, this.#rows, at);
    }
    return n;
  }

  #now(): number {
    return this.#clock === undefined ? this.#logicalWork : this.#clock.monotonic();
  }

  /** Logs random rows of the batch just gathered as training samples. */
  #logRows(n: number): void {
    const labeler = this.#training!.labeler;
    const cap = this.#cap();
    for (let k = 0; k < this.#params.logPerBatch; k++) {
      const i = this.#random.int(n);
      const keyId = this.#keyOf[this.#candidates[i]!]!;
      labeler.record(keyId, this.#t, cap, this.#rows, i * FEATURE_COUNT);
    }
  }

  /** Without a model: gathers what the model will be asked, only to log training rows. */
  #logCandidates(): void {
    if (this.#base.candidates(this.#one, 1) === 0) return;
    this.#head = this.#one[0]!;
    const n = this.#gather(true);
    if (n > 0) this.#logRows(n);
  }

  #install(scorer: Scorer, model: TreeEnsemble | null): void {
    if (this.#scorer !== null && !this.#shadowFallback) {
      // The model being replaced never lost to the base: trust the next one a little more.
      const p = this.#params;
      this.#margin = Math.max(p.challengeMargin, this.#margin - p.fallbackMarginStep / 4);
    }
    this.#scorer = scorer;
    this.#shadow.resetVerdict();
    this.#model = model;
    this.#stats.modelVersion++;
    this.#modelInstalledAt = this.#t;
    this.#shadowFallback = false;
    this.#pool.clear(this.#unpool);
    this.#breaker.reset();
  }

  #grow(slot: number): void {
    const size = grownSize(this.#keyOf.length, slot);
    this.#keyOf = growFloat64(this.#keyOf, size);
    this.#sizeOf = growFloat64(this.#sizeOf, size);
    const version = new Uint32Array(size);
    version.set(this.#version);
    this.#version = version;
    const pooled = new Uint32Array(size);
    pooled.set(this.#pooledVersion);
    this.#pooledVersion = pooled;
  }
}
