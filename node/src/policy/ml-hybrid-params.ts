/**
 * The learned policy's knobs (ml-hybrid.ts). Defaults were tuned on two traces only, arc_OLTP
 * and c2k_web07 (docs/learned-eviction.md says how). Counts of requests are on the policy's
 * logical clock.
 */

/** The base policy a learned policy overrules. */
export type MlBase = 'lru' | 'lfu';

export interface MlHybridParams {
  /** Fresh candidates per eviction among recent insertions not hit since. */
  readonly recent: number;
  /** Fresh uniformly random resident candidates per eviction. */
  readonly random: number;
  /**
   * Fresh candidates per eviction taken from the newest insertions not hit since (the newest
   * first), before the `recent` ones: like W-TinyLFU's admission test, an insert the model
   * expects back last can go at the next eviction instead of aging to the base's end. 1 (the
   * twelfth round): on the 39 cells, seeds 1–4, the mean gap closed +2.2 points (ML+LRU) and
   * +2.0 (ML+LFU) with as many cells won; in place of a recent one it lost cells.
   */
  readonly newest: number;
  /**
   * With a value above 0, every eviction also takes the insertion made this fraction of the
   * residents ago, if not hit since: each insert is looked at once when it leaves a virtual small
   * FIFO of that size, as S3-FIFO's small queue decides, but by the model. 0: off (ML+LRU);
   * ML+LFU's default is 0.25 (`BASE_ML_HYBRID_PARAMS`).
   */
  readonly exitFraction: number;
  /**
   * Fresh candidates per eviction from the base's eviction end beyond its victim (found among
   * the base's next `4 × tail + 4` victims that are not pooled).
   */
  readonly tail: number;
  /** The recent insertions sampled from, as a fraction of the resident entries. */
  readonly recentFraction: number;
  /**
   * The base's victim is replaced by the pool's best only if that scores higher by this much
   * (log units: 1 ≈ a predicted next access 2.7× farther). 0 trusts the model fully.
   */
  readonly challengeMargin: number;
  /**
   * Each shadow fallback raises the margin by this much; each model that lives out its time
   * without one lowers it by a quarter of this, down to `challengeMargin`.
   */
  readonly fallbackMarginStep: number;
  /** Scored candidates kept between evictions (victim-buffer.ts). */
  readonly poolSize: number;
  /**
   * Sample and score fresh candidates only while the pool has room, instead of at every
   * eviction (where they displace the pool's weakest): fewer rows scored, less selective.
   */
  readonly topUpOnly: boolean;
  /**
   * The `random` residents come from a hand sweeping the slot numbers (candidate-sampler.ts
   * `#sweep`), not from uniform draws. Each resident is looked at about as often, and the hand
   * reads the feature records in order instead of one cold record per candidate: 6–11% of the
   * policy's CPU per SET, and on the 39 cells (seeds 1–8) as many cells won, and as much of the
   * gap closed or more (docs/learned-eviction.md, "Fifteenth round").
   */
  readonly randomSweep: boolean;
  /** Rank by predicted gap × size (object miss ratio under a byte budget) rather than gap. */
  readonly sizeAware: boolean;

