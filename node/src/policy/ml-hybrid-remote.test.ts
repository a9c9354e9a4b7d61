import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from './features.ts';
import type { MlHybridOptions, MlHybridPolicy } from './ml-hybrid.ts';
import { DEFAULT_ML_HYBRID_PARAMS } from './ml-hybrid-params.ts';
import type { MlHybridParams } from './ml-hybrid-params.ts';
import { createBasePolicy, createMlHybridPolicy } from './ml-hybrid.ts';
import { MAX_SUBMISSIONS } from './online-training.ts';
import type { SetTimer } from './remote-scoring.ts';
import type { RemoteScorer, RemoteScores, SampleSink, Scorer, TrainingJob } from './scorer-port.ts';
import { CacheDriver, drive, driveAsync, sensible, skewed } from './test-ml-drive.ts';
import type { Op } from './test-ml-drive.ts';

/** Timers on a ManualClock: they fire when the test moves the clock past them. */
class FakeTimers {
  readonly clock = new ManualClock();
  readonly #timers: { at: number; fire: () => void; live: boolean }[] = [];

  readonly setTimer: SetTimer = (fire, ms) => {
    const timer = { at: this.clock.monotonic() + ms, fire, live: true };
    this.#timers.push(timer);
    return () => {
      timer.live = false;
    };
  };

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }

  advance(ms: number): void {
    this.clock.advance(ms);
    for (const t of this.#timers) {
      if (t.live && t.at <= this.clock.monotonic()) {
        t.live = false;
        t.fire();
      }
    }
  }
}

/** Lets settled promises run their callbacks. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A remote scorer whose every call is handled by `answer` (which may never settle). */
function remote(
  answer: (rows: Float32Array, n: number) => Promise<RemoteScores>,
  version = FEATURE_SCHEMA_VERSION,
): RemoteScorer & { calls: number } {
  const r = {
    featureSchemaVersion: version,
    nFeatures: FEATURE_COUNT,
    calls: 0,
    score(rows: Float32Array, n: number): Promise<RemoteScores> {
      r.calls++;
      return answer(rows, n);
    },
  };
  return r;
}

/** The answers of a local model, as a scorer service holding it would give them. */
function scoresOf(model: Scorer, rows: Float32Array, n: number, modelVersion = 7): RemoteScores {
  const scores = new Float64Array(n);
  model.predict(rows, scores, n);
  return { scores, modelVersion };
}

const DEADLINE = 5;
// adaptiveBase off: these compare the evictions with plain LRU's (not the better of LRU and LFU).
const params = {
  deadline: DEADLINE,
  breakerFailures: 3,
  breakerCooldown: 1000,
  adaptiveBase: false,
};

function remotePolicy(
  timers: FakeTimers,
  scorer: RemoteScorer,
  capacity: number,
  extra: Partial<MlHybridOptions> = {},
): MlHybridPolicy {
  return createMlHybridPolicy({
    base: 'lru',
    capacity,
    remoteScorer: scorer,
    clock: timers.clock,
    setTimer: timers.setTimer,
    params,
    ...extra,
  });
}

/** Replays `ops` on a plain LRU and on `policy`, moving time by `ms` every 10 ops. */
async function againstLru(
  policy: MlHybridPolicy,
  timers: FakeTimers,
  ops: readonly Op[],
  capacity: number,
  ms = 1,
): Promise<{ victims: number[]; hits: number; lru: { victims: number[]; hits: number } }> {
  const lru = drive(createBasePolicy('lru', capacity), ops, capacity);
  const run = await driveAsync(policy, ops, capacity, async () => {
    await flush();
    timers.advance(ms);
    await flush();
  });
  return { ...run, lru };
}

/**
 * A remote scorer whose answers wait in `answers` until a test releases them: the first `heads`
 * rows (the base's victims) score 0, every other candidate 100 (a great victim).
 */
