import type { Registry } from 'prom-client';
import type { Clock } from '../util/clock.ts';
import { histogramSamples, registerCollected } from './collected-metric.ts';
import type { Labels, MetricKind, Sample } from './collected-metric.ts';
import { METRIC_PREFIX } from './create-node-metrics.ts';
import type { HistogramSource } from './sources.ts';

/**
 * The learned policy's metrics (ml-lru, ml-lfu), on the node's Registry with the `node` and
 * `policy` labels. Counters and gauges are read from the policy's plain `stats()` at scrape time;
 * scoring latency and batch sizes come from the policy's observer, training durations from the
 * trainer the composition root wraps, and both are kept here as plain bucket arrays, so nothing
 * calls prom-client per eviction.
 *
 * The metrics folder may not import the policy layer, so the policy's counters are described
 * structurally (`MlPolicyStats`, a subset of node/src/policy/ml-hybrid-stats.ts).
 */
export interface MlPolicyStats {
  readonly modelEvictions: number;
  readonly baseEvictions: number;
  readonly modelKeptBase: number;
  readonly batches: number;
  readonly fallbacks: Readonly<Record<string, number>>;
  /** As the policy counts it: 0 closed, 1 open, 2 half-open. */
  readonly breakerState: number;
  readonly breakerOpens: number;
  readonly modelVersion: number;
  /** Requests since the current model arrived. */
  readonly modelAge: number;
  readonly modelsRefusedVersion: number;
  readonly modelsRefusedValidation: number;
  readonly trainings: number;
  readonly trainingFailures: number;
  readonly lastTrainingMs: number;
  readonly totalTrainingMs: number;
  readonly shadowLiveHitRatio: number;
  readonly shadowBaseHitRatio: number;
  /** NaN where the budget is not memory (then there is no plain shadow). */
  readonly shadowPlainHitRatio: number;
  readonly shadowFallbackActive: number;
  /** 1 while the policy runs as its plain base (its learned state did not pay for its memory). */
  readonly plainActive: number;
  /** Times it went plain, and times it tried learning again. */
  readonly plainSwitches: number;
  readonly plainWakes: number;
  readonly challengeMargin: number;
  /** The challenge's audit (`auditEvery`): pairs with an outcome, and its margin (-1: none). */
  readonly auditResolved: number;
  readonly auditMargin: number;
  /** Times the order proposing victims changed (`adaptiveBase`); 1 while it is not the own base's. */
  readonly baseSwitches: number;
  readonly otherBaseActive: number;
  /** Of the model's evictions, those the saturation prior chose. */
  readonly priorEvictions: number;
  /** Times the prior's guard switched the prior off. */
  readonly priorGuardTrips: number;
  /** Evicted keys whose history the features remember, and how many the table can hold. */
  readonly ghostKeys: number;
  readonly ghostCapacity: number;
}

/** The two orders a learned policy's victims can come from. */
export type BaseOrder = 'lru' | 'lfu';

/** The breaker as a metric: 0 closed, 1 half-open, 2 open (by how far from normal). */
const BREAKER_METRIC = [0, 2, 1] as const;
const BREAKER_NAMES = ['closed', 'open', 'half-open'] as const;

/** The breaker state's name from the policy's number. */
export function breakerName(state: number): string {
  return BREAKER_NAMES[state] ?? 'closed';
}