  /** With a model, every n-th request samples a random resident's row for training. */
  readonly sampleEvery: number;
  /** Rows logged from a scored batch (or, before a model, from each eviction's candidates). */
  readonly logPerBatch: number;
  /** Rows are logged from every n-th scored batch. */
  readonly logEvery: number;
  /**
   * Once a model exists, evictions by the base (a fallback) log rows at every `logEvery`-th
   * eviction, as scored batches do; before a first model every eviction logs. Off, every
   * fallback eviction draws a batch of candidates to log from: in a node that had fallen back
   * (uniform keys, where the model cannot win) this was most of the policy's cost per SET. On
   * the 39 cells (seeds 1–8) as many cells won and as much of the gap closed
   * (docs/learned-eviction.md, "Fifteenth round").
   */
  readonly fallbackLogEvery: boolean;
  /** Label cap = capFactor × the memory window (residents / misses per request). */
  readonly capFactor: number;
  /** Samples awaiting their label at most. */
  readonly maxPending: number;
  /** Newest resolved rows trained on (sliding window). */
  readonly windowRows: number;
  /** Every n-th resolved row is held out for validation instead. */
  readonly validationEvery: number;
  /** Held-out rows kept (newest). */
  readonly validationRows: number;
  /** Resolved labels before the first model is trained. */
  readonly firstTrainAt: number;
  /** New resolved labels between trainings, once the doubling phase is over. */
  readonly retrainEvery: number;
  /**
   * With an injected clock, the least ms between the starts of two trainings: a busy node
   * resolves labels fast enough to retrain every second, and each training takes a core for a
   * few hundred ms. Without a clock (the simulator) it does nothing. 0: no limit.
   */
  readonly retrainMinMs: number;
  /**
   * With a sample sink (the scorer service trains), hand over the rows labelled since the last
   * hand-over each time this many new training rows exist: every row reaches the service once,
   * at a steady pace, whatever the local training schedule would be.
   */
  readonly sinkEvery: number;
  /**
   * Compile each installed tree model into a JS function (compiled-ensemble.ts: the same
   * scores, about 3.7× faster to evaluate). It pays where a model lives long: a node, and the
   * simulator too, whose models each score tens of thousands of rows (bit-identical results;
   * arc_OLTP 5% ml-lru about 13% less CPU).
   */
  readonly compileModel: boolean;
  /** Random pairs compared when validating a model. */
  readonly validationPairs: number;
  /** A new model must beat the current one (and the base) by this much pair accuracy. */
  readonly minGain: number;
  /**
   * Held-out rows a model trained here needs before it may replace one that came from elsewhere
   * (given at startup or by `installModel`, e.g. the shipped model), capped at `validationRows`.
   * Early held-out rows hold mostly short gaps (a long gap is labelled only when its cap
   * passes), and on them every model trained on those same early labels looks better than one
   * trained on full-horizon labels. The first model, and models trained here replacing each
   * other, need 64 rows.
   */
  readonly foreignGateRows: number;
  /**
   * With `sizeAware` ranking and sizes that vary, the gate orders held-out rows as eviction
   * does, by score + ln(size) against label + ln(size) (model-gate.ts). False: by the predicted
   * gap alone (the gate before byte budgets were judged).
   */
  readonly gateBySize: boolean;
  /** Offer the mean of each newly trained model and the one trained before it (less variance). */
  readonly averageModels: boolean;
  /**
   * The challenge margin follows the models' noise: this × their disagreement (model-gate.ts),
   * kept within [`challengeMargin`, `marginCeiling`]. 0: the margin is `challengeMargin`.
   */
  readonly marginPerNoise: number;
  /** The highest margin the noise rule (or the audit) may set. */
  readonly marginCeiling: number;
  /**
   * Judge the challenge by outcomes (overrule-audit.ts): at every n-th eviction with a model, the
   * pool's best and the base's victim are held until one of them is requested again, and the
   * margin becomes the lead from which overrules were right more often than wrong, once
   * `auditMinPairs` are resolved (the noise rule until then). 0: off; both policies' default is
   * 1 (`BASE_ML_HYBRID_PARAMS`).
   */
  readonly auditEvery: number;
  /** Resolved pairs (decayed) before the audit sets the margin (ML+LRU's default: 1,024). */
  readonly auditMinPairs: number;
  /** Resolved pairs after which the audit's counts halve. */
  readonly auditWindow: number;
  /** The lowest margin the audit may set. */
  readonly auditFloor: number;
  /** Pairs awaiting their outcome at most (further ones are not audited). */
  readonly auditPairs: number;
  /** Standard errors the audit's net gain must clear (overrule-audit.ts `confidence`). */
  readonly auditConfidence: number;
  /** How long a pair waits for its outcome, in label caps. */
  readonly auditHorizon: number;
  /**
   * Keep both LRU's and LFU's order over the residents, and take the victim the challenge and
   * the fallbacks start from from whichever of the two a sampled pair of shadows finds better
   * now (base-selector.ts): ML+LFU does not inherit LFU's losses where recency wins, nor ML+LRU
   * LRU's where frequency does. False: the policy's own base always.
   */
  readonly adaptiveBase: boolean;
  /** The other order must lead by this share of the sampled requests (plus the noise) to switch. */
  readonly baseSwitchMargin: number;
  /** Weight the selector's counts keep from one window to the next (0: each window alone). */
  readonly baseSwitchDecay: number;
  /**
   * Where the model predicts the base's victim at the label cap and keeps it, evict instead a
   * candidate of the batch also predicted at the cap and seen fewer times (saturation-prior.ts):
   * quick demotion of new keys on cold caches, where every gap exceeds the model's horizon.
   */
  readonly saturationPrior: boolean;
  /** A prediction within this of log1p(label cap) counts as at the cap (log units). */
  readonly saturationTolerance: number;
  /**
   * How the prior counts accesses: 0, all accesses seen; 10, 13 or 16, the decayed counter of
   * that half-life (2^n requests), so that keys frequent long ago are no longer protected.
   */
  readonly saturationDecay: number;
  /**
   * When a shadow window closes trailing and the prior acted since the last one, switch the
   * prior off for a cooldown and judge the model afresh without it (prior-guard.ts), before the
   * shadow's fallback gives up the model too.
   */
  readonly priorGuard: boolean;
  /**
   * How long the prior stays off after its first trip, in label caps (doubled per trip). 8, not
   * the fifth round's 32: a long cooldown left the model deferring to its base for a quarter of
   * arc_P12 (seventh round, docs/learned-eviction.md).
   */
  readonly priorGuardCooldown: number;
  /**
   * Whether a trip of the prior guard also restarts the shadow's verdict (its count of
   * trailing windows), so that the model is judged afresh without the prior. false: the prior
   * is still switched off, but the shadow's count goes on and a fallback is never delayed.
   * false was tried (docs/learned-eviction.md, "Sixth round"): the same on the tuning set and
   * the cold workloads, one cell fewer on the 39 (seeds 1 and 2), so true stays the default.
   */
  readonly priorGuardRestartsShadow: boolean;