function heldAnswers(heads: number): { answers: (() => void)[]; eager: RemoteScorer } {
  const answers: (() => void)[] = [];
  const eager = remote(
    (_rows, n) =>
      new Promise<RemoteScores>((resolve) => {
        answers.push(() =>
          resolve({
            scores: Float64Array.from({ length: n }, (_, i) => (i < heads ? 0 : 100)),
            modelVersion: 1,
          }),
        );
      }),
  );
  return { answers, eager };
}

describe('ML hybrid with a remote scorer: evictions never wait, failures fall back', () => {
  it('refuses a scorer of another feature schema at construction, saying why', () => {
    const timers = new FakeTimers();
    const other = remote(() => new Promise(() => {}), FEATURE_SCHEMA_VERSION + 1);
    expect(() => remotePolicy(timers, other, 8)).toThrow(RangeError);
    expect(() => remotePolicy(timers, other, 8)).toThrow(/feature schema 2 .* schema 1/);
    const noClock = {
      base: 'lru' as const,
      capacity: 8,
      remoteScorer: remote(() => Promise.resolve({ scores: new Float64Array(0), modelVersion: 0 })),
    };
    expect(() => createMlHybridPolicy(noClock)).toThrow(/needs a clock/);
  });

  it('dead (rejects): evicts exactly like LRU; three failures open the breaker, which retries after the cooldown', async () => {
    const timers = new FakeTimers();
    const dead = remote(() => Promise.reject(new Error('connection refused')));
    const policy = remotePolicy(timers, dead, 50);
    const ops = skewed(3000, 1);
    const run = await againstLru(policy, timers, ops, 50);
    expect(run.victims).toEqual(run.lru.victims);
    let s = policy.stats();
    expect(s.fallbacks.scorerError).toBe(3);
    expect(s.breakerState).toBe(1);
    expect(s.breakerOpens).toBe(1);
    expect(dead.calls).toBe(3);
    expect(s.modelEvictions).toBe(0);
    // While the breaker is open, that is the reason (not noModel: no model ever answered, but
    // the breaker is what keeps the scorer out); noModel counts only the evictions before the
    // three failures opened it, each of which took at least one round of `flush`.
    expect(s.fallbacks.breakerOpen).toBeGreaterThan(100);
    expect(s.fallbacks.noModel).toBeLessThan(50);
    expect(s.fallbacks.breakerOpen + s.fallbacks.noModel).toBe(s.baseEvictions);
    // The cooldown passes: one trial batch, which fails and reopens the breaker.
    timers.advance(1000);
    await driveAsync(policy, skewed(200, 2), 50, flush);
    s = policy.stats();
    expect(dead.calls).toBe(4);
    expect(s.breakerOpens).toBe(2);
  });

  it('hung (never settles): evictions continue as LRU, the deadline timer fails each batch and opens the breaker', async () => {
    const timers = new FakeTimers();
    const hung = remote(() => new Promise<RemoteScores>(() => {}));
    const policy = remotePolicy(timers, hung, 50);
    const ops = skewed(3000, 3);
    // Before any deadline passes: one batch in flight, no second one.
    const early = new CacheDriver(policy, 50);
    for (const op of ops.slice(0, 500)) early.step(op);
    expect(hung.calls).toBe(1);
    expect(policy.stats().remoteInFlight).toBe(1);
    expect(timers.pending).toBe(1);
    timers.advance(DEADLINE);
    expect(policy.stats().fallbacks.deadline).toBe(1);
    expect(policy.stats().remoteInFlight).toBe(0);
    const fresh = remotePolicy(timers, hung, 50, { params: { ...params, breakerCooldown: 1e6 } });
    const run = await againstLru(fresh, timers, ops, 50, DEADLINE);
    expect(run.victims).toEqual(run.lru.victims);
    const s = fresh.stats();
    expect(s.fallbacks.deadline).toBe(3);
    expect(s.breakerState).toBe(1);
    expect(s.modelEvictions).toBe(0);
  });

  it('slow (answers after the deadline): the answer is dropped and counts as a failure', async () => {
    const timers = new FakeTimers();
    const pending: (() => void)[] = [];
    const slow = remote(
      (rows, n) =>
        new Promise<RemoteScores>((resolve) => {
          pending.push(() => resolve(scoresOf(sensible, rows, n)));
        }),
    );
    const policy = remotePolicy(timers, slow, 50, { params: { ...params, breakerCooldown: 1e6 } });
    const ops = skewed(3000, 4);
    const run = await driveAsync(policy, ops, 50, async () => {
      timers.advance(DEADLINE + 1); // the deadline fires first…
      for (const answer of pending.splice(0)) answer(); // …then the answer comes
      await flush();
    });
    expect(run.victims).toEqual(drive(createBasePolicy('lru', 50), ops, 50).victims);
    const s = policy.stats();
    expect(s.remoteLate).toBeGreaterThan(0);
    expect(s.fallbacks.deadline).toBe(3);
    expect(s.remoteAnswers).toBe(0);
    expect(s.modelEvictions).toBe(0);
  });

  it('slow but not hung: an answer past the deadline is refused on arrival even if the timer is late', async () => {
    const timers = new FakeTimers();
    const late = remote((rows, n) => {
      timers.clock.advance(DEADLINE + 1); // the clock moves, but no timer gets to fire
      return Promise.resolve(scoresOf(sensible, rows, n));
    });
    const policy = remotePolicy(timers, late, 50);
    await driveAsync(policy, skewed(2000, 5), 50, flush);
    expect(policy.stats().fallbacks.deadline).toBe(3);
    expect(policy.stats().modelEvictions).toBe(0);
  });

  for (const [what, garble] of [
    ['NaN scores', (s: Float64Array) => s.fill(Number.NaN)],
    ['too few scores', (s: Float64Array) => s.subarray(1)],
    ['infinite scores', (s: Float64Array) => s.fill(Number.POSITIVE_INFINITY)],
  ] as const) {
    it(`garbage (${what}): refused, counted as scorer errors, evictions stay LRU's`, async () => {
      const timers = new FakeTimers();
      const bad = remote((rows, n) => {
        const r = scoresOf(sensible, rows, n);
        return Promise.resolve({ scores: garble(r.scores), modelVersion: r.modelVersion });
      });
      const policy = remotePolicy(timers, bad, 50);
      const ops = skewed(3000, 6);
      const run = await againstLru(policy, timers, ops, 50);
      expect(run.victims).toEqual(run.lru.victims);
      expect(policy.stats().fallbacks.scorerError).toBe(3);
      expect(policy.stats().breakerState).toBe(1);
    });
  }

  it('no model yet (version 0): the base evicts, the breaker stays closed, and it asks again later', async () => {
    const timers = new FakeTimers();
    let version = 0;
    const empty = remote((rows, n) =>
      Promise.resolve(
        version === 0
          ? { scores: new Float64Array(0), modelVersion: 0 }
          : scoresOf(sensible, rows, n, version),
      ),
    );
    const policy = remotePolicy(timers, empty, 50, { params: { ...params, remoteRetry: 100 } });
    const ops = skewed(3000, 7);
    const run = await againstLru(policy, timers, ops, 50);
    expect(run.victims).toEqual(run.lru.victims);
    let s = policy.stats();
    expect(s.breakerState).toBe(0);
    expect(s.remoteModelVersion).toBe(0);
    // 300 pauses of 1 ms: one batch per 100 ms retry, not one per eviction.
    expect(empty.calls).toBeGreaterThanOrEqual(3);
    expect(empty.calls).toBeLessThanOrEqual(4);
    // The scorer gets a model: it is used from its next answer on.
    version = 3;
    timers.advance(100);
    await driveAsync(policy, skewed(3000, 8), 50, flush);
    s = policy.stats();
    expect(s.remoteModelVersion).toBe(3);
    expect(s.modelEvictions).toBeGreaterThan(100);
    // Answers come every 10 requests: the base's victims scored with a batch are often gone by
    // then, and the challenge uses their typical score.
    expect(s.remoteHeadEstimated).toBeGreaterThan(0);
  });
});