/** A histogram of plain numbers (`HistogramSource`), observed without allocating. */
export class PlainHistogram implements HistogramSource {
  readonly bounds: readonly number[];
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

const SCORE_SECONDS = [
  1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2.5e-2, 0.1,
] as const;
const BATCH_ROWS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
const TRAINING_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;

/** A model the scorer service announced (`--scorer grpc://…`). */
export interface RemoteModelNotice {
  readonly version: number;
  /** When the scorer service installed (published) it, epoch ms. */
  readonly installedAtMs: number;
  readonly source: string;
}

/**
 * Why a model pulled from the scorer service was not installed: `corrupt` (not a model this
 * node can decode), `feature_version` (trained on another feature schema), `signature` (other
 * inputs or outputs), `other`.
 */
export const PULL_REFUSALS = ['corrupt', 'feature_version', 'signature', 'other'] as const;
export type PullRefusal = (typeof PULL_REFUSALS)[number];

/** The refusal reason of a decoder error's `code` (a MODEL_E_* code). */
export function pullRefusalOf(code: unknown): PullRefusal {
  if (code === 'MODEL_E_CORRUPT') return 'corrupt';
  if (code === 'MODEL_E_FEATURE_VERSION') return 'feature_version';
  if (code === 'MODEL_E_SIGNATURE') return 'signature';
  return 'other';
}

export interface MlTelemetryOptions {
  /** The policy's counters (a live view). */
  readonly stats: () => MlPolicyStats;
  /** Wall-clock time, for model ages. */
  readonly clock: Clock;
  /** True when a scorer service scores (`--scorer grpc://… --scorer-rank remote`). */
  readonly remote: boolean;
  /**
   * True when the node installs the models a scorer service publishes and scores in process
   * (`--scorer grpc://…`, rank local). @default false
   */
  readonly pulling?: boolean;
  /** The policy's own base (ml-lru: lru), to name the order in use. @default 'lru' */
  readonly base?: BaseOrder;
}

/** A JSON view of the learned policy, for /v1/stats. */
export interface MlStatsSnapshot {
  readonly modelVersion: number;
  /** Seconds since the current model was installed; 0 without one. */
  readonly modelAgeSeconds: number;
  readonly modelAgeRequests: number;
  readonly evictions: { readonly model: number; readonly base: number };
  readonly modelKeptBase: number;
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly breaker: { readonly state: string; readonly opens: number };
  readonly trainings: number;
  readonly trainingFailures: number;
  readonly lastTrainingMs: number;
  readonly modelsRefused: { readonly version: number; readonly validation: number };
  readonly shadow: {
    readonly liveHitRatio: number;
    readonly baseHitRatio: number;
    /** The plain base policy's at the same memory; null where the budget is not memory. */
    readonly plainHitRatio: number | null;
    readonly fallbackActive: boolean;
  };
  readonly scoring: {
    readonly batches: number;
    readonly meanRows: number;
    readonly meanMs: number;
    readonly remote: boolean;
  };
  /** The order proposing victims now (the own base's, or the other's), and its changes. */
  readonly order: { readonly active: BaseOrder; readonly switches: number };
  /** Running as the plain base (`--ml-plain-switch`): now, times it went plain and learned again. */
  readonly plain: { readonly active: boolean; readonly switches: number; readonly wakes: number };
  /** The last model the scorer service announced, with `--scorer grpc://…`. */
  readonly remoteModel?: RemoteModelNotice;
  /**
   * Models pulled from the scorer service (rank local): the one installed now (absent before
   * the first), how many were installed, and how many were refused by reason.
   */
  readonly pulled?: {
    readonly model?: RemoteModelNotice;
    readonly installed: number;
    readonly refused: Readonly<Record<PullRefusal, number>>;
  };
}

/**
 * What the node learns about its learned policy besides `stats()`: the observer of scored
 * batches, training durations, and when the model changed (wall clock). One per node.
 */
export class MlTelemetry {
  readonly scoreSeconds = {
    local: new PlainHistogram(SCORE_SECONDS),
    remote: new PlainHistogram(SCORE_SECONDS),
  };
  readonly batchRows = {
    local: new PlainHistogram(BATCH_ROWS),
    remote: new PlainHistogram(BATCH_ROWS),
  };
  readonly trainingSeconds = new PlainHistogram(TRAINING_SECONDS);
  readonly #stats: () => MlPolicyStats;
  readonly #clock: Clock;
  readonly #remote: boolean;
  #seenVersion = 0;
  #installedAtMs = 0;
  #remoteModel: RemoteModelNotice | undefined;
  readonly #pulling: boolean;
  readonly #base: BaseOrder;
  #pulledModel: RemoteModelNotice | undefined;
  #pulledInstalled = 0;
  readonly #pullRefused: Record<PullRefusal, number> = {
    corrupt: 0,
    feature_version: 0,
    signature: 0,
    other: 0,
  };

  constructor(options: MlTelemetryOptions) {
    this.#stats = options.stats;
    this.#clock = options.clock;
    this.#remote = options.remote;
    this.#pulling = options.pulling ?? false;
    this.#base = options.base ?? 'lru';
  }

  /** The order proposing victims: the own base's unless the base selector chose the other. */
  activeOrder(stats: MlPolicyStats): BaseOrder {
    if (stats.otherBaseActive === 0) return this.#base;
    return this.#base === 'lru' ? 'lfu' : 'lru';
  }

  /** The policy's observer: one scored batch of `rows` rows that took `ms`. */
  readonly observer = {
    scoreBatch: (rows: number, ms: number, remote: boolean): void => {
      const at = remote ? 'remote' : 'local';
      this.scoreSeconds[at].observe(ms / 1000);
      this.batchRows[at].observe(rows);
    },
  };