  /** Budget of one scoring batch: ms with an injected clock, else rows × trees. */
  readonly deadline: number;
  /** Failed or late batches in a row that open the breaker. */
  readonly breakerFailures: number;
  /** Open breaker's cooldown: ms with an injected clock, else requests. */
  readonly breakerCooldown: number;
  /** Shadow windows in a row the model may trail its base before the policy falls back. */
  readonly shadowSustain: number;
  /**
   * Shadow windows after a fallback when the model acts again, on probation (judged afresh,
   * the raised margin kept), without waiting for a newer model; 0: it waits for one.
   */
  readonly fallbackProbation: number;
  /**
   * After a shadow fallback, train again once this many more labels are resolved (sooner than
   * `retrainEvery`), so that a new model may end the fallback sooner; 0: the schedule's time.
   * 2048 (eleventh round): on the 39 cells, seeds 1–4, 150 and 149 policy-cells of 156 against
   * 148 and 148, and ML+LRU's misses behind the better of LRU and LFU 2,943 → 527; 1024 and 4096
   * did less.
   */
  readonly fallbackRetrainAfter: number;
  /** The shadow's lowest key sampling rate, in percent. */
  readonly shadowMinPercent: number;
  /** The shadow aims to hold at least this many entries. */
  readonly shadowMinEntries: number;
  /** Trailing by less than this (plus the noise) is not trailing. */
  readonly shadowMargin: number;
  /**
   * With `adaptiveBase`, the shadow replays both orders and judges the model against the one
   * proposing victims now, the one a fallback would use (shadow-baseline.ts). False: against
   * the policy's own base always, whichever order is active. Off: on the 39 cells (eleventh
   * round) it halved ML+LFU's losses to the better of LRU and LFU but cost ML+LRU cells.
   */
  readonly shadowFollowsOrder: boolean;
  /**
   * Removed keys whose history the features remember. 0: twice the resident keys, up to
   * `ghostMaxCapacity`: the table starts at 2 × capacity, at most 2^17, and grows with the
   * residents (a node's capacity is bytes, so it cannot be sized from that). Otherwise fixed.
   */
  readonly ghostCapacity: number;
  /**
   * The most removed keys the features remember when `ghostCapacity` is 0 (about 80 bytes
   * each: a 64-byte row and its index buckets); 0 remembers none. On a memory budget
   * (`PolicyOptions.memoryBudget`) the table also stays within 5% of it (`ghostLimitForBudget`).
   */
  readonly ghostMaxCapacity: number;

