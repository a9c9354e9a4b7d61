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
 * - Remote scoring (`remoteScorer`, remote-scoring.ts): batches go to a scorer service ahead of
 *   need, one in flight, and their answers fill the same pool; evictions never wait for them.
 */
import type { Clock } from '../util/clock.ts';
import { createRandom } from '../util/random.ts';
import type { Random } from '../util/random.ts';
import { BaseSelector } from './base-selector.ts';
import type { CandidateShares } from './candidate-sampler.ts';
import { CandidateSampler } from './candidate-sampler.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { EvictionPolicy, PolicyOptions, ResidentView } from './eviction-policy.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION, FeatureTracker } from './features.ts';
import { createLfuPolicy } from './lfu.ts';
import { createLruPolicy } from './lru.ts';
import type { MlBase, MlHybridParams } from './ml-hybrid-params.ts';
import {
  marginForNoise,
  BASE_ML_HYBRID_PARAMS,
  insertionCandidates,
  NODE_ML_HYBRID_PARAMS,
  resolveMlHybridParams,
} from './ml-hybrid-params.ts';
import type { MlHybridStats } from './ml-hybrid-stats.ts';
import { emptyStats } from './ml-hybrid-stats.ts';
import { OnlineTraining } from './online-training.ts';
import { OverruleAudit } from './overrule-audit.ts';
import { RemoteScoring, systemTimer } from './remote-scoring.ts';
import type { RemoteFailure, SetTimer } from './remote-scoring.ts';
import type { RemoteScorer, RemoteScores, SampleSink, Scorer, TrainerPort } from './scorer-port.ts';
import { PriorGuard } from './prior-guard.ts';
import { sortSlotsByTime } from './sort-by-time.ts';
import { floorRateResidents } from './sampled-cache.ts';
import { ShadowBaseline } from './shadow-baseline.ts';
import {
  countNow,
  LOG2_SIZE_FEATURE,
  priorFeature,
  priorVictimRow,
  rawPrediction,
  saturationLevel,
} from './saturation-prior.ts';
import type { TreeEnsemble } from './tree-model.ts';
import { scorerFor } from './compiled-ensemble.ts';
import { S_POOLED, S_VERSION, U32_STRIDE } from './feature-table.ts';
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
  /**
   * A scorer in another process (`--scorer grpc://host:port`) instead of `scorer`: batches are
   * scored ahead of need and evictions never wait for them (see `RemoteScorer`). Needs `clock`
   * (the deadline, `params.deadline`, is in ms). Refused at construction (RangeError) when it
   * was trained on another feature schema.
   */
  readonly remoteScorer?: RemoteScorer;
  /** With remote scoring: where training windows go instead of `trainer` (central training). */
  readonly sampleSink?: SampleSink;
  /** Sees every scored batch when `clock` is given: rows, ms, and whether it was remote. */
  readonly observer?: ScoringObserver;
  /** The remote deadline's timer. @default setTimeout, unref'd */
  readonly setTimer?: SetTimer;
}

/** Receives each scored batch's size and latency (a node's histogram and batch sizes). */
export interface ScoringObserver {
  scoreBatch(rows: number, ms: number, remote: boolean): void;
}

/** Why an eviction went to the base policy. */
export type FallbackReason =
  'noModel' | 'breakerOpen' | 'scorerError' | 'deadline' | 'shadow' | 'notScored' | 'plain';

/**
 * The most requests a resident is seeded into the shadows with (`#warmShadows`): enough to
 * set LFU's counts apart where they matter, few enough that a start costs little.
 */
const SEED_ACCESSES_MAX = 16;

/**
 * Stands for the remote model in `#scorer` while the remote scorer has one: the request path
 * only asks whether a model exists, and eviction scores through the remote batches, never here.
 */
const REMOTE_MODEL: Scorer = Object.freeze({
  featureSchemaVersion: FEATURE_SCHEMA_VERSION,
  nFeatures: FEATURE_COUNT,
  predict(): void {
    throw new Error('the remote model scores asynchronously');
  },
});

export function createMlHybridPolicy(options: MlHybridOptions): MlHybridPolicy {
  return new MlHybridPolicy(options);
}

/** The base policy of a kind, for a capacity (also what the shadow runs). */
export function createBasePolicy(base: MlBase, capacity: number, seed = 1): EvictionPolicy {
  if (base === 'lru') return createLruPolicy({ capacity, seed });
  if (base === 'lfu') return createLfuPolicy({ capacity, seed });
  throw new RangeError(`unknown base policy ${String(base)}`);
}

/**
 * The learned policy's own memory per resident entry beyond the store's ENTRY_OVERHEAD: the
 * feature record, the sampler's record, the second order, the shadow's and labeler's share and
 * the typed arrays' growth slack. Measured as the growth of RSS per entry of a full Store
 * evicting on every insert, against LRU and LFU (node/bench/entry-overhead.ts, 500K entries,
 * 16-byte keys, 100-byte values, Node 26): 191 and 203 B without remembered evicted keys, with
 * 96-byte feature records; 200 until the record became 64 bytes (feature-table.ts), which takes
 * 32 B off every slot of the table (the same run's V8 array memory per entry fell by 33 B at
 * 253K entries, 63 B at 266K, where the table had just doubled).
 */
export const ML_ENTRY_STATE_BYTES = 168;
/**
 * One remembered evicted key: a 64-byte row and its share of the index (the same measurement
 * with the table at twice the residents: about 170 B more per entry).
 */
export const ML_GHOST_BYTES = 80;
/**
 * The share of a byte budget the evicted-keys table may hold (`ghostLimitForBudget`). On the
 * demo's workload at equal memory (hack/demo-workload-sim.ts), 2.5% and 5% did best, none and
 * 10% a little worse, 20% a point worse (docs/learned-eviction.md, "Memory in a node").
 */
export const ML_GHOST_BUDGET_SHARE = 0.05;

/**
 * `plainGrace` × this: the windows after which plain verdicts count even without a model (a
 * remote trainer that never delivers one, say).
 */
const PLAIN_GRACE_WITHOUT_MODEL = 16;
/** A slot version no slot reaches (they start at 0 and count touches): marks rows as stale. */
const STALE_VERSION = 0xffffffff;
/** The audit's pairs while the policy runs plain: its counts stay, its memory mostly goes. */
const PLAIN_AUDIT_PAIRS = 64;
/**
 * Learning again (`#adoptSome`): residents adopted into the learned state per eviction, and
 * slots looked at per eviction at most. A whole rebuild at once took 0.15 s for 196K keys.
 */
const ADOPT_PER_EVICTION = 16;
const ADOPT_SCAN_PER_EVICTION = 64;
/**
 * `plainShift`: windows of a plain run before its hit ratio is watched (the freed memory fills
 * first, and the ratio rises with it), and the weights of the new window in the fast and the
 * slow average of the ratio.
 */
const PLAIN_SETTLE_WINDOWS = 8;
const PLAIN_FAST_WEIGHT = 0.5;
const PLAIN_SLOW_WEIGHT = 0.1;

/** `auditEvery`: the width of a lead bin (log units). */
const AUDIT_BIN = 0.125;
/**
 * Evicted-keys table entries per audited pair. 4 cost the demo's ML+LFU 0.3–1 point of hit
 * ratio at 8 MiB (the pairs' memory, about 2% of the budget: with the audit allocated but never
 * acting, the same loss); 16 costs it nothing measurable.
 */
const AUDIT_PAIR_KEYS = 16;
/** Resolved pairs between two updates of the margin from the audit. */
const AUDIT_APPLY = 64;

/**
 * The most evicted keys to remember in a cache of `budgetBytes` whose memory they count against:
 * ML_GHOST_BUDGET_SHARE of it. 0 for no budget (nothing to share).
 */
export function ghostLimitForBudget(budgetBytes: number): number {
  return Math.floor((ML_GHOST_BUDGET_SHARE * budgetBytes) / ML_GHOST_BYTES);
}