  /** One training finished (or failed) after `ms`. */
  trainingDone(ms: number): void {
    this.trainingSeconds.observe(ms / 1000);
  }

  /** The scorer service announced a model. */
  remoteModel(notice: RemoteModelNotice): void {
    this.#remoteModel = notice;
  }

  /** A model pulled from the scorer service was installed: it is the model in use now. */
  pulled(notice: RemoteModelNotice): void {
    this.#pulledModel = notice;
    this.#pulledInstalled++;
  }

  /** A model pulled from the scorer service was refused; the previous one stays. */
  pullRefused(reason: PullRefusal): void {
    this.#pullRefused[reason]++;
  }

  /** Models pulled and installed so far. */
  get pulledInstalled(): number {
    return this.#pulledInstalled;
  }

  /** Pulled models refused so far, by reason (a live view). */
  get pullRefusals(): Readonly<Record<PullRefusal, number>> {
    return this.#pullRefused;
  }

  /**
   * Notes when the policy's model version changes; the node calls it every second and at every
   * scrape, so ages are right to about a second.
   */
  poll(): MlPolicyStats {
    const stats = this.#stats();
    if (stats.modelVersion !== this.#seenVersion) {
      this.#seenVersion = stats.modelVersion;
      this.#installedAtMs = this.#clock.now();
    }
    return stats;
  }