  /**
   * Shadow windows in a row in which the live cache trails the plain base policy replayed in
   * the same memory (the learned state's charge given back to entries) before the policy runs
   * as that plain base: it frees its learned state, charges the store only what it keeps to
   * learn again later, and evicts as the base. Only where the budget is memory (a node); 0:
   * never. Where the learned state costs more hits than it earns (uniform
   * keys of small values: a learned node hit 0.27 where plain LFU would hit 0.47), this gives
   * them back.
   */
  readonly plainSustain: number;
  /**
   * Shadow windows after the comparison starts, or after the policy learns again, before the
   * plain verdicts count (a model needs them to find its feet); without a model they count only
   * after 16 times as many (a model that never comes is no reason to keep the state).
   */
  readonly plainGrace: number;
  /** The live hit ratio may trail the plain replay's by this much in a window (plus noise). */
  readonly plainMargin: number;
  /**
   * Requests run as the plain base before learning again (rebuilding the learned state from
   * the residents). It doubles, up to `plainProbationMax`, each time learning did not last as
   * long as the probation before the policy went plain again, and starts over otherwise.
   */
  readonly plainProbation: number;
  readonly plainProbationMax: number;
  /**
   * Running plain, the policy learns again before its probation ends when the workload turns:
   * when the live hit ratio, averaged over about the last 2 windows, moves this far from its
   * average over about the last 10, in 2 windows in a row (from the 8th window of the plain run
   * on, once the freed memory has filled). The verdict that made it plain was about another
   * workload. 0: only the probation ends a plain run.
   */
  readonly plainShift: number;

  /**
   * Remote scoring: the base's next victims scored in every batch, so that the evictions that
   * follow find their victim already scored (it must be, for the model to challenge it).
   */
  readonly remoteHeads: number;
  /** Remote scoring: ms to wait before asking again a scorer that had no model. */
  readonly remoteRetry: number;
}

export const DEFAULT_ML_HYBRID_PARAMS: Readonly<MlHybridParams> = Object.freeze({
  recent: 2,
  random: 2,
  newest: 1,
  exitFraction: 0,
  tail: 0,
  recentFraction: 0.25,
  challengeMargin: 0.3,
  fallbackMarginStep: 0.5,
  poolSize: 16,
  topUpOnly: false,
  randomSweep: true,
  sizeAware: true,
  sampleEvery: 8,
  logPerBatch: 1,
  logEvery: 2,
  fallbackLogEvery: true,
  capFactor: 2,
  maxPending: 1 << 14,
  windowRows: 1 << 15,
  validationEvery: 8,
  validationRows: 4096,
  firstTrainAt: 1024,
  retrainEvery: 1 << 16,
  retrainMinMs: 0,
  sinkEvery: 1024,
  compileModel: true,
  validationPairs: 20_000,
  minGain: 0,
  foreignGateRows: 2048,
  gateBySize: true,
  averageModels: false,
  marginPerNoise: 4,
  marginCeiling: 2,
  auditEvery: 0,
  auditMinPairs: 256,
  auditWindow: 4096,
  auditFloor: 0,
  auditPairs: 1 << 15,
  auditConfidence: 1,
  auditHorizon: 4,
  adaptiveBase: true,
  baseSwitchMargin: 0.005,
  baseSwitchDecay: 0.5,
  saturationPrior: true,
  saturationTolerance: 0.1,
  saturationDecay: 0,
  priorGuard: true,
  priorGuardCooldown: 8,
  priorGuardRestartsShadow: true,
  deadline: 1 << 16,
  breakerFailures: 3,
  breakerCooldown: 100_000,
  shadowSustain: 2,
  fallbackProbation: 0,
  fallbackRetrainAfter: 2048,
  shadowMinPercent: 5,
  shadowMinEntries: 1024,
  shadowMargin: 0.005,
  shadowFollowsOrder: false,
  ghostCapacity: 0,
  ghostMaxCapacity: 1 << 22,
  plainSustain: 8,
  plainGrace: 4,
  plainMargin: 0.01,
  plainProbation: 1 << 22,
  plainProbationMax: 1 << 28,
  plainShift: 0.1,
  remoteHeads: 8,
  remoteRetry: 1000,
});