export class MlHybridPolicy implements EvictionPolicy {
  readonly name: string;
  /**
   * Charged by a byte-budget store with each entry (`EvictionPolicy.entryOverhead`): the state
   * above, or 0 while it runs plain (`#plain`). The evicted-keys table is `reservedBytes`.
   */
  #entryOverhead = ML_ENTRY_STATE_BYTES;
  readonly #base: EvictionPolicy;
  readonly #otherKind: MlBase;
  readonly #seed: number;
  /**
   * `adaptiveBase`: the other kind's order over the same residents, the selector that says which
   * of the two proposes victims, and the one that does now (`#base` without the knob). Both
   * orders are kept on every request. (Building ML+LFU's LRU order from the feature records'
   * last-access times only when the selector picks it was tried: it saved about 9% of the
   * policy's CPU per SET, nothing measurable in a node, and cost a pause of O(residents), about
   * half a second at 4M keys, at every switch.)
   */
  #other: EvictionPolicy | null = null;
  readonly #selector: BaseSelector | null = null;
  #order: EvictionPolicy;
  readonly #params: MlHybridParams;
  #capacity: number;
  readonly #clock: Clock | undefined;
  readonly #random: Random;
  #features: FeatureTracker;
  /** Whether the ghost table grows with the residents (`ghostCapacity` 0). */
  readonly #growGhosts: boolean;
  /** Whether the capacity is memory that `reservedBytes` counts against (`memoryBudget`). */
  readonly #memoryBudget: boolean;
  #sampler: CandidateSampler;
  readonly #pool: VictimBuffer;
  readonly #breaker: CircuitBreaker;
  readonly #shadow: ShadowBaseline;
  /** Switches the saturation prior off where the policy trails its shadow (`priorGuard`). */
  readonly #priorGuard: PriorGuard | null;
  readonly #training: OnlineTraining | null;
  readonly #stats: MlHybridStats = emptyStats();
  /** What each eviction samples; the recent window follows the resident count. */
  readonly #shares: { -readonly [K in keyof CandidateShares]: CandidateShares[K] };

  #scorer: Scorer | null = null;
  /** The installed model as trees, when it came as trees (for export); null otherwise. */
  #model: TreeEnsemble | null = null;
  #modelInstalledAt = 0;
  #shadowFallback = false;
  /** Shadow windows since the last fallback (`fallbackProbation`). */
  #fallbackWindows = 0;
  /**
   * `plainSustain`: whether the policy runs as its plain base now; the cache's view of its
   * residents, from which it learns again (`attachResidents`; without one it never goes plain);
   * whether it may go plain at all; the shadow window from which plain verdicts count; trailing
   * verdicts in a row; when it learns again; the current probation; and when it last started
   * learning again (-1: never).
   */
  #plain = false;
  #residents: ResidentView | null = null;
  /**
   * Learning again (`#learnAgain`): the residents are adopted into the learned state a few per
   * eviction, by slot number from `#adoptFrom` on, or at their next request, whichever comes
   * first; meanwhile the base evicts.
   */
  #waking = false;
  #adoptFrom = 0;
  /**
   * `plainShift`, while running plain: its windows so far, the live hit ratio averaged fast and
   * slow from the PLAIN_SETTLE_WINDOWS-th on, and the windows in a row the two were apart.
   */
  #plainWindows = 0;
  #plainFast = 0;
  #plainSlow = 0;
  #plainApart = 0;
  /**
   * Whether the last learning again came from a turn (`plainShift`), and whether a turn may end
   * this plain run: not after one whose learning did not outlast the probation, until a
   * probation has ended a plain run again (a bursty workload must not wake the policy at every
   * run).
   */
  #wokeOnTurn = false;
  #turnsWake = true;
  readonly #plainAllowed: boolean;
  #plainWatchFrom: number;
  #plainTrailing = 0;
  #plainUntil = 0;
  #plainProbation: number;
  #learningSince = -1;
  /**
   * Residents from which the shadow and the selector (same sampling knobs) sample at their floor
   * rate, so they are warmed then rather than at the first eviction (`#warmShadows`).
   */
  readonly #warmAt: number;
  /** Whether an expiry was ever set (`setExpiry`): only then is the TTL feature's clock read. */
  #expiries = false;
  /**
   * How much farther than the base's victim the model must rank a candidate to evict it: the
   * `challengeMargin` knob, raised after every shadow fallback (the model lost to its base) and
   * lowered back, step by step, by models that live out their time without one.
   */
  #margin: number;
  /** The margin without what shadow fallbacks added. */
  #marginFloor: number;
  /** `auditEvery`: the challenge judged by outcomes, and evictions since the last audited one. */
  #audit: OverruleAudit | null;
  #sinceAudit = 0;
  /** The evicted-keys table's capacity when the shadow's room was last set (`#shadowRoom`). */
  #roomGhosts = 0;
  /** What the audit holds, allocated up front (part of `reservedBytes`). */
  #auditBytes: number;
  /** Pairs resolved when the audit last set the margin. */
  #auditApplied = 0;

  #t = 0;
  #used = 0;
  #lastMissKey = Number.NaN;
  #logicalWork = 0;
  /** Evictions by the base while a model exists (`#logsThisFallback`). */
  #fallbackEvictions = 0;
  /** Misses per request, exponentially weighted: sets the memory window (#window). */
  #missRate = 1;

  /**
   * Per slot, in its feature record (`#features.slotWords`, which a request for the slot touches
   * anyway, as it does for its key id and size, `keyOf` and `sizeOf`): a version bumped on every
   * touch (stales pool entries) at S_VERSION, and its version + 1 while it sits in the pool (so
   * it is not sampled again) at S_POOLED. `#versionOf`, `#bump`, `#isPooled` read and write them.
   */

  /** One batch: the base's victim (when it needs scoring) first, then fresh candidates. */
  readonly #candidates: Int32Array;
  readonly #rows: Float32Array;
  readonly #scores: Float64Array;
  /** What the pool did with each candidate of the batch (`VictimBuffer.addBatch`). */
  readonly #added: Int32Array;
  readonly #row = new Float32Array(FEATURE_COUNT);
  readonly #one = new Int32Array(1);
  /** The base's victim as last scored: its score is reused while it stays, untouched. */
  #head = -1;
  #headVersion = 0;
  #headModel = 0;
  #headScore = 0;
  /** The base's victim's prediction without the size term, and its accesses (the prior's). */
  #headRaw = 0;
  #headFreq = 0;
  #headScoredAt = 0;
  /** The last scored batch: its rows, and the first fresh one (1 when the head led it). */
  #batchRows = 0;
  #batchFirst = 0;
  readonly #observer: ScoringObserver | undefined;
  /** Whether installed tree models are compiled to code (`compileModel`; a node's default). */
  readonly #compile: boolean;
  /** Remote scoring (null when scoring locally) and the batch in flight: slots as sent. */
  readonly #remote: RemoteScoring | null = null;
  #remoteSlots = new Int32Array(0);
  #remoteVersions = new Uint32Array(0);
  #remoteRows = new Float32Array(0);
  /** Rows of the batch in flight that are the base's next victims (listed first). */
  #remoteHeadCount = 0;
  /** The base's next victims as scored by the remote model (slot, version, score). */
  #heads = new Int32Array(0);
  #headVersions = new Uint32Array(0);
  #headScores = new Float64Array(0);
  #headsHeld = 0;
  /**
   * The base victims' typical remote score (a running mean; NaN until one is scored): the floor
   * when the base's victim at hand was evicted into the batch's round trip unscored.
   */
  #headEstimate = Number.NaN;
  /** No batch before this (monotonic ms): the remote scorer had no model. */
  #remoteRetryAt = Number.NEGATIVE_INFINITY;
  readonly #remoteSkip = (slot: number): boolean => this.#isPooled(slot) || this.#sentAsHead(slot);