  /**
   * The model version: the scorer service's version of the model in use when it came from the
   * service (pulled and installed, or announced by a remote scorer), else the policy's count.
   * A node that pulls reports 0 until its first pull, also while its start model (`--model`)
   * ranks: 0 says that no model of the service is in use yet.
   */
  modelVersion(stats: MlPolicyStats): number {
    if (this.#pulling) return this.#pulledModel?.version ?? 0;
    return this.#remoteModel?.version ?? stats.modelVersion;
  }

  /**
   * Seconds since the model in use was installed (for a model from the scorer service: since the
   * service installed it); 0 without a model.
   */
  modelAgeSeconds(stats: MlPolicyStats): number {
    const notice = this.#pulling ? this.#pulledModel : this.#remoteModel;
    if (notice !== undefined) return Math.max(0, (this.#clock.now() - notice.installedAtMs) / 1000);
    if (stats.modelVersion === 0) return 0;
    return Math.max(0, (this.#clock.now() - this.#installedAtMs) / 1000);
  }

  snapshot(): MlStatsSnapshot {
    const s = this.poll();
    const at = this.#remote ? 'remote' : 'local';
    const latency = this.scoreSeconds[at];
    const rows = this.batchRows[at];
    return {
      modelVersion: this.modelVersion(s),
      modelAgeSeconds: this.modelAgeSeconds(s),
      modelAgeRequests: s.modelAge,
      evictions: { model: s.modelEvictions, base: s.baseEvictions },
      modelKeptBase: s.modelKeptBase,
      fallbacks: { ...s.fallbacks },
      breaker: { state: breakerName(s.breakerState), opens: s.breakerOpens },
      trainings: s.trainings,
      trainingFailures: s.trainingFailures,
      lastTrainingMs: s.lastTrainingMs,
      modelsRefused: { version: s.modelsRefusedVersion, validation: s.modelsRefusedValidation },
      shadow: {
        liveHitRatio: s.shadowLiveHitRatio,
        baseHitRatio: s.shadowBaseHitRatio,
        plainHitRatio: Number.isFinite(s.shadowPlainHitRatio) ? s.shadowPlainHitRatio : null,
        fallbackActive: s.shadowFallbackActive !== 0,
      },
      scoring: {
        batches: s.batches,
        meanRows: rows.count > 0 ? rows.sum / rows.count : 0,
        meanMs: latency.count > 0 ? (1000 * latency.sum) / latency.count : 0,
        remote: this.#remote,
      },
      order: { active: this.activeOrder(s), switches: s.baseSwitches },
      plain: { active: s.plainActive !== 0, switches: s.plainSwitches, wakes: s.plainWakes },
      ...(this.#remoteModel === undefined ? {} : { remoteModel: this.#remoteModel }),
      ...(this.#pulling
        ? {
            pulled: {
              ...(this.#pulledModel === undefined ? {} : { model: this.#pulledModel }),
              installed: this.#pulledInstalled,
              refused: { ...this.#pullRefused },
            },
          }
        : {}),
    };
  }
}

export interface MlMetricsOptions {
  readonly registry: Registry;
  readonly node: string;
  readonly policy: string;
  readonly telemetry: MlTelemetry;
}

type Row = readonly [
  name: string,
  type: MetricKind,
  help: string,
  read: (base: Labels, stats: () => MlPolicyStats) => Sample[],
];

/** Registers the learned policy's metrics (`mlcache_node_ml_*`) on `options.registry`. */
export function createMlMetrics(options: MlMetricsOptions): void {
  const base: Labels = { node: options.node, policy: options.policy };
  const t = options.telemetry;
  // stats() is a cheap live view; polling also notes model changes for the age gauge.
  const stats = (): MlPolicyStats => t.poll();
  for (const [what, type, help, read] of rows(t)) {
    registerCollected(options.registry, {
      name: `${METRIC_PREFIX}ml_${what}`,
      type,
      help,
      read: () => read(base, stats),
    });
  }
}

const one = (labels: Labels, value: number): Sample[] => [{ labels, value }];

/** One sample per value of `label`, in the order given: `{ model: 3, base: 5 }`. */
const byLabel = (labels: Labels, label: string, values: Record<string, number>): Sample[] =>
  Object.entries(values).map(([value, n]) => ({ labels: { ...labels, [label]: value }, value: n }));

function rows(t: MlTelemetry): Row[] {
  const histogram =
    (name: string, pick: (at: 'local' | 'remote') => HistogramSource) =>
    (l: Labels): Sample[] => [
      ...histogramSamples(`${METRIC_PREFIX}ml_${name}`, pick('local'), { ...l, scorer: 'local' }),
      ...histogramSamples(`${METRIC_PREFIX}ml_${name}`, pick('remote'), { ...l, scorer: 'remote' }),
    ];
  return [
    [
      'evictions_total',
      'counter',
      'Evictions by who chose the victim: decider="model" (the model overruled the base policy) or "base".',
      (l, s) => byLabel(l, 'decider', { model: s().modelEvictions, base: s().baseEvictions }),
    ],
    [
      'model_kept_base_total',
      'counter',
      "Evictions where the model was asked and confirmed the base policy's victim.",
      (l, s) => one(l, s().modelKeptBase),
    ],
    [
      'fallbacks_total',
      'counter',
      'Evictions (scorerError, deadline: scoring batches) left to the base policy, by reason.',
      (l, s) =>
        Object.entries(s().fallbacks).map(([reason, value]) => ({
          labels: { ...l, reason },
          value,
        })),
    ],
    [
      'breaker_state',
      'gauge',
      "The scorer's circuit breaker: 0 closed, 1 half-open, 2 open (evictions use the base).",
      (l, s) => one(l, BREAKER_METRIC[s().breakerState as 0 | 1 | 2] ?? 0),
    ],
    [
      'breaker_opens_total',
      'counter',
      'Times the circuit breaker opened.',
      (l, s) => one(l, s().breakerOpens),
    ],
    [
      'model_version',
      'gauge',
      "Version of the model in use: the scorer service's version for a model from the service, else models installed so far; 0 before the first.",
      (l, s) => one(l, t.modelVersion(s())),
    ],
    [
      'model_age_seconds',
      'gauge',
      'Seconds since the model in use was installed; 0 without a model.',
      (l, s) => one(l, t.modelAgeSeconds(s())),
    ],
    [
      'models_pulled_total',
      'counter',
      'Models pulled from the scorer service (--scorer grpc://, rank local) and installed.',
      (l) => one(l, t.pulledInstalled),
    ],
    [
      'models_pull_refused_total',
      'counter',
      'Models pulled from the scorer service and refused (the previous model stays), by reason: corrupt, feature_version, signature, other.',
      (l) =>
        PULL_REFUSALS.map((reason) => ({
          labels: { ...l, reason },
          value: t.pullRefusals[reason],
        })),
    ],
    ['trainings_total', 'counter', 'Models trained.', (l, s) => one(l, s().trainings)],
    [
      'training_failures_total',
      'counter',
      'Trainings that failed.',
      (l, s) => one(l, s().trainingFailures),
    ],
    [
      'training_duration_seconds',
      'histogram',
      'Duration of one training (in a worker thread).',
      (l) => histogramSamples(`${METRIC_PREFIX}ml_training_duration_seconds`, t.trainingSeconds, l),
    ],
    [
      'models_refused_total',
      'counter',
      'Models not installed, by reason: "version" (another feature schema), "validation" (ranked held-out rows worse than the current model or the base).',
      (l, s) =>
        byLabel(l, 'reason', {
          version: s().modelsRefusedVersion,
          validation: s().modelsRefusedValidation,
        }),
    ],
    [
      'shadow_hit_ratio',
      'gauge',
      'Hit ratio on the shadow-sampled keys: variant="live" (this policy), "base" (a shadow of the base policy in the same budget) and, where the budget is memory, "plain" (the base policy alone in the same memory, its entries without the learned state: above "live", the learned policy does not pay for its memory).',
      (l, s) => {
        const stats = s();
        const samples = [
          { labels: { ...l, variant: 'live' }, value: stats.shadowLiveHitRatio },
          { labels: { ...l, variant: 'base' }, value: stats.shadowBaseHitRatio },
        ];
        if (Number.isFinite(stats.shadowPlainHitRatio)) {
          samples.push({ labels: { ...l, variant: 'plain' }, value: stats.shadowPlainHitRatio });
        }
        return samples;
      },
    ],
    [
      'shadow_fallback_active',
      'gauge',
      '1 while the policy falls back to its base because the model trailed the shadow.',
      (l, s) => one(l, s().shadowFallbackActive),
    ],
    [
      'plain_mode',
      'gauge',
      "1 while the learned policy runs as its plain base: it trailed the plain base replayed in the same memory, and gave its learned state's memory back to entries.",
      (l, s) => one(l, s().plainActive),
    ],
    [
      'plain_switches_total',
      'counter',
      'Times the learned policy went plain (to="plain") and tried learning again (to="learned").',
      (l, s) => byLabel(l, 'to', { plain: s().plainSwitches, learned: s().plainWakes }),
    ],
    [
      'challenge_margin',
      'gauge',
      "How much farther (log units) the model must rank a candidate than the base's victim.",
      (l, s) => one(l, s().challengeMargin),
    ],
    [
      'base_order',
      'gauge',
      'The order whose victims the model challenges and fallbacks evict (1 for the active one): the own base, or the other one when the base selector found it better (adaptiveBase).',
      (l, s) => {
        const active = t.activeOrder(s());
        return (['lru', 'lfu'] as const).map((order) => ({
          labels: { ...l, order },
          value: order === active ? 1 : 0,
        }));
      },
    ],
    [
      'base_order_switches_total',
      'counter',
      'Times the base selector changed the order proposing victims.',
      (l, s) => one(l, s().baseSwitches),
    ],
    [
      'prior_evictions_total',
      'counter',
      "Of the model's evictions, those the saturation prior chose (where the model predicted the base's victim at the label cap).",
      (l, s) => one(l, s().priorEvictions),
    ],
    [
      'audit_pairs_resolved_total',
      'counter',
      "Challenges audited by their outcome: the pool's best and the base's victim, one of which was requested again (both policies' default).",
      (l, s) => one(l, s().auditResolved),
    ],
    [
      'audit_margin',
      'gauge',
      'The margin the audited outcomes call for (the lead from which overrules were right more often than wrong); -1 until they tell.',
      (l, s) => one(l, s().auditMargin),
    ],
    [
      'prior_guard_trips_total',
      'counter',
      'Times the guard switched the saturation prior off for a cooldown because the policy trailed its shadow after the prior acted.',
      (l, s) => one(l, s().priorGuardTrips),
    ],
    [
      'evicted_keys_remembered',
      'gauge',
      'Evicted keys whose access history the features remember (a returning key picks it up); the table grows to twice the resident keys, up to its limit.',
      (l, s) => one(l, s().ghostKeys),
    ],
    [
      'evicted_keys_capacity',
      'gauge',
      'How many evicted keys the table can remember now (about 80 bytes each, counted against --maxmemory: at most 5% of it).',
      (l, s) => one(l, s().ghostCapacity),
    ],
    ['score_batches_total', 'counter', 'Candidate batches scored.', (l, s) => one(l, s().batches)],
    [
      'score_duration_seconds',
      'histogram',
      'Time to score one candidate batch, by scorer (local: in process; remote: the scorer service).',
      histogram('score_duration_seconds', (at) => t.scoreSeconds[at]),
    ],
    [
      'score_batch_rows',
      'histogram',
      'Candidates per scored batch, by scorer.',
      histogram('score_batch_rows', (at) => t.batchRows[at]),
    ],
  ];
}