describe('ML hybrid with a remote scorer that works', () => {
  it('evicts as the model ranks, about as well as the same model scoring locally', async () => {
    const timers = new FakeTimers();
    const batches: { rows: number; ms: number; remote: boolean }[] = [];
    const good = remote((rows, n) => {
      timers.clock.advance(1);
      return Promise.resolve(scoresOf(sensible, rows, n));
    });
    const policy = remotePolicy(timers, good, 200, {
      observer: {
        scoreBatch: (rows, ms, isRemote) => batches.push({ rows, ms, remote: isRemote }),
      },
    });
    const ops = skewed(30_000, 9);
    const lru = drive(createBasePolicy('lru', 200), ops, 200);
    const local = drive(
      createMlHybridPolicy({ base: 'lru', capacity: 200, scorer: sensible }),
      ops,
      200,
    );
    const run = await driveAsync(policy, ops, 200, flush, 1);
    const s = policy.stats();
    expect(s.remoteModelVersion).toBe(7);
    expect(s.modelVersion).toBe(1);
    expect(s.modelEvictions).toBeGreaterThan(5000);
    expect(s.breakerState).toBe(0);
    expect(s.fallbacks.scorerError + s.fallbacks.deadline).toBe(0);
    expect(run.hits).toBeGreaterThan(lru.hits * 1.1);
    expect(run.hits).toBeGreaterThan(local.hits * 0.97);
    expect(batches.length).toBe(s.remoteAnswers);
    expect(batches.every((b) => b.remote && b.ms === 1 && b.rows > 4)).toBe(true);
  });

  it('sends ML+LFU’s newest and exit candidates on top of a refill, every row written', async () => {
    const timers = new FakeTimers();
    const sizes: number[] = [];
    const good = remote((rows, n) => {
      // A buffer too small for the extra candidates would send fewer rows than it counts.
      expect(rows.length).toBe(n * FEATURE_COUNT);
      sizes.push(n);
      return Promise.resolve(scoresOf(sensible, rows, n));
    });
    const policy = remotePolicy(timers, good, 200, { base: 'lfu' });
    await driveAsync(policy, skewed(10_000, 9), 200, flush, 1);
    const { remoteHeads, poolSize, newest } = DEFAULT_ML_HYBRID_PARAMS;
    expect(sizes.length).toBeGreaterThan(100);
    // Some refills hold the heads, a full pool's worth, the newest and the exit.
    expect(Math.max(...sizes)).toBe(remoteHeads + poolSize + newest + 1);
    expect(policy.stats().modelEvictions).toBeGreaterThan(500);
  });

  it('drops scores of candidates touched or removed while the batch was in flight', async () => {
    const timers = new FakeTimers();
    // Every candidate looks like a great victim, the base's own victims (4 heads) like poor ones.
    const { answers, eager } = heldAnswers(4);
    const run = async (touch: boolean): Promise<MlHybridPolicy> => {
      answers.length = 0;
      const policy = remotePolicy(timers, eager, 8, {
        params: { ...params, remoteHeads: 4, poolSize: 4 },
      });
      const cache = new CacheDriver(policy, 8);
      for (let key = 0; key < 9; key++) cache.step({ kind: 'get', key, size: 1 }); // 1 eviction: sends
      expect(answers.length).toBe(1);
      if (touch) for (let key = 0; key < 9; key++) cache.step({ kind: 'get', key, size: 1 });
      answers.pop()!();
      await flush();
      cache.step({ kind: 'get', key: 100, size: 1 });
      return policy;
    };
    const untouched = await run(false);
    expect(untouched.stats().modelEvictions).toBe(1);
    const touched = await run(true);
    expect(touched.stats().modelEvictions).toBe(0);
    expect(touched.stats().fallbacks.notScored).toBeGreaterThan(0);
  });
});