/**
 * Fresh candidates per eviction taken from the ring of insertions in order, beyond the sampled
 * `recent` ones: the newest (`newest`) and, when on, the small FIFO's exit (`exitFraction`).
 */
export function insertionCandidates(p: MlHybridParams): number {
  return p.newest + (p.exitFraction > 0 ? 1 : 0);
}

/**
 * What each policy changes of `DEFAULT_ML_HYBRID_PARAMS` (a caller's params still override
 * them). ML+LFU takes the small FIFO's exit as a candidate (`exitFraction` 0.25, twelfth round):
 * on the 39 cells, seeds 1–4, its mean gap closed +1.05 points and the cells where it is the best
 * online policy 70 → 77 of 156, with as many cells won; ML+LRU, whose order brings an insert
 * never hit to its eviction end by age anyway, won fewer cells and was the best online policy
 * on fewer (75 → 70), so it keeps 0. ML+LFU also audits its challenges (`auditEvery` 1,
 * thirteenth round): seeds 1–4, as many cells won, mean gap closed +0.65 points, the best online
 * policy on 78 of 156 (77). ML+LRU lost 4 policy-cells with it (arc_P12 10% above all), unless
 * the audit waits for 1,024 resolved pairs (`auditMinPairs`) before it sets the margin: then
 * seeds 1–4 win as many cells (152 of 156) and the best online policy on as many (75), with the
 * mean gap closed +0.46 points and fewer misses in all; ML+LFU did worse with 1,024 (the best
 * online policy on 77, −0.2 points), so it keeps 256 (docs/learned-eviction.md, "Fourteenth
 * round").
 */
export const BASE_ML_HYBRID_PARAMS: Readonly<Record<MlBase, Readonly<Partial<MlHybridParams>>>> =
  Object.freeze({
    lru: Object.freeze({ auditEvery: 1, auditMinPairs: 1024 }),
    lfu: Object.freeze({ exitFraction: 0.25, auditEvery: 1 }),
  });

/**
 * What a node (a policy given a clock) uses instead of the defaults above, unless its `params`
 * say otherwise. A node serves requests on the same cores that train its models, and its models
 * live for minutes, so it samples fewer training rows and trains at most every 10 s; it compiles
 * each model, as the simulator now does too. None of these changes the simulator's cell wins:
 * replayed with the node's sampling on all 39 cells, ML+LRU and ML+LFU still win 37 of them
 * (docs/learned-eviction.md, "The node's knobs on all 39 cells"). `topUpOnly`, a node default
 * until then, is not one of them: it lost ML+LRU 8 cells for 3% of a node's CPU per SET.
 */
export const NODE_ML_HYBRID_PARAMS: Readonly<Partial<MlHybridParams>> = Object.freeze({
  sampleEvery: 32,
  logEvery: 8,
  retrainMinMs: 10_000,
  // A node samples 4× less; smaller hand-overs keep the service's window fresh (12 KB each).
  sinkEvery: 256,
  compileModel: true,
});