  /**
   * Skips pooled slots and the head (a field, so no closure is made per batch). The pooled mark
   * is in the slot's feature record, one cache line, whose row is written right after.
   */
  readonly #skip = (slot: number): boolean => slot === this.#head || this.#isPooled(slot);
  /**
   * What the batches logged while the base evicts skip: the head only. No pool is used then, and
   * a candidate's pooled mark sits in its feature record, a cache miss per candidate in a large
   * cache (the logged one's row is the only record read). Before a first model the pool is empty,
   * so the rows are those `#skip` gave; in a later fallback a pooled candidate may be logged too.
   */
  readonly #skipHead = (slot: number): boolean => slot === this.#head;
  readonly #unpool = (slot: number): void => {
    this.#features.slotWords[slot * U32_STRIDE + S_POOLED] = 0;
  };

  constructor(options: MlHybridOptions) {
    const p = resolveMlHybridParams({
      ...BASE_ML_HYBRID_PARAMS[options.base],
      ...(options.clock === undefined ? {} : NODE_ML_HYBRID_PARAMS),
      ...options.params,
    });
    const seed = options.seed ?? 1;
    this.#params = p;
    this.#margin = p.challengeMargin;
    this.#marginFloor = p.challengeMargin;
    this.name = `ml-${options.base}`;
    this.#capacity = options.capacity;
    this.#clock = options.clock;
    this.#seed = seed;
    this.#base = createBasePolicy(options.base, options.capacity, seed);
    this.#order = this.#base;
    const other = options.base === 'lru' ? 'lfu' : 'lru';
    this.#otherKind = other;
    if (p.adaptiveBase) {
      this.#other = createBasePolicy(other, options.capacity, seed);
      this.#selector = new BaseSelector({
        createBase: (kind, capacity) => createBasePolicy(kind, capacity, seed),
        capacity: options.capacity,
        seed,
        initial: options.base,
        minEntries: p.shadowMinEntries,
        minPercent: p.shadowMinPercent,
        margin: p.baseSwitchMargin,
        decay: p.baseSwitchDecay,
      });
    }
    this.#random = createRandom(seed ^ 0x6d6c);
    this.#memoryBudget = options.memoryBudget === true;
    this.#growGhosts = p.ghostCapacity === 0;
    this.#features = this.#newFeatures();
    const ghosts = this.#features.ghostCapacity;
    // Remote scoring challenges by other means (#remoteChallenge) and is not audited.
    this.#audit =
      p.auditEvery > 0 && options.remoteScorer === undefined
        ? new OverruleAudit({
            capacity: this.#auditPairs(ghosts),
            binWidth: AUDIT_BIN,
            bins: Math.min(255, Math.ceil(p.marginCeiling / AUDIT_BIN) + 1),
            window: p.auditWindow,
            confidence: p.auditConfidence,
          })
        : null;
    this.#auditBytes = this.#audit === null ? 0 : OverruleAudit.bytesFor(this.#audit.capacity);
    this.#sampler = new CandidateSampler(this.#random);
    const k = 1 + p.tail + insertionCandidates(p) + p.recent + p.random;
    this.#candidates = new Int32Array(k);
    this.#rows = new Float32Array(k * FEATURE_COUNT);
    this.#scores = new Float64Array(k);
    this.#added = new Int32Array(k);
    this.#pool = new VictimBuffer(p.poolSize, U32_STRIDE, S_VERSION);
    this.#shares = {
      tail: p.tail,
      recent: p.recent,
      random: p.random,
      newest: p.newest,
      exitAge: 0,
      recentWindow: 8,
      tailScan: 4 * p.tail + 4,
      sweep: p.randomSweep,
    };
    const clock = this.#clock;
    this.#compile = p.compileModel;
    this.#observer = options.observer;
    this.#remote = this.#remoteScoring(options, p);
    this.#breaker = new CircuitBreaker({
      now: clock === undefined ? () => this.#t : () => clock.monotonic(),
      failureThreshold: p.breakerFailures,
      cooldown: p.breakerCooldown,
    });
    this.#shadow = new ShadowBaseline({
      createBase: (capacity) => createBasePolicy(options.base, capacity, seed),
      ...(p.adaptiveBase && p.shadowFollowsOrder
        ? { createOther: (capacity: number) => createBasePolicy(other, capacity, seed) }
        : {}),
      // Where the budget is memory, what the plain base would hit in it (see `plain`).
      ...(this.#memoryBudget
        ? {
            plain: {
              create: (capacity: number) => createBasePolicy(options.base, capacity, seed),
              entryOverhead: ML_ENTRY_STATE_BYTES,
              capacity: options.capacity,
            },
          }
        : {}),
      // The room the live entries have: the base is judged in it, not in the whole budget.
      capacity: this.#shadowRoom(),
      seed,
      minEntries: p.shadowMinEntries,
      minPercent: p.shadowMinPercent,
      margin: p.shadowMargin,
      plainMargin: p.plainMargin,
    });
    this.#roomGhosts = this.#features.ghostCapacity;
    // The selector's two orders are replayed in the live entries' room too.
    if (this.#memoryBudget) this.#selector?.resize(this.#shadowRoom());
    this.#plainAllowed = this.#memoryBudget && p.plainSustain > 0;
    this.#plainWatchFrom = p.plainGrace;
    this.#plainProbation = p.plainProbation;
    this.#warmAt = floorRateResidents(p.shadowMinEntries, p.shadowMinPercent);
    this.#priorGuard =
      p.saturationPrior && p.priorGuard ? new PriorGuard({ cooldown: p.priorGuardCooldown }) : null;
    if (options.trainer !== undefined && options.sampleSink !== undefined) {
      throw new TypeError('give the ML hybrid a trainer or a sample sink, not both');
    }
    this.#training =
      options.trainer === undefined && options.sampleSink === undefined
        ? null
        : new OnlineTraining({
            ...(options.trainer === undefined ? {} : { trainer: options.trainer }),
            ...(options.sampleSink === undefined ? {} : { sink: options.sampleSink }),
            kind: options.base,
            seed,
            params: p,
            stats: this.#stats,
            ...(clock === undefined ? {} : { clock }),
            current: () => this.#scorer,
            // The gate judged the flat evaluator; the compiled one scores exactly the same.
            install: (scorer, model) =>
              this.#install(this.#compile ? scorerFor(model, true) : scorer, model),
          });
    if (options.scorer !== undefined) this.installModel(options.scorer);
  }

  // ---- the EvictionPolicy contract -------------------------------------------------------------

  get entryOverhead(): number {
    return this.#entryOverhead;
  }

  attachResidents(view: ResidentView): void {
    this.#residents = view;
  }

  onMiss(keyId: number): void {
    if (this.#plain) {
      this.#t++;
      this.#lastMissKey = keyId;
      this.#base.onMiss(keyId);
      return;
    }
    this.#request(keyId);
    this.#missRate += (1 - this.#missRate) * this.#rateWeight();
    this.#lastMissKey = keyId;
    this.#base.onMiss(keyId);
    this.#other?.onMiss(keyId);
  }

  onInsert(slot: number, keyId: number, charged: number): void {
    if (this.#plain) {
      this.#plainInsert(slot, keyId, charged);
      return;
    }
    const size = this.#learnedSize(charged);
    if (this.#lastMissKey !== keyId) this.#request(keyId);
    this.#lastMissKey = Number.NaN;
    if (this.#sampler.isResident(slot)) this.onRemove(slot);
    this.#track(slot, keyId, size);
    this.#base.onInsert(slot, keyId, size);
    this.#other?.onInsert(slot, keyId, size);
    if (this.#shadow.sampled(keyId)) this.#observeShadow(keyId, size, false);
    if (this.#selector?.sampled(keyId) === true) this.#observeSelector(keyId, size);
    if (!this.#shadow.started && this.#sampler.residentCount >= this.#warmAt) {
      this.#warmShadows();
    }
  }

  onAccess(slot: number): void {
    if (this.#plain) {
      this.#base.onAccess(slot);
      this.#plainRequest(slot);
      return;
    }
    if (!this.#sampler.isResident(slot) && !this.#adopted(slot)) return;
    const keyId = this.#features.keyOf(slot);
    this.#request(keyId);
    this.#missRate -= this.#missRate * this.#rateWeight();
    this.#touch(slot);
    this.#features.onAccess(slot, this.#t);
    this.#base.onAccess(slot);
    this.#other?.onAccess(slot);
    const size = this.#features.sizeOf(slot);
    if (this.#shadow.sampled(keyId)) this.#observeShadow(keyId, size, true);
    if (this.#selector?.sampled(keyId) === true) this.#observeSelector(keyId, size);
  }

  onUpdate(slot: number, charged: number): void {
    if (this.#plain) {
      this.#base.onUpdate(slot, charged);
      this.#plainRequest(slot);
      return;
    }
    if (!this.#sampler.isResident(slot) && !this.#adopted(slot)) return;
    const size = this.#learnedSize(charged);
    const keyId = this.#features.keyOf(slot);
    this.#request(keyId);
    this.#touch(slot);
    this.#used -= this.#features.sizeOf(slot);
    this.#features.onUpdate(slot, this.#t, size, 0);
    this.#used += this.#features.sizeOf(slot);
    this.#base.onUpdate(slot, size);
    this.#other?.onUpdate(slot, size);
    if (this.#shadow.sampled(keyId)) this.#observeShadow(keyId, size, true);
    if (this.#selector?.sampled(keyId) === true) this.#observeSelector(keyId, size);
  }

  onRemove(slot: number): void {
    if (this.#plain) {
      this.#base.onRemove(slot);
      return;
    }
    if (!this.#sampler.isResident(slot)) {
      // Learning again, a resident not adopted yet is the base's alone.
      if (this.#waking) this.#base.onRemove(slot);
      return;
    }
    // Left without being evicted (expired, deleted): whatever it was sampled for is dead.
    this.#training?.labeler.dead(this.#features.keyOf(slot), this.#t);
    this.#base.onRemove(slot);
    this.#other?.onRemove(slot);
    this.#forget(slot);
  }

  /**
   * The entry in `slot` now expires at `expiresAtMs` (epoch ms on the injected clock; 0: never),
   * so its feature 9 is the TTL left. Without a clock no TTL can be measured: feature 9 stays
   * MISSING and this does nothing. It is not a request: the logical clock, the base, the shadow
   * and the labeler do not see it. The slot's version moves, so that a score computed with the
   * old TTL (in the pool, or the base's victim's) is not reused.
   */
  setExpiry(slot: number, expiresAtMs: number): void {
    // Running plain, expiries are not kept: learning again starts without them (until the next).
    if (this.#plain) return;
    if (this.#clock === undefined) return;
    if (!this.#sampler.isResident(slot) && !this.#adopted(slot)) return;
    if (expiresAtMs > 0) this.#expiries = true;
    this.#features.setExpireAt(slot, expiresAtMs > 0 ? expiresAtMs : 0);
    this.#bump(slot);
  }

  evict(): number {
    if (this.#plain) {
      if (this.#t < this.#plainUntil) return this.#plainEvict();
      this.#learnAgain();
    }
    if (this.#waking) {
      this.#adoptSome(this.#residents!);
      if (this.#waking) return this.#plainEvict();
    }
    if (this.#sampler.residentCount === 0) return this.#base.evict();
    if (!this.#shadow.comparing) this.#startComparing();
    if (this.#remote !== null) this.#remoteRefill(this.#remote);
    const reason = this.#fallbackReason();
    let victim = -1;
    if (reason === null) {
      victim = this.#remote === null ? this.#challenge() : this.#remoteChallenge();
    } else {
      this.#stats.fallbacks[reason]++;
      if (this.#training !== null && this.#remote === null && this.#logsThisFallback()) {
        this.#logCandidates();
      }
    }
    if (victim < 0) {
      victim = this.#order.evict();
      if (this.#other !== null && victim >= 0) {
        (this.#order === this.#base ? this.#other : this.#base).onRemove(victim);
      }
      this.#stats.baseEvictions++;
    } else {
      this.#base.onRemove(victim);
      this.#other?.onRemove(victim);
      this.#stats.modelEvictions++;
    }
    if (victim >= 0) this.#forget(victim);
    return victim;
  }

  candidates(out: Int32Array | number[], max: number): number {
    return this.#order.candidates(out, max);
  }

  /** ML+LFU's base counts accesses as LFU does (in plain runs too); ML+LRU's keeps no count. */
  frequencyOf(slot: number): number {
    return this.#base.frequencyOf?.(slot) ?? -1;
  }

  clear(): void {
    this.#base.clear();
    this.#other?.clear();
    this.#sampler.clear();
    this.#features.clear();
    this.#pool.clear(this.#unpool);
    this.#head = -1;
    this.#used = 0;
    // Warmed again, from what the cache holds then, as at the start.
    this.#shadow.stop();
    this.#selector?.stop();
  }

  /**
   * CONFIG SET maxmemory: the usage feature, both orders, the shadow and the base selector follow
   * the new capacity, and so does the evicted-keys table's limit where it is paid for from the
   * budget: a larger budget lets it grow further, a smaller one shrinks it at once to its share
   * (keeping the newest keys), so that it never takes more than its share of the new budget.
   */
  resize(capacity: number): void {
    this.#capacity = capacity;
    if (this.#growGhosts) this.#features.setGhostLimit(this.#ghostLimit(capacity));
    // Its counts stay; its open pairs are dropped (a few hundred outcomes lost).
    this.#resizeAudit(
      this.#plain ? PLAIN_AUDIT_PAIRS : this.#auditPairs(this.#features.ghostCapacity),
    );
    this.#base.resize?.(capacity);
    this.#other?.resize?.(capacity);
    this.#shadow.resize(this.#shadowRoom(), capacity);
    this.#roomGhosts = this.#features.ghostCapacity;
    this.#selector?.resize(this.#shadowRoom());
  }

  /** The order proposing victims now: the own base's, or the other one's (`adaptiveBase`). */
  get order(): MlBase {
    const own = this.name.slice(3) as MlBase;
    if (this.#order === this.#base) return own;
    return own === 'lru' ? 'lfu' : 'lru';
  }

  // ---- models and counters ---------------------------------------------------------------------

  /**
   * Installs a model without validation (one loaded from a file, say). Returns false, and keeps
   * the current model, when it was trained on another feature schema.
   */
  installModel(model: Scorer | TreeEnsemble): boolean {
    const scorer = 'trees' in model ? scorerFor(model, this.#compile) : model;
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

  /**
   * The most evicted keys to remember: `ghostMaxCapacity`, and where they are paid for from a
   * memory budget, at most its share (`ghostLimitForBudget`).
   */
  #ghostLimit(capacity: number): number {
    const p = this.#params;
    return this.#memoryBudget
      ? Math.min(p.ghostMaxCapacity, ghostLimitForBudget(capacity))
      : p.ghostMaxCapacity;
  }

  /** The evicted-keys table's memory (`EvictionPolicy.reservedBytes`). */
  reservedBytes(): number {
    return this.#features.ghostCapacity * ML_GHOST_BYTES + this.#auditBytes;
  }

  /** Plain-number counters for metrics (a live view; do not keep it across calls). */
  stats(): MlHybridStats {
    const s = this.#stats;
    s.requests = this.#t;
    s.breakerState = this.#breaker.state === 'closed' ? 0 : this.#breaker.state === 'open' ? 1 : 2;
    s.breakerOpens = this.#breaker.opens;
    s.modelAge = this.#scorer === null ? 0 : this.#t - this.#modelInstalledAt;
    s.shadowFallbackActive = this.#shadowFallback ? 1 : 0;
    s.priorGuardTrips = this.#priorGuard?.trips ?? 0;
    s.ghostKeys = this.#features.ghostCount;
    s.ghostCapacity = this.#features.ghostCapacity;
    s.labelsResolved = this.#training?.labeler.resolved ?? 0;
    s.labelsPending = this.#training?.labeler.pending ?? 0;
    s.labelCap = this.#cap();
    s.challengeMargin = this.#margin;
    s.auditResolved = this.#audit?.resolved ?? 0;
    s.auditMargin = this.#auditedMargin();
    s.shadowPercent = this.#shadow.percent;
    s.shadowWindows = this.#shadow.windows;
    s.shadowLiveHitRatio = this.#shadow.liveHitRatio;
    s.shadowBaseHitRatio = this.#shadow.shadowHitRatio;
    s.shadowPlainHitRatio = this.#shadow.plainHitRatio;
    s.plainActive = this.#plain ? 1 : 0;
    s.plainProbation = this.#mayGoPlain() ? this.#plainProbation : 0;
    s.remoteBatches = this.#remote?.sent ?? 0;
    s.remoteLate = this.#remote?.late ?? 0;
    s.remoteInFlight = this.#remote?.inFlight === true ? 1 : 0;
    return s;
  }

  // ---- per request -----------------------------------------------------------------------------

  #request(keyId: number): void {
    const t = ++this.#t;
    this.#audit?.request(keyId, t);
    const training = this.#training;
    if (training === null) return;
    training.request(keyId, t);
    // Before the first model every request samples: the sooner a model exists, the better.
    if (this.#scorer === null || t % this.#params.sampleEvery === 0) {
      const slot = this.#sampler.randomResident();
      if (slot >= 0) {
        const usage = this.#usage();
        this.#features.write(slot, t, this.#wallMs(), usage, this.#row, 0);
        training.labeler.record(this.#features.keyOf(slot), t, this.#cap(), this.#row, 0);
      }
    }
  }

  #touch(slot: number): void {
    this.#lastMissKey = Number.NaN;
    this.#bump(slot);
    this.#sampler.onHit(slot);
  }

  /** A request of the selector's sample: the order proposing victims follows its verdict. */
  #observeSelector(keyId: number, size: number): void {
    const selector = this.#selector!;
    selector.observe(keyId, size);
    const order = selector.active === this.name.slice(3) ? this.#base : this.#other!;
    if (order !== this.#order) this.#setOrder(order);
  }

  /** The order proposing victims is `order` from now on (`adaptiveBase`). */
  #setOrder(order: EvictionPolicy): void {
    this.#order = order;
    this.#stats.baseSwitches++;
    this.#stats.otherBaseActive = order === this.#base ? 0 : 1;
    this.#shadow.judgeAgainst(order !== this.#base);
  }

  /** At the first eviction: the shadow and the selector start comparing (warmed if need be). */
  #startComparing(): void {
    const residents = this.#sampler.residentCount;
    if (!this.#shadow.started) this.#warmShadows();
    this.#shadow.start(residents);
    this.#selector?.start(residents);
  }

  /**
   * Starts the shadow and the selector replaying, and seeds them with the sampled residents,
   * oldest access first, each as min(its count, SEED_ACCESSES_MAX) requests, so that they start
   * from (about) the state the live cache reached, recency and frequency, instead of empty.
   * Started empty, a shadow of LFU held none of the keys the live LFU kept for their old counts,
   * and judged the model by a cache that had never had them: it fell back with the model
   * trailing where the model had not chosen a single victim. It runs at the first eviction, or
   * in a large cache once the residents reach the count from which the sampling rate is at its
   * floor (about 20,000): from there the shadows see the fill themselves, and the seeding, which
   * sorts the residents, never costs more than that count. (At the first eviction of a cache of
   * 4M keys it took 1.2 s.)
   */
  #warmShadows(): void {
    const shadow = this.#shadow;
    const selector = this.#selector;
    shadow.warm(this.#sampler.residentCount);
    selector?.warm(this.#sampler.residentCount);
    const features = this.#features;
    const slots = this.#residentsByLastAccess();
    for (const slot of slots) {
      const keyId = features.keyOf(slot);
      const inShadow = shadow.sampled(keyId);
      const inSelector = selector?.sampled(keyId) === true;
      if (!inShadow && !inSelector) continue;
      const size = features.sizeOf(slot);
      const accesses = Math.min(SEED_ACCESSES_MAX, Math.max(1, features.countOf(slot)));
      if (inShadow) shadow.seed(keyId, size, accesses);
      if (inSelector) selector.seed(keyId, size, accesses);
    }
  }

  /** The resident slots, least recently accessed first (radix-sorted, O(residents)). */
  #residentsByLastAccess(): Int32Array {
    const slots = this.#sampler.residentSlots();
    const times = new Float64Array(slots.length);
    for (let i = 0; i < slots.length; i++) times[i] = this.#features.lastAccessOf(slots[i]!);
    sortSlotsByTime(slots, times);
    return slots;
  }

  #observeShadow(keyId: number, size: number, hit: boolean): void {
    const shadow = this.#shadow;
    const before = shadow.windows;
    shadow.observe(keyId, size, hit);
    if (shadow.windows === before) return;
    if (this.#mayGoPlain() && this.#plainVerdict()) {
      this.#goPlain();
      return;
    }
    if (this.#scorer === null) return;
    if (this.#shadowFallback) {
      // On probation: after that many windows the model acts again and is judged afresh.
      const probation = this.#params.fallbackProbation;
      if (probation > 0 && ++this.#fallbackWindows >= probation) {
        this.#shadowFallback = false;
        shadow.resetVerdict();
      }
      return;
    }
    if (
      this.#priorGuard?.windowClosed(shadow.lastVerdict < 0, this.#t, this.#cap()) === true &&
      this.#params.priorGuardRestartsShadow
    ) {
      // The prior acted and the policy trails: the prior goes first, the model is judged alone.
      // Without the restart (priorGuardRestartsShadow false) the prior is off all the same, and
      // the count below goes on: a fallback in this very window clears the trip just made.
      shadow.resetVerdict();
      return;
    }
    if (shadow.trailing >= this.#params.shadowSustain) {
      // Sustained trailing: back to the base until a newer model passes the gate.
      shadow.resetVerdict();
      this.#shadowFallback = true;
      this.#fallbackWindows = 0;
      this.#stats.shadowFallbacks++;
      this.#priorGuard?.cleared(this.#t);
      this.#margin += this.#params.fallbackMarginStep;
      this.#pool.clear(this.#unpool);
      this.#training?.retrainSoon(this.#params.fallbackRetrainAfter);
    }
  }

  // ---- running as the plain base (`plainSustain`) ------------------------------------------------

  /**
   * At the end of a shadow window: whether the live cache has now trailed the plain base in the
   * same memory for `plainSustain` windows in a row. Windows count after `plainGrace` (from the
   * start, or from learning again), and without a model only after PLAIN_GRACE_WITHOUT_MODEL
   * times as many: before a first model the learned policy is its base in less room, which
   * would always trail.
   */
  #plainVerdict(): boolean {
    const shadow = this.#shadow;
    const from = this.#plainWatchFrom;
    const withoutModel = from + (PLAIN_GRACE_WITHOUT_MODEL - 1) * this.#params.plainGrace;
    // Called from learned requests only (a plain run observes its shadow itself).
    const counts =
      !this.#waking &&
      shadow.windows >= from &&
      (this.#scorer !== null || shadow.windows >= withoutModel);
    if (!counts || shadow.lastPlainVerdict >= 0) {
      this.#plainTrailing = 0;
      return false;
    }
    return ++this.#plainTrailing >= this.#params.plainSustain;
  }

  /**
   * An entry's size as charged while learning: the store's charge holds less of the learned
   * state while the policy learns again (`#adoptSome` raises it step by step); else `charged`.
   */
  #learnedSize(charged: number): number {
    return this.#waking ? charged - this.#entryOverhead + ML_ENTRY_STATE_BYTES : charged;
  }

  /** Whether the policy may go plain: `plainAllowed`, and the cache gave it its residents. */
  #mayGoPlain(): boolean {
    return this.#plainAllowed && this.#residents !== null;
  }

  /**
   * Runs as the plain base from now on: the learned state per entry, the evicted keys, the other
   * order, the pool, the pending labels and most of the audit's pairs go, and the policy charges
   * nothing per entry beyond what the store counts for its base (the store reads
   * `entryOverhead` before each write and re-charges every entry), so the freed memory holds
   * entries. The model, the margin, the shadows and the trainer stay. Learning resumes at the
   * first eviction `plainProbation` requests on, from the cache's view of its residents.
   */
  #goPlain(): void {
    this.#pool.clear(this.#unpool);
    this.#head = -1;
    this.#features = new FeatureTracker({ initialSlots: 16, ghostCapacity: 0 });
    // Unused while plain (it only answers that nothing is adopted): the smallest ring.
    this.#sampler = new CandidateSampler(this.#random, 16);
    if (this.#other !== null) {
      this.#other = createBasePolicy(this.#otherKind, this.#capacity, this.#seed);
      if (this.#order !== this.#base) this.#setOrder(this.#base);
    }
    this.#training?.labeler.clear();
    this.#resizeAudit(PLAIN_AUDIT_PAIRS);
    // Remote scoring: the scored heads go, and a batch still in flight is of slots that the new
    // learned state may hold other keys in by the time it is answered: no version matches.
    this.#headsHeld = 0;
    this.#remoteVersions.fill(STALE_VERSION);
    this.#plain = true;
    this.#waking = false;
    this.#entryOverhead = 0;
    this.#followRoom();
    const p = this.#params;
    const short = this.#learningSince >= 0 && this.#t - this.#learningSince < this.#plainProbation;
    this.#turnsWake = !(short && this.#wokeOnTurn);
    this.#wokeOnTurn = false;
    this.#plainProbation = short
      ? Math.min(p.plainProbationMax, 2 * this.#plainProbation)
      : p.plainProbation;
    this.#plainUntil = this.#t + this.#plainProbation;
    this.#plainTrailing = 0;
    this.#plainWindows = 0;
    this.#plainApart = 0;
    this.#shadow.resetPlainVerdict();
    this.#stats.plainSwitches++;
  }

  /**
   * Learns again after a plain run: the learned state starts empty, and the cache's residents
   * are adopted into it a few per eviction (`#adoptSome`), or at their next request, while the
   * base goes on evicting. The charge per entry rises with the share adopted, so the store
   * evicts what the learned state costs a few entries per write, as it grows. (Rebuilding it
   * all at once cost 0.15 s for 196K keys: a pause of seconds in a large node.)
   */
  #learnAgain(): void {
    this.#plain = false;
    this.#waking = true;
    this.#adoptFrom = 0;
    this.#features = this.#newFeatures();
    this.#sampler = new CandidateSampler(this.#random);
    this.#used = 0;
    this.#resizeAudit(this.#auditPairs(this.#features.ghostCapacity));
    this.#followRoom();
    this.#learningSince = this.#t;
    this.#stats.plainWakes++;
  }

  /**
   * Adopts up to ADOPT_PER_EVICTION residents not adopted yet, looking at up to
   * ADOPT_SCAN_PER_EVICTION slots from where it stopped, and raises the charge per entry with
   * the share of slots looked at. Once every slot was, the policy learns: its evictions are the
   * model's again, judged afresh.
   */
  #adoptSome(residents: ResidentView): void {
    const limit = residents.slotLimit();
    const scanTo = Math.min(limit, this.#adoptFrom + ADOPT_SCAN_PER_EVICTION);
    let adopted = 0;
    while (this.#adoptFrom < scanTo && adopted < ADOPT_PER_EVICTION) {
      if (this.#adopted(this.#adoptFrom++)) adopted++;
    }
    if (this.#adoptFrom < limit) {
      this.#entryOverhead = Math.floor((ML_ENTRY_STATE_BYTES * this.#adoptFrom) / limit);
      return;
    }
    this.#waking = false;
    this.#entryOverhead = ML_ENTRY_STATE_BYTES;
    // The windows since the plain run began, where the live cache had more room than the base's
    // shadow, say nothing of the model: it is judged afresh.
    this.#shadow.resetVerdict();
    this.#shadow.resetPlainVerdict();
    this.#plainWatchFrom = this.#shadow.windows + this.#params.plainGrace;
    this.#plainTrailing = 0;
  }

  /**
   * Learning again: adopts the resident in `slot` into the learned state, as if inserted now
   * (its history is not known), unless it was already, or holds nothing. Whether it is adopted
   * now; false whenever the policy is not learning again.
   */
  #adopted(slot: number): boolean {
    if (!this.#waking || this.#sampler.isResident(slot)) return false;
    const residents = this.#residents!;
    if (!residents.holds(slot)) return false;
    const keyId = residents.keyIdOf(slot);
    const size = this.#learnedSize(residents.sizeOf(slot));
    this.#track(slot, keyId, size);
    this.#other?.onInsert(slot, keyId, size);
    return true;
  }

  /** A resident new to the learned state (inserted, or adopted): its feature record and sampler. */
  #track(slot: number, keyId: number, size: number): void {
    const features = this.#features;
    features.ensure(slot);
    this.#bump(slot);
    features.onInsert(slot, keyId, this.#t, size, 0);
    // As the record holds it (a whole number below 2^32), so that removals subtract the same.
    this.#used += features.sizeOf(slot);
    this.#sampler.onInsert(slot);
  }

  /**
   * A new entry while running plain. The shadows replay it at the size it would be charged
   * while learning, so that they replay the same sizes in either mode.
   */
  #plainInsert(slot: number, keyId: number, size: number): void {
    if (this.#lastMissKey !== keyId) this.#t++;
    this.#lastMissKey = Number.NaN;
    this.#base.onInsert(slot, keyId, size);
    if (this.#shadow.sampled(keyId)) this.#plainObserve(keyId, size + ML_ENTRY_STATE_BYTES, false);
  }

  /**
   * A hit or an overwrite of `slot` while running plain (the base has seen it): the key id comes
   * from the cache's view (a node hashes the key again, some 20 ns), for the shadows.
   */
  #plainRequest(slot: number): void {
    this.#t++;
    this.#lastMissKey = Number.NaN;
    const residents = this.#residents!;
    const keyId = residents.keyIdOf(slot);
    if (this.#shadow.sampled(keyId)) {
      this.#plainObserve(keyId, residents.sizeOf(slot) + ML_ENTRY_STATE_BYTES, true);
    }
  }

  /** A sampled request while running plain: the shadows replay it, and a window may close. */
  #plainObserve(keyId: number, size: number, hit: boolean): void {
    const shadow = this.#shadow;
    const before = shadow.windows;
    shadow.observe(keyId, size, hit);
    if (shadow.windows !== before) this.#plainWindow(shadow.lastLiveHitRatio);
  }

  /**
   * A window of a plain run closed with the live hit ratio `ratio`: if the workload turned
   * (`plainShift`), the probation ends now, and the next eviction learns again.
   */
  #plainWindow(ratio: number): void {
    const shift = this.#params.plainShift;
    const n = ++this.#plainWindows;
    if (shift <= 0 || n < PLAIN_SETTLE_WINDOWS) return;
    if (n === PLAIN_SETTLE_WINDOWS) {
      this.#plainFast = ratio;
      this.#plainSlow = ratio;
      return;
    }
    this.#plainFast += PLAIN_FAST_WEIGHT * (ratio - this.#plainFast);
    this.#plainSlow += PLAIN_SLOW_WEIGHT * (ratio - this.#plainSlow);
    if (Math.abs(this.#plainFast - this.#plainSlow) <= shift) {
      this.#plainApart = 0;
      return;
    }
    if (++this.#plainApart < 2 || this.#plainUntil <= this.#t || !this.#turnsWake) return;
    this.#plainUntil = this.#t;
    this.#wokeOnTurn = true;
    this.#stats.plainShiftWakes++;
  }

  /** Running plain, or learning again: the base's victim, forgotten where it was adopted. */
  #plainEvict(): number {
    const victim = this.#base.evict();
    if (victim >= 0 && this.#sampler.isResident(victim)) {
      this.#other?.onRemove(victim);
      this.#forget(victim);
    }
    this.#stats.baseEvictions++;
    this.#stats.fallbacks.plain++;
    return victim;
  }

  /**
   * The evicted-keys table's capacity changed (it grew, or the policy went plain or learns
   * again): the live entries' room changed with it, and so do the shadow's (the plain replay
   * keeps the whole budget) and the base selector's.
   */
  #followRoom(): void {
    this.#roomGhosts = this.#features.ghostCapacity;
    this.#shadow.setRoom(this.#shadowRoom(), this.#capacity);
    this.#selector?.resize(this.#shadowRoom());
  }

  /** The audit holds `pairs` from now on (its counts stay, its open pairs are dropped). */
  #resizeAudit(pairs: number): void {
    const audit = this.#audit;
    if (audit === null || audit.capacity === pairs) return;
    this.#audit = audit.resized(pairs);
    this.#auditBytes = OverruleAudit.bytesFor(pairs);
  }

  /** A new features tracker, its evicted-keys table sized as at the start. */
  #newFeatures(): FeatureTracker {
    const p = this.#params;
    const ghostMax = this.#ghostLimit(this.#capacity);
    const ghosts =
      p.ghostCapacity > 0
        ? p.ghostCapacity
        : Math.min(Math.max(1024, Math.min(2 * this.#capacity, 1 << 17)), ghostMax);
    return new FeatureTracker({
      ghostCapacity: ghosts,
      ghostMaxCapacity: this.#growGhosts ? ghostMax : ghosts,
    });
  }

  /**
   * Why this eviction goes to the base, or null. An open breaker comes first: a remote scorer
   * that never answered has no model either, but what keeps the model out is the breaker.
   */
  #fallbackReason(): FallbackReason | null {
    if (!this.#breaker.allow()) return 'breakerOpen';
    if (this.#scorer === null) return 'noModel';
    if (this.#shadowFallback) return 'shadow';
    return null;
  }

  #forget(slot: number): void {
    // Twice the residents, as the simulator's object-budget cells have from the start.
    if (this.#growGhosts) this.#features.growGhosts(2 * this.#sampler.residentCount);
    if (this.#memoryBudget && this.#features.ghostCapacity !== this.#roomGhosts) {
      this.#followRoom();
    }
    this.#bump(slot);
    this.#used -= this.#features.sizeOf(slot);
    this.#features.onRemove(slot);
    this.#sampler.onRemove(slot);
  }

  /**
   * The room the live cache's entries have: where the budget is memory, the capacity less what
   * the policy reserves apart from its entries (the store keeps the entries within that).
   */
  #shadowRoom(): number {
    return this.#memoryBudget ? Math.max(1, this.#capacity - this.reservedBytes()) : this.#capacity;
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
    if (this.#order.candidates(this.#one, 1) === 0) return -1;
    const head = this.#one[0]!;
    const known =
      head === this.#head &&
      this.#versionOf(head) === this.#headVersion &&
      this.#headModel === this.#stats.modelVersion;
    this.#head = head;
    if (!this.#scoreBatch(!known)) return -1;
    if (!known) {
      this.#headVersion = this.#versionOf(head);
      this.#headModel = this.#stats.modelVersion;
      this.#headScore = this.#scores[0]!;
      this.#headFreq = this.#rows[priorFeature(this.#params.saturationDecay)]!;
      this.#headScoredAt = this.#t;
      this.#headRaw = rawPrediction(
        this.#headScore,
        this.#rows[LOG2_SIZE_FEATURE]!,
        this.#params.sizeAware,
      );
    }
    const floor = this.#headScore + this.#margin;
    const victim = this.#pool.takeAbove(floor, this.#features.slotWords);
    if (this.#audit !== null && ++this.#sinceAudit >= this.#params.auditEvery) this.#auditPair();
    if (victim < 0 && this.#params.saturationPrior) return this.#priorVictim();
    if (victim < 0) this.#stats.modelKeptBase++;
    return victim;
  }

  /**
   * Holds the challenge just decided (the pool's best against the base's victim) for the audit,
   * and every AUDIT_APPLY pairs lets the audit's margin replace the floor once it has enough.
   */
  #auditPair(): void {
    this.#sinceAudit = 0;
    const best = this.#pool.lastBest;
    if (best < 0) return;
    const audit = this.#audit!;
    const lead = this.#pool.lastBestScore - this.#headScore;
    const features = this.#features;
    const horizon = this.#params.auditHorizon * this.#cap();
    audit.audit(features.keyOf(best), features.keyOf(this.#head), lead, this.#t, horizon);
    if (audit.resolved - this.#auditApplied < AUDIT_APPLY) return;
    this.#auditApplied = audit.resolved;
    const audited = this.#auditedMargin();
    if (audited < 0) return;
    const raised = Math.max(0, this.#margin - this.#marginFloor);
    this.#marginFloor = audited;
    this.#margin = audited + raised;
  }

  /**
   * The audit's pairs follow the evicted-keys table (one per AUDIT_PAIR_KEYS of its `ghosts`
   * keys), which follows the cache and a node's budget: about 100 bytes a pair, counted in
   * `reservedBytes`, so about 0.4% of a node's budget beside the table's 5%.
   */
  #auditPairs(ghosts: number): number {
    return Math.min(this.#params.auditPairs, Math.max(64, Math.floor(ghosts / AUDIT_PAIR_KEYS)));
  }

  /**
   * The audit's margin within [`auditFloor`, `marginCeiling`], or -1 until it has
   * `auditMinPairs` and a margin whose gain clears its noise (the noise rule's stands then).
   */
  #auditedMargin(): number {
    const p = this.#params;
    const audit = this.#audit;
    if (audit === null || audit.weight < p.auditMinPairs) return -1;
    const margin = audit.margin();
    if (Number.isNaN(margin)) return -1;
    return Math.min(p.marginCeiling, Math.max(p.auditFloor, margin));
  }

  /**
   * The model kept the base's victim: if it predicts that victim at the cap, a candidate of this
   * batch also at the cap and seen fewer times goes instead (saturation-prior.ts); else -1.
   */
  #priorVictim(): number {
    const p = this.#params;
    const level = saturationLevel(this.#cap(), p.saturationTolerance);
    const guard = this.#priorGuard;
    const i =
      this.#headRaw < level || guard?.allows(this.#t) === false
        ? -1
        : priorVictimRow(
            this.#rows,
            this.#scores,
            this.#batchFirst,
            this.#batchRows,
            level,
            countNow(this.#headFreq, this.#t - this.#headScoredAt, p.saturationDecay),
            p.sizeAware,
            priorFeature(p.saturationDecay),
          );
    if (i < 0) {
      this.#stats.modelKeptBase++;
      return -1;
    }
    this.#stats.priorEvictions++;
    guard?.acted();
    return this.#candidates[i]!;
  }

  /**
   * Scores fresh candidates (and, with `withHead`, the base's victim first) and adds the fresh
   * ones to the pool; false when the model failed or overran its deadline.
   */
  #scoreBatch(withHead: boolean): boolean {
    const p = this.#params;
    const scorer = this.#scorer!;
    const n = this.#gather(withHead);
    this.#batchRows = 0;
    this.#batchFirst = withHead ? 1 : 0;
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
    const elapsed = this.#now() - started;
    if (this.#clock !== undefined) this.#observer?.scoreBatch(n, elapsed, false);
    if (!(elapsed <= p.deadline)) {
      this.#breaker.failure();
      this.#stats.fallbacks.deadline++;
      return false;
    }
    this.#breaker.success();
    this.#batchRows = n;
    const batch = ++this.#stats.batches;
    const candidates = this.#candidates;
    for (let i = 0; i < n; i++) {
      const size = this.#features.sizeOf(candidates[i]!);
      if (p.sizeAware && size > 1) scores[i] = scores[i]! + Math.log(size);
    }
    // The fresh candidates join the pool; their pooled marks follow, in the same order (the
    // marks do not bear on what the pool keeps).
    const words = this.#features.slotWords;
    const added = this.#added;
    this.#pool.addBatch(candidates, scores, n, this.#head, words, added);
    for (let i = 0; i < n; i++) {
      const slot = candidates[i]!;
      if (slot !== this.#head) this.#markPooled(words, slot, added[i]!);
    }
    if (this.#training !== null && batch % p.logEvery === 0) this.#logRows(n);
    return true;
  }

  /** The recent window and the small FIFO's exit follow the resident count. */
  #sizeShares(): void {
    const p = this.#params;
    const residents = this.#sampler.residentCount;
    const window = Math.max(8, Math.round(p.recentFraction * residents));
    const exit = Math.round(p.exitFraction * residents);
    this.#shares.recentWindow = window;
    this.#shares.exitAge = exit;
    this.#sampler.reserveInsertions(Math.max(window, exit + 1));
  }

  /**
   * Samples fresh candidates (not pooled, not the head) after the head if `withHead`, and writes
   * their feature rows; returns how many rows.
   */
  #gather(withHead: boolean): number {
    // With `topUpOnly`, fresh candidates are sampled only while the pool has room.
    const fresh = !this.#params.topUpOnly || this.#pool.size < this.#pool.capacity;
    const n = this.#sample(withHead, fresh);
    const nowMs = this.#wallMs();
    const usage = this.#usage();
    for (let i = 0; i < n; i++) {
      const at = i * FEATURE_COUNT;
      this.#features.write(this.#candidates[i]!, this.#t, nowMs, usage, this.#rows, at);
    }
    return n;
  }

  /**
   * The head if `withHead`, then fresh candidates if `fresh` (but not those `skip` turns away),
   * into `#candidates`: how many.
   */
  #sample(withHead: boolean, fresh: boolean, skip = this.#skip): number {
    const first = withHead ? 1 : 0;
    this.#candidates[0] = this.#head;
    this.#sizeShares();
    return (
      first +
      (fresh ? this.#sampler.sample(this.#order, this.#candidates, this.#shares, skip, first) : 0)
    );
  }

  #now(): number {
    return this.#clock === undefined ? this.#logicalWork : this.#clock.monotonic();
  }

  /**
   * Wall-clock ms for the TTL feature. Until an expiry was ever set every row's TTL is MISSING
   * whatever the time, so the clock is not read (one call less per row batch).
   */
  #wallMs(): number {
    return this.#expiries && this.#clock !== undefined ? this.#clock.now() : 0;
  }

  /** Logs random rows of the batch just gathered as training samples. */
  #logRows(n: number): void {
    this.#logFrom(this.#candidates, this.#rows, n, true);
  }

  /**
   * Logs `logPerBatch` rows of `slots[0 … n)`, each picked at random, as training samples. With
   * `written` their rows are in `rows` already (row i at i × FEATURE_COUNT); without, only each
   * picked slot's row is written, at the start of `rows` (the same row and the same draws).
   */
  #logFrom(slots: Int32Array, rows: Float32Array, n: number, written: boolean): void {
    const labeler = this.#training!.labeler;
    const cap = this.#cap();
    const nowMs = written ? 0 : this.#wallMs();
    const usage = written ? 0 : this.#usage();
    for (let k = 0; k < this.#params.logPerBatch; k++) {
      const i = this.#random.int(n);
      const slot = slots[i]!;
      let at = i * FEATURE_COUNT;
      if (!written) {
        this.#features.write(slot, this.#t, nowMs, usage, rows, 0);
        at = 0;
      }
      labeler.record(this.#features.keyOf(slot), this.#t, cap, rows, at);
    }
  }

  /**
   * Whether this eviction by the base logs training rows: every one before a first model (the
   * rows it trains on), and once there is a model every `logEvery`-th, as scored batches do.
   */
  #logsThisFallback(): boolean {
    if (this.#scorer === null || !this.#params.fallbackLogEvery) return true;
    return ++this.#fallbackEvictions % this.#params.logEvery === 0;
  }

  /** While the base evicts: samples what the model would be asked, only to log training rows. */
  #logCandidates(): void {
    if (this.#order.candidates(this.#one, 1) === 0) return;
    this.#head = this.#one[0]!;
    this.#logFrom(this.#candidates, this.#rows, this.#sample(true, true, this.#skipHead), false);
  }

  // ---- remote scoring --------------------------------------------------------------------------

  /** The remote batcher for `options.remoteScorer`, checked; null without one. */
  #remoteScoring(options: MlHybridOptions, p: MlHybridParams): RemoteScoring | null {
    const scorer = options.remoteScorer;
    if (scorer === undefined) return null;
    if (options.scorer !== undefined) {
      throw new TypeError('give the ML hybrid a scorer or a remote scorer, not both');
    }
    if (options.clock === undefined) {
      throw new TypeError('remote scoring needs a clock: its deadline is in ms');
    }
    if (
      scorer.featureSchemaVersion !== FEATURE_SCHEMA_VERSION ||
      scorer.nFeatures !== FEATURE_COUNT
    ) {
      throw new RangeError(
        `remote scorer refused: it expects feature schema ${scorer.featureSchemaVersion} with ` +
          `${scorer.nFeatures} features; this policy writes schema ${FEATURE_SCHEMA_VERSION} ` +
          `with ${FEATURE_COUNT}`,
      );
    }
    const k =
      p.remoteHeads + Math.max(p.poolSize, p.tail + p.recent + p.random) + insertionCandidates(p);
    this.#remoteSlots = new Int32Array(k);
    this.#remoteVersions = new Uint32Array(k);
    this.#remoteRows = new Float32Array(k * FEATURE_COUNT);
    this.#heads = new Int32Array(p.remoteHeads);
    this.#headVersions = new Uint32Array(p.remoteHeads);
    this.#headScores = new Float64Array(p.remoteHeads);
    const clock = options.clock;
    return new RemoteScoring({
      scorer,
      clock,
      setTimer: options.setTimer ?? systemTimer,
      deadline: p.deadline,
      onScores: (reply, n, ms) => this.#remoteScores(reply, n, ms),
      onNoModel: () => this.#remoteNoModel(clock.monotonic() + p.remoteRetry),
      onFailure: (reason) => this.#remoteFailure(reason),
    });
  }

  /**
   * Sends a batch at an eviction when none is in flight and the breaker allows: the base's next
   * victims first, then fresh candidates, as many as the pool lacks (at least `recent + random`,
   * as a local eviction scores: with fewer, the pool's best is worse). So the remote model is
   * asked about as often as a local one, at most once per round trip.
   */
  #remoteRefill(remote: RemoteScoring): void {
    const now = this.#clock!.monotonic();
    if (remote.inFlight || now < this.#remoteRetryAt) return;
    if (!this.#breaker.allow()) return;
    // Falling back after the shadow: scores are not used until the remote model changes, so
    // only ask now and then whether it has.
    if (this.#shadowFallback) this.#remoteRetryAt = now + this.#params.remoteRetry;
    const p = this.#params;
    const slots = this.#remoteSlots;
    const heads = this.#order.candidates(slots, p.remoteHeads);
    this.#remoteHeadCount = heads;
    const fresh = Math.max(
      p.tail + p.recent + p.random,
      p.poolSize - this.#pool.live(this.#features.slotWords),
    );
    const recent = Math.round((fresh * p.recent) / Math.max(1, p.tail + p.recent + p.random));
    this.#sizeShares();
    // The newest insertions and the small FIFO's exit come on top (`k` has room for them).
    const shares = { ...this.#shares, tail: 0, recent, random: fresh - recent };
    const n = heads + this.#sampler.sample(this.#order, slots, shares, this.#remoteSkip, heads);
    if (n === 0) return;
    const nowMs = this.#wallMs();
    const usage = this.#usage();
    for (let i = 0; i < n; i++) {
      this.#remoteVersions[i] = this.#versionOf(slots[i]!);
      this.#features.write(slots[i]!, this.#t, nowMs, usage, this.#remoteRows, i * FEATURE_COUNT);
    }
    if (this.#training !== null && (remote.sent + 1) % p.logEvery === 0) {
      this.#logFrom(slots, this.#remoteRows, n, true);
    }
    remote.send(this.#remoteRows.slice(0, n * FEATURE_COUNT), n);
  }

  /** Whether `slot` is one of the base's victims in the batch being gathered. */
  #sentAsHead(slot: number): boolean {
    for (let i = 0; i < this.#remoteHeadCount; i++) if (this.#remoteSlots[i] === slot) return true;
    return false;
  }

  /** Where the base's victim `slot` is among the scored heads (untouched since); else -1. */
  #remoteHeadAt(slot: number): number {
    for (let i = 0; i < this.#headsHeld; i++) {
      if (this.#heads[i] === slot && this.#headVersions[i] === this.#versionOf(slot)) return i;
    }
    return -1;
  }

  /**
   * The base's victim, challenged by the pool with its remote score; -1 to evict the base's.
   * When the base's victim was not scored (the victims that were scored with it left during the
   * round trip), the floor is the typical score of the base's victims instead.
   */
  #remoteChallenge(): number {
    if (this.#order.candidates(this.#one, 1) === 0) return -1;
    const at = this.#remoteHeadAt(this.#one[0]!);
    let floor = this.#headEstimate;
    if (at >= 0) floor = this.#headScores[at]!;
    else this.#stats.remoteHeadEstimated++;
    if (Number.isNaN(floor)) {
      this.#stats.fallbacks.notScored++;
      return -1;
    }
    const victim = this.#pool.takeAbove(floor + this.#margin, this.#features.slotWords);
    if (victim < 0) this.#stats.modelKeptBase++;
    return victim;
  }

  /** A usable answer: scores of rows whose slot was not touched meanwhile join the pool. */
  #remoteScores(reply: RemoteScores, n: number, ms: number): void {
    const s = this.#stats;
    if (reply.modelVersion !== s.remoteModelVersion || this.#scorer === null) {
      s.remoteModelVersion = reply.modelVersion;
      this.#install(REMOTE_MODEL, null);
      this.#headEstimate = Number.NaN;
    }
    this.#breaker.success();
    s.remoteAnswers++;
    s.batches++;
    s.remoteLastMs = ms;
    this.#observer?.scoreBatch(n, ms, true);
    const scores = reply.scores;
    const slots = this.#remoteSlots;
    const words = this.#features.slotWords;
    const sizeAware = this.#params.sizeAware;
    this.#headsHeld = 0;
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!;
      // Touched, removed or reused since it was sent; or gone in a clear() (no version bump).
      const version = words[slot * U32_STRIDE + S_VERSION]!;
      if (version !== this.#remoteVersions[i] || !this.#sampler.isResident(slot)) continue;
      const size = this.#features.sizeOf(slot);
      const score = sizeAware && size > 1 ? scores[i]! + Math.log(size) : scores[i]!;
      if (i < this.#remoteHeadCount) {
        const h = this.#headsHeld++;
        this.#heads[h] = slot;
        this.#headVersions[h] = version;
        this.#headScores[h] = score;
        const mean = this.#headEstimate;
        this.#headEstimate = Number.isNaN(mean) ? score : mean + (score - mean) / 16;
        continue;
      }
      this.#markPooled(words, slot, this.#pool.add(slot, score, words));
    }
  }

  /** The remote scorer has no model (yet, or any more): the base evicts; ask again later. */
  #remoteNoModel(retryAt: number): void {
    this.#breaker.success();
    this.#stats.remoteModelVersion = 0;
    this.#remoteRetryAt = retryAt;
    if (this.#scorer === null) return;
    this.#scorer = null;
    this.#headsHeld = 0;
    this.#headEstimate = Number.NaN;
    this.#pool.clear(this.#unpool);
  }

  #remoteFailure(reason: RemoteFailure): void {
    this.#breaker.failure();
    this.#stats.fallbacks[reason]++;
  }

  #install(scorer: Scorer, model: TreeEnsemble | null): void {
    // The margin is a floor (the models' noise, or the knob) plus what shadow fallbacks added.
    const p = this.#params;
    let raised = Math.max(0, this.#margin - this.#marginFloor);
    if (this.#scorer !== null && !this.#shadowFallback) {
      // The model being replaced never lost to the base: trust the next one a little more.
      raised = Math.max(0, raised - p.fallbackMarginStep / 4);
    }
    const audited = this.#auditedMargin();
    this.#marginFloor = audited >= 0 ? audited : marginForNoise(p, this.#stats.lastDisagreement);
    this.#margin = this.#marginFloor + raised;
    this.#scorer = scorer;
    this.#shadow.resetVerdict();
    this.#model = model;
    this.#stats.modelVersion++;
    this.#modelInstalledAt = this.#t;
    this.#shadowFallback = false;
    this.#pool.clear(this.#unpool);
    this.#breaker.reset();
  }

  /** `slot`'s version (in its feature record): bumped on every touch. */
  #versionOf(slot: number): number {
    return this.#features.slotWords[slot * U32_STRIDE + S_VERSION]!;
  }

  /** A new version for `slot` (touched, removed or reused): its pool entry, if any, is stale. */
  #bump(slot: number): void {
    const words = this.#features.slotWords;
    const at = slot * U32_STRIDE + S_VERSION;
    words[at] = (words[at]! + 1) >>> 0;
  }

  /**
   * The pooled marks after the pool was offered `slot` and answered `out` (`VictimBuffer.add`):
   * `slot` is pooled at its version unless turned away (`out === slot`), and the entry it pushed
   * out, if any (`out >= 0`), no longer is.
   */
  #markPooled(words: Uint32Array, slot: number, out: number): void {
    if (out !== slot)
      words[slot * U32_STRIDE + S_POOLED] = words[slot * U32_STRIDE + S_VERSION]! + 1;
    if (out >= 0) words[out * U32_STRIDE + S_POOLED] = 0;
  }

  /** Whether `slot` sits in the pool at its current version. */
  #isPooled(slot: number): boolean {
    const words = this.#features.slotWords;
    const at = slot * U32_STRIDE;
    return words[at + S_POOLED] === words[at + S_VERSION]! + 1;
  }
}