describe('ML hybrid with a remote scorer: an answer after clear()', () => {
  it('never pools slots that left in a FLUSHALL while the batch was in flight', async () => {
    const timers = new FakeTimers();
    const { answers, eager } = heldAnswers(2);
    const policy = remotePolicy(timers, eager, 8, { params: { ...params, remoteHeads: 2 } });
    const before = new CacheDriver(policy, 8);
    for (let key = 0; key < 9; key++) before.step({ kind: 'get', key, size: 1 });
    policy.clear();
    answers.shift()!();
    await flush();
    // A fresh cache on the same policy: slots 0–3 only, so the old ones above are not resident.
    const after = new CacheDriver(policy, 4);
    for (let key = 100; key < 120; key++) after.step({ kind: 'get', key, size: 1 });
    expect(after.victims.every((key) => key >= 100 && key < 120)).toBe(true);
    expect(after.victims.length).toBe(16);
  });
});

describe('ML hybrid with a sample sink (central training)', () => {
  function sinkPolicy(sink: SampleSink, timers: FakeTimers): MlHybridPolicy {
    const good = remote((rows, n) => Promise.resolve(scoresOf(sensible, rows, n)));
    return remotePolicy(timers, good, 100, {
      sampleSink: sink,
      // The simulator's sampling rates (a node's defaults sample 4× less): windows come fast.
      params: {
        ...params,
        firstTrainAt: 512,
        retrainEvery: 2048,
        validationEvery: 4,
        sampleEvery: 8,
        logEvery: 2,
        sinkEvery: 512,
      },
    });
  }

  it('hands every labelled row to the sink once, in steady batches, instead of training', async () => {
    const timers = new FakeTimers();
    const jobs: TrainingJob[] = [];
    const submit = (job: TrainingJob): Promise<void> => {
      jobs.push(job);
      return Promise.resolve();
    };
    const policy = sinkPolicy({ submit }, timers);
    await driveAsync(policy, skewed(20_000, 10), 100, flush);
    const s = policy.stats();
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    expect(s.sinkSubmitted).toBe(jobs.length);
    expect(s.sinkFailures).toBe(0);
    expect(s.trainings).toBe(0);
    for (const job of jobs) {
      expect(job.nFeatures).toBe(FEATURE_COUNT);
      expect(job.rows.length).toBe(job.labels.length * FEATURE_COUNT);
      // sinkEvery rows, or a few more: one request can resolve more than one label (its own
      // key's, and others whose cap passed), and the window is checked once per request.
      expect(job.labels.length).toBeGreaterThanOrEqual(512);
      expect(job.labels.length).toBeLessThan(512 + 8);
      expect(job.labels.every((l) => Number.isFinite(l) && l >= 0)).toBe(true);
    }
    // Every training row (3 of 4 labels: validationEvery 4) is handed over once: what was sent
    // is all of them but the last, unfinished batch.
    const trainingRows = s.labelsResolved - Math.floor(s.labelsResolved / 4);
    const sent = jobs.reduce((sum, job) => sum + job.labels.length, 0);
    expect(sent).toBeLessThanOrEqual(trainingRows);
    expect(sent).toBeGreaterThan(trainingRows - 512);
  });

  it('counts failed submissions, never retries them, and skips windows while the sink hangs', async () => {
    const timers = new FakeTimers();
    let calls = 0;
    const failing = sinkPolicy(
      {
        submit: () => {
          calls++;
          return Promise.reject(new Error('scorer unreachable'));
        },
      },
      timers,
    );
    await driveAsync(failing, skewed(20_000, 11), 100, flush);
    expect(failing.stats().sinkFailures).toBe(calls);
    expect(failing.stats().sinkSubmitted).toBe(calls);
    expect(calls).toBeGreaterThanOrEqual(3);

    const hanging = sinkPolicy({ submit: () => new Promise(() => {}) }, timers);
    await driveAsync(hanging, skewed(20_000, 11), 100, flush);
    const s = hanging.stats();
    expect(s.sinkSubmitted).toBe(MAX_SUBMISSIONS);
    expect(s.sinkSkipped).toBeGreaterThan(0);
    expect(s.modelEvictions).toBeGreaterThan(0); // evictions never waited on the sink
  });

  it('refuses a trainer and a sink together', () => {
    const timers = new FakeTimers();
    expect(() =>
      createMlHybridPolicy({
        base: 'lru',
        capacity: 8,
        clock: timers.clock,
        trainer: { train: () => Promise.reject(new Error('unused')) },
        sampleSink: { submit: async () => {} },
      }),
    ).toThrow(TypeError);
  });
});

