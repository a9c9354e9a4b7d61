import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { createMlMetrics, MlTelemetry, PlainHistogram, pullRefusalOf } from './ml-metrics.ts';
import type { MlPolicyStats } from './ml-metrics.ts';
import { createNodeStats } from './node-stats.ts';

function fakeStats(): { -readonly [K in keyof MlPolicyStats]: MlPolicyStats[K] } {
  return {
    modelEvictions: 7,
    baseEvictions: 3,
    modelKeptBase: 2,
    batches: 10,
    fallbacks: { noModel: 0, breakerOpen: 4, scorerError: 2, deadline: 1, shadow: 0 },
    breakerState: 1, // the policy's "open"
    breakerOpens: 1,
    modelVersion: 0,
    modelAge: 0,
    modelsRefusedVersion: 1,
    modelsRefusedValidation: 2,
    trainings: 3,
    trainingFailures: 0,
    lastTrainingMs: 120,
    totalTrainingMs: 300,
    shadowLiveHitRatio: 0.5,
    shadowBaseHitRatio: 0.25,
    shadowPlainHitRatio: 0.625,
    shadowFallbackActive: 0,
    plainActive: 1,
    plainSwitches: 2,
    plainWakes: 1,
    challengeMargin: 0.3,
    auditResolved: 0,
    auditMargin: -1,
    baseSwitches: 0,
    otherBaseActive: 0,
    priorEvictions: 0,
    priorGuardTrips: 0,
    ghostKeys: 0,
    ghostCapacity: 0,
  };
}

function build(remote = false) {
  const clock = new ManualClock(1_000_000);
  const stats = fakeStats();
  const telemetry = new MlTelemetry({ stats: () => stats, clock, remote });
  const registry = new Registry();
  createMlMetrics({ registry, node: 'n1', policy: 'ml-lfu', telemetry });
  return { clock, stats, telemetry, registry };
}

const L = 'node="n1",policy="ml-lfu"';