const COUNTS: readonly (keyof MlHybridParams)[] = [
  'recent',
  'random',
  'newest',
  'tail',
  'poolSize',
  'sampleEvery',
  'logPerBatch',
  'logEvery',
  'maxPending',
  'windowRows',
  'validationEvery',
  'validationRows',
  'firstTrainAt',
  'retrainEvery',
  'validationPairs',
  'foreignGateRows',
  'breakerFailures',
  'shadowSustain',
  'fallbackProbation',
  'fallbackRetrainAfter',
  'shadowMinEntries',
  'ghostCapacity',
  'ghostMaxCapacity',
  'plainSustain',
  'plainGrace',
  'remoteHeads',
  'auditEvery',
  'auditMinPairs',
  'auditPairs',
];
const AT_LEAST_ONE: readonly (keyof MlHybridParams)[] = [
  'poolSize',
  'sampleEvery',
  'logEvery',
  'maxPending',
  'windowRows',
  'validationRows',
  'remoteHeads',
  'sinkEvery',
  'auditWindow',
  'auditPairs',
  'plainProbation',
  'plainProbationMax',
];
const POSITIVE: readonly (keyof MlHybridParams)[] = [
  'recentFraction',
  'capFactor',
  'deadline',
  'breakerCooldown',
  'shadowMinPercent',
  'remoteRetry',
  'priorGuardCooldown',
];
const NON_NEGATIVE: readonly (keyof MlHybridParams)[] = [
  'exitFraction',
  'retrainMinMs',
  'challengeMargin',
  'fallbackMarginStep',
  'minGain',
  'shadowMargin',
  'marginPerNoise',
  'marginCeiling',
  'auditFloor',
  'auditConfidence',
  'auditHorizon',
  'baseSwitchMargin',
  'saturationTolerance',
  'plainMargin',
  'plainShift',
];

/** Fills in defaults and rejects values that cannot work (RangeError naming the knob). */
export function resolveMlHybridParams(overrides: Partial<MlHybridParams> = {}): MlHybridParams {
  const p: MlHybridParams = { ...DEFAULT_ML_HYBRID_PARAMS, ...overrides };
  const fail = (name: keyof MlHybridParams): never => {
    throw new RangeError(`invalid ML hybrid parameter ${name}: ${String(p[name])}`);
  };
  for (const name of COUNTS) {
    const v = p[name] as number;
    if (!(Number.isInteger(v) && v >= 0)) fail(name);
  }
  for (const name of AT_LEAST_ONE) if (!((p[name] as number) >= 1)) fail(name);
  for (const name of POSITIVE) if (!((p[name] as number) > 0)) fail(name);
  for (const name of NON_NEGATIVE) if (!((p[name] as number) >= 0)) fail(name);
  if (p.recent + p.random + p.tail + p.newest < 1) fail('random');
  if (typeof p.compileModel !== 'boolean') fail('compileModel');
  if (typeof p.topUpOnly !== 'boolean') fail('topUpOnly');
  if (typeof p.randomSweep !== 'boolean') fail('randomSweep');
  if (typeof p.fallbackLogEvery !== 'boolean') fail('fallbackLogEvery');
  if (typeof p.gateBySize !== 'boolean') fail('gateBySize');
  if (typeof p.adaptiveBase !== 'boolean') fail('adaptiveBase');
  if (typeof p.shadowFollowsOrder !== 'boolean') fail('shadowFollowsOrder');
  if (typeof p.saturationPrior !== 'boolean') fail('saturationPrior');
  if (typeof p.priorGuard !== 'boolean') fail('priorGuard');
  if (typeof p.priorGuardRestartsShadow !== 'boolean') fail('priorGuardRestartsShadow');
  if (![0, 10, 13, 16].includes(p.saturationDecay)) fail('saturationDecay');
  if (!(p.baseSwitchDecay >= 0 && p.baseSwitchDecay < 1)) fail('baseSwitchDecay');
  if (!(p.plainProbationMax >= p.plainProbation)) fail('plainProbationMax');
  return p;
}

/**
 * The challenge margin a model starts with, given how much the last two trained models
 * disagreed (`noise`, model-gate.ts `disagreement`): `marginPerNoise × noise` within
 * [`challengeMargin`, `marginCeiling`]; `challengeMargin` when the rule is off or nothing is
 * known yet.
 */
export function marginForNoise(p: MlHybridParams, noise: number): number {
  if (!(p.marginPerNoise > 0 && noise > 0)) return p.challengeMargin;
  return Math.min(
    Math.max(p.challengeMargin, p.marginCeiling),
    Math.max(p.challengeMargin, p.marginPerNoise * noise),
  );
}