describe('ML hybrid: the scoring observer', () => {
  it('sees each locally scored batch with its latency when a clock is injected', () => {
    const clock = new ManualClock();
    const seen: [number, number, boolean][] = [];
    const timed: Scorer = {
      ...sensible,
      predict(rows, out, n) {
        clock.advance(0.25);
        sensible.predict(rows, out, n);
      },
    };
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 50,
      scorer: timed,
      clock,
      params: { deadline: 1 },
      observer: { scoreBatch: (rows, ms, isRemote) => seen.push([rows, ms, isRemote]) },
    });
    drive(policy, skewed(2000, 12), 50);
    expect(seen.length).toBe(policy.stats().batches);
    // A batch is the base's victim and at most one candidate per fresh share.
    const { newest, recent, random, tail } = DEFAULT_ML_HYBRID_PARAMS;
    const most = 1 + newest + recent + random + tail;
    expect(
      seen.every(([rows, ms, isRemote]) => rows >= 1 && rows <= most && ms === 0.25 && !isRemote),
    ).toBe(true);
  });

  it('scores the newest insertion not hit since with the base’s victim (newest)', () => {
    const rows: number[] = [];
    const policy = createMlHybridPolicy({
      base: 'lru',
      capacity: 50,
      scorer: sensible,
      clock: new ManualClock(),
      params: { newest: 1, recent: 0, random: 0 },
      observer: { scoreBatch: (n) => rows.push(n) },
    });
    drive(policy, skewed(2000, 12), 50);
    // The newest is the only fresh candidate: batches of the head and it, of it alone (the
    // head's score reused), or of the head alone (the newest pooled already, or hit since).
    expect(rows.every((n) => n <= 2)).toBe(true);
    expect(rows.filter((n) => n === 2).length).toBeGreaterThan(100);
  });

  it('scores the small FIFO’s exit too by default in ML+LFU, not in ML+LRU (exitFraction)', () => {
    const batches = (base: 'lru' | 'lfu', params: Partial<MlHybridParams> = {}): number[] => {
      const rows: number[] = [];
      const policy = createMlHybridPolicy({
        base,
        capacity: 50,
        scorer: sensible,
        clock: new ManualClock(),
        params: { newest: 0, recent: 0, random: 1, ...params },
        observer: { scoreBatch: (n) => rows.push(n) },
      });
      drive(policy, skewed(2000, 12), 50);
      return rows;
    };
    // The head, a random resident, and for ML+LFU the insertion made 12 insertions ago.
    expect(batches('lfu').filter((n) => n === 3).length).toBeGreaterThan(50);
    expect(batches('lfu', { exitFraction: 0 }).every((n) => n <= 2)).toBe(true);
    expect(batches('lru').every((n) => n <= 2)).toBe(true);
    expect(batches('lru', { exitFraction: 0.25 }).filter((n) => n === 3).length).toBeGreaterThan(
      50,
    );
  });
});