describe('createMlMetrics', () => {
  it("exports the policy's counters with node and policy labels at scrape time", async () => {
    const { registry, stats } = build();
    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_evictions_total{${L},decider="model"} 7`);
    expect(text).toContain(`mlcache_node_ml_evictions_total{${L},decider="base"} 3`);
    expect(text).toContain(`mlcache_node_ml_fallbacks_total{${L},reason="breakerOpen"} 4`);
    expect(text).toContain(`mlcache_node_ml_fallbacks_total{${L},reason="scorerError"} 2`);
    expect(text).toContain(`mlcache_node_ml_fallbacks_total{${L},reason="deadline"} 1`);
    expect(text).toContain(`mlcache_node_ml_breaker_state{${L}} 2`); // open
    expect(text).toContain(`mlcache_node_ml_models_refused_total{${L},reason="validation"} 2`);
    expect(text).toContain(`mlcache_node_ml_shadow_hit_ratio{${L},variant="base"} 0.25`);
    expect(text).toContain(`mlcache_node_ml_shadow_hit_ratio{${L},variant="plain"} 0.625`);
    expect(text).toContain(`mlcache_node_ml_trainings_total{${L}} 3`);
    expect(text).toContain(`mlcache_node_ml_plain_mode{${L}} 1`);
    expect(text).toContain(`mlcache_node_ml_plain_switches_total{${L},to="plain"} 2`);
    expect(text).toContain(`mlcache_node_ml_plain_switches_total{${L},to="learned"} 1`);
    expect(text).toContain('# TYPE mlcache_node_ml_score_duration_seconds histogram');
    stats.breakerState = 2; // half-open
    stats.modelEvictions = 9;
    stats.shadowPlainHitRatio = Number.NaN; // a budget that is not memory: no plain shadow
    text = await registry.metrics();
    expect(text).not.toContain('variant="plain"');
    expect(text).toContain(`mlcache_node_ml_breaker_state{${L}} 1`);
    expect(text).toContain(`mlcache_node_ml_evictions_total{${L},decider="model"} 9`);
  });

  it('names the order proposing victims: the own base, then the other after a switch', async () => {
    const clock = new ManualClock(1_000_000);
    const stats = fakeStats();
    const telemetry = new MlTelemetry({ stats: () => stats, clock, remote: false, base: 'lfu' });
    const registry = new Registry();
    createMlMetrics({ registry, node: 'n1', policy: 'ml-lfu', telemetry });
    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_base_order{${L},order="lfu"} 1`);
    expect(text).toContain(`mlcache_node_ml_base_order{${L},order="lru"} 0`);
    stats.baseSwitches = 3;
    stats.otherBaseActive = 1;
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_base_order{${L},order="lru"} 1`);
    expect(text).toContain(`mlcache_node_ml_base_order{${L},order="lfu"} 0`);
    expect(text).toContain(`mlcache_node_ml_base_order_switches_total{${L}} 3`);
    stats.priorEvictions = 40;
    stats.priorGuardTrips = 2;
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_prior_evictions_total{${L}} 40`);
    expect(text).toContain(`mlcache_node_ml_prior_guard_trips_total{${L}} 2`);
    expect(text).toContain(`mlcache_node_ml_audit_margin{${L}} -1`);
    stats.auditResolved = 512;
    stats.auditMargin = 0.625;
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_audit_pairs_resolved_total{${L}} 512`);
    expect(text).toContain(`mlcache_node_ml_audit_margin{${L}} 0.625`);
    stats.ghostKeys = 1_000;
    stats.ghostCapacity = 262_144;
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_evicted_keys_remembered{${L}} 1000`);
    expect(text).toContain(`mlcache_node_ml_evicted_keys_capacity{${L}} 262144`);
    expect(telemetry.snapshot().order).toEqual({ active: 'lru', switches: 3 });
    expect(telemetry.snapshot().plain).toEqual({ active: true, switches: 2, wakes: 1 });
  });

  it('ages the model by the wall clock from when its version changed', async () => {
    const { registry, stats, clock, telemetry } = build();
    expect(await registry.metrics()).toContain(`mlcache_node_ml_model_age_seconds{${L}} 0`);
    stats.modelVersion = 1;
    telemetry.poll();
    clock.advance(30_000);
    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_model_version{${L}} 1`);
    expect(text).toContain(`mlcache_node_ml_model_age_seconds{${L}} 30`);
    stats.modelVersion = 2;
    telemetry.poll();
    clock.advance(5_000);
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_model_age_seconds{${L}} 5`);
  });

  it('takes the scorer service model version and install time when one is announced', async () => {
    const { registry, clock, telemetry } = build(true);
    telemetry.remoteModel({ version: 4, installedAtMs: clock.now() - 12_000, source: 'trained' });
    const text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_model_version{${L}} 4`);
    expect(text).toContain(`mlcache_node_ml_model_age_seconds{${L}} 12`);
    expect(telemetry.snapshot().remoteModel).toEqual({
      version: 4,
      installedAtMs: clock.now() - 12_000,
      source: 'trained',
    });
  });

  it('fills the latency, batch-size and training histograms from the observer', async () => {
    const { registry, telemetry } = build();
    telemetry.observer.scoreBatch(3, 0.02, false);
    telemetry.observer.scoreBatch(64, 3, true);
    telemetry.trainingDone(250);
    const text = await registry.metrics();
    const local = `${L},scorer="local"`;
    const remote = `${L},scorer="remote"`;
    expect(text).toContain(
      `mlcache_node_ml_score_duration_seconds_bucket{${local},le="0.000025"} 1`,
    );
    expect(text).toContain(`mlcache_node_ml_score_duration_seconds_count{${local}} 1`);
    expect(text).toContain(`mlcache_node_ml_score_duration_seconds_bucket{${remote},le="0.002"} 0`);
    expect(text).toContain(`mlcache_node_ml_score_duration_seconds_bucket{${remote},le="0.005"} 1`);
    expect(text).toContain(`mlcache_node_ml_score_batch_rows_bucket{${local},le="4"} 1`);
    expect(text).toContain(`mlcache_node_ml_score_batch_rows_bucket{${remote},le="32"} 0`);
    expect(text).toContain(`mlcache_node_ml_score_batch_rows_sum{${remote}} 64`);
    expect(text).toContain(`mlcache_node_ml_training_duration_seconds_bucket{${L},le="0.25"} 1`);
    expect(text).toContain(`mlcache_node_ml_training_duration_seconds_sum{${L}} 0.25`);
  });
});

describe('models pulled from the scorer service', () => {
  it('reports the installed model version and age, installs and refusals by reason', async () => {
    const clock = new ManualClock(1_000_000);
    const stats = fakeStats();
    stats.modelVersion = 5; // the policy's own count: not what a pulling node reports
    const telemetry = new MlTelemetry({ stats: () => stats, clock, remote: false, pulling: true });
    const registry = new Registry();
    createMlMetrics({ registry, node: 'n1', policy: 'ml-lfu', telemetry });
    let text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_model_version{${L}} 0`);
    expect(text).toContain(`mlcache_node_ml_models_pulled_total{${L}} 0`);
    expect(text).toContain(`mlcache_node_ml_models_pull_refused_total{${L},reason="corrupt"} 0`);

    // The service announces v3 but the node has not installed it: the version stays.
    telemetry.remoteModel({ version: 3, installedAtMs: 990_000, source: 'trained' });
    telemetry.pulled({ version: 2, installedAtMs: 996_000, source: 'file' });
    telemetry.pullRefused(pullRefusalOf('MODEL_E_CORRUPT'));
    telemetry.pullRefused(pullRefusalOf('MODEL_E_FEATURE_VERSION'));
    telemetry.pullRefused(pullRefusalOf(undefined));
    clock.advance(2000);
    text = await registry.metrics();
    expect(text).toContain(`mlcache_node_ml_model_version{${L}} 2`);
    expect(text).toContain(`mlcache_node_ml_model_age_seconds{${L}} 6`);
    expect(text).toContain(`mlcache_node_ml_models_pulled_total{${L}} 1`);
    expect(text).toContain(`mlcache_node_ml_models_pull_refused_total{${L},reason="corrupt"} 1`);
    expect(text).toContain(
      `mlcache_node_ml_models_pull_refused_total{${L},reason="feature_version"} 1`,
    );
    expect(text).toContain(`mlcache_node_ml_models_pull_refused_total{${L},reason="other"} 1`);
    expect(telemetry.snapshot()).toMatchObject({
      modelVersion: 2,
      modelAgeSeconds: 6,
      pulled: {
        model: { version: 2, source: 'file' },
        installed: 1,
        refused: { corrupt: 1, feature_version: 1, signature: 0, other: 1 },
      },
    });
  });

  it('leaves the pull fields out of a node that does not pull', () => {
    const { telemetry } = build();
    expect(telemetry.snapshot()).not.toHaveProperty('pulled');
  });
});

describe('MlTelemetry.snapshot and /v1/stats', () => {
  it('puts the learned policy under `ml` in the node stats', () => {
    const { telemetry } = build();
    telemetry.observer.scoreBatch(4, 0.5, false);
    const stats = createNodeStats({
      node: 'n1',
      durability: 'none',
      store: {
        stats: () => ({
          hits: 0,
          misses: 0,
          evictedCapacity: 10,
          evictedAhead: 0,
          evictedExpired: 0,
          items: 0,
          itemsWithTtl: 0,
          bytesUsed: 0,
          bytesCapacity: 0,
          policy: 'ml-lfu',
        }),
      },
      state: () => 'ready',
      uptimeMs: () => 0,
      ml: () => telemetry.snapshot(),
    })();
    expect(stats.ml).toMatchObject({
      modelVersion: 0,
      evictions: { model: 7, base: 3 },
      breaker: { state: 'open', opens: 1 },
      fallbacks: { breakerOpen: 4, scorerError: 2, deadline: 1 },
      modelsRefused: { version: 1, validation: 2 },
      shadow: {
        liveHitRatio: 0.5,
        baseHitRatio: 0.25,
        plainHitRatio: 0.625,
        fallbackActive: false,
      },
      scoring: { batches: 10, meanRows: 4, meanMs: 0.5, remote: false },
    });
  });

  it('counts observations into the right bucket (upper bounds inclusive)', () => {
    const h = new PlainHistogram([1, 2]);
    for (const v of [0.5, 1, 1.5, 2, 3]) h.observe(v);
    expect(Array.from(h.counts)).toEqual([2, 2, 1]);
    expect(h.sum).toBe(8);
    expect(h.count).toBe(5);
  });
});
