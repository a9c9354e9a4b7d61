import { describe, expect, it } from 'vitest';

import { entryCharge } from './entry-size.ts';
import { Store } from './store.ts';
import { ManualClock } from '../util/clock.ts';
import { createRandom } from '../util/random.ts';
import type { Random } from '../util/random.ts';
import { createMlHybridPolicy, ML_ENTRY_STATE_BYTES } from '../policy/ml-hybrid.ts';
import type { MlBase, MlHybridOptions, MlHybridPolicy } from '../policy/ml-hybrid.ts';
import type { MlHybridParams } from '../policy/ml-hybrid-params.ts';
import { resolveMlHybridParams } from '../policy/ml-hybrid-params.ts';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../policy/features.ts';
import type { RemoteScorer } from '../policy/scorer-port.ts';
import { sensible } from '../policy/test-ml-drive.ts';

/**
 * A store of `maxMemory` bytes run by ML+LFU (or ML+LRU) with the `sensible` model, or with
 * `more.remoteScorer`; `more.clock`, given, is the store's too.
 */
function learnedStore(
  maxMemory: number,
  params: Partial<MlHybridParams>,
  base: MlBase = 'lfu',
  more: Partial<MlHybridOptions> = {},
): { store: Store; policy: () => MlHybridPolicy } {
  let policy: MlHybridPolicy | undefined;
  const scorer = more.remoteScorer === undefined ? { scorer: sensible } : {};
  const store = new Store({
    clock: more.clock ?? new ManualClock(1_000_000),
    maxMemory,
    policy: (o) => (policy = createMlHybridPolicy({ ...o, base, ...scorer, ...more, params })),
  });
  return { store, policy: () => policy! };
}

/** `n` GET-or-SET requests for `key()`, values of `valueSize` bytes; the hit ratio. */
function run(store: Store, n: number, key: () => string, valueSize: number): number {
  const value = Buffer.alloc(valueSize, 0x61);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const k = key();
    if (store.get(k) !== undefined) hits++;
    else store.set(k, value);
  }
  return hits / n;
}

const uniform = (random: Random, keys: number) => (): string => `key:${random.int(keys)}`;

describe('ML hybrid: running as the plain base where the learned state does not pay', () => {
  it('goes plain on uniform keys of small values, gives the memory to entries, and learns again after its probation', () => {
    const { store, policy } = learnedStore(64 << 10, { plainProbation: 50_000 });
    const key = uniform(createRandom(3), 400);
    run(store, 30_000, key, 100);
    const ml = policy();
    expect(ml.stats().plainActive).toBe(1);
    expect(ml.entryOverhead).toBe(0);
    const learnedKeys = 145; // what the learned node held (server.test.ts, the same load)
    // Plain LFU in the same store holds 299 (64 KiB / 219 B); running plain, the node charges
    // nothing per entry for its learned state, but its audit keeps about 6 KB (26 entries).
    const lfu = new Store({
      clock: new ManualClock(1_000_000),
      maxMemory: 64 << 10,
      policy: 'lfu',
    });
    run(lfu, 30_000, uniform(createRandom(3), 400), 100);
    expect(lfu.stats().items).toBe(299);
    expect(store.stats().items).toBeGreaterThan(lfu.stats().items - 30);
    const evictedBefore = ml.stats().modelEvictions;

    // The probation ends at an eviction: the residents are adopted into a new learned state a
    // few per eviction, the charge per entry rising with them, and the store evicts the
    // difference a few entries per write (never the 40% it comes to at once); then the model
    // chooses victims again, among the keys the store holds.
    let mostEvicted = 0;
    const step = (): void => {
      const before = store.stats().items;
      run(store, 1, key, 100);
      mostEvicted = Math.max(mostEvicted, before - store.stats().items);
    };
    for (let i = 0; i < 100_000 && ml.stats().plainWakes === 0; i++) step();
    expect(ml.stats().plainWakes).toBe(1);
    expect(ml.entryOverhead).toBeLessThan(ML_ENTRY_STATE_BYTES);
    for (let i = 0; i < 10_000 && ml.entryOverhead < ML_ENTRY_STATE_BYTES; i++) step();
    expect(ml.entryOverhead).toBe(ML_ENTRY_STATE_BYTES);
    for (let i = 0; i < 2_000; i++) step();
    expect(mostEvicted).toBeLessThanOrEqual(8);
    expect(ml.stats().modelEvictions).toBeGreaterThan(evictedBefore);
    // The store charges the learned state again and has paid the rise off by now.
    const { items, bytesUsed } = store.stats();
    expect(bytesUsed).toBeLessThanOrEqual((64 << 10) - ml.reservedBytes());
    expect(items).toBeLessThan(learnedKeys + 10);
  });

  it('stays learned where it hits more than the plain base would in the same memory: hot keys and one-hit scans, large values', () => {
    const { store, policy } = learnedStore(1 << 20, {}, 'lru');
    const random = createRandom(4);
    // 1 MiB holds about 240 values of 4 KB: half the requests go to 150 hot keys, half to keys
    // never seen again, which push the hot keys out of a plain LRU and which the model evicts
    // first.
    let scan = 0;
    const key = (): string => (random.int(2) === 0 ? `hot:${random.int(150)}` : `scan:${scan++}`);
    run(store, 60_000, key, 4_096);
    const s = policy().stats();
    expect(s.shadowWindows).toBeGreaterThan(resolveMlHybridParams().plainGrace + 8);
    expect(s.shadowLiveHitRatio).toBeGreaterThan(s.shadowPlainHitRatio + 0.05);
    expect(s.plainSwitches).toBe(0);
    expect(policy().entryOverhead).toBe(ML_ENTRY_STATE_BYTES);
  });

  it('follows a workload that turns: plain on uniform keys, learned on hot keys and scans, plain again', () => {
    // The probation (4M requests) never ends here: each turn is seen in the live hit ratio.
    const { store, policy } = learnedStore(1 << 20, {}, 'lru');
    const random = createRandom(2);
    const uniformKeys = uniform(random, 8_000);
    let scan = 0;
    const hotAndScans = (): string =>
      random.int(2) === 0 ? `hot:${random.int(150)}` : `scan:${scan++}`;
    const chunks = (n: number, key: () => string, size: number): number[] =>
      Array.from({ length: n }, () => run(store, 50_000, key, size));
    // Uniform keys of 100 bytes: learned, the node holds about 2,560 keys and hits about 0.31;
    // plain, 4,780 and 0.60.
    const first = chunks(6, uniformKeys, 100);
    const ml = policy();
    expect(first[0]!).toBeLessThan(0.35);
    for (const ratio of first.slice(2)) expect(ratio).toBeGreaterThan(0.58);
    expect(ml.stats()).toMatchObject({ plainActive: 1, plainSwitches: 1, plainWakes: 0 });
    // Hot keys and one-hit scans of 4 KB: the plain run's hit ratio falls, the node learns again
    // within the first chunk and hits about 0.50 (plain LRU: about 0.32), and stays learned.
    const turned = chunks(6, hotAndScans, 4_096);
    for (const ratio of turned.slice(1)) expect(ratio).toBeGreaterThan(0.47);
    expect(ml.stats()).toMatchObject({ plainActive: 0, plainWakes: 1, plainShiftWakes: 1 });
    expect(ml.stats().plainSwitches).toBe(1);
    // Back to uniform keys: plain again.
    const back = chunks(3, uniformKeys, 100);
    expect(back[2]!).toBeGreaterThan(0.58);
    expect(ml.stats()).toMatchObject({ plainActive: 1, plainSwitches: 2 });
  });

  it('does not learn again at every turn of a workload where learning never pays', () => {
    // Uniform keys over 8,000 keys, then 20,000, and back, again and again: the plain hit ratio
    // turns from 0.60 to 0.24 and back. The first turn wakes the policy; it loses and goes plain
    // again before its probation ends, so later turns wait for the probation (4M requests).
    const { store, policy } = learnedStore(1 << 20, {}, 'lru');
    const random = createRandom(2);
    for (let phase = 0; phase < 6; phase++) {
      const keys = uniform(random, phase % 2 === 0 ? 8_000 : 20_000);
      for (let chunk = 0; chunk < 4; chunk++) run(store, 50_000, keys, 100);
    }
    expect(policy().stats()).toMatchObject({
      plainActive: 1,
      plainSwitches: 2,
      plainWakes: 1,
      plainShiftWakes: 1,
    });
  });

  it('keeps the store and the policy consistent through plain runs and adoptions, whatever the commands', () => {
    // Uniform small values (so it goes plain), a short probation (so it learns again, and
    // again), and DEL, FLUSHALL, expiries and CONFIG SET maxmemory in between. Every victim the
    // policy names must hold an entry (the store throws otherwise), and the store's charges
    // must add up.
    const clock = new ManualClock(1_000_000);
    const { store, policy } = learnedStore(
      1 << 20,
      { plainProbation: 20_000, plainProbationMax: 40_000 },
      'lfu',
      { clock },
    );
    const random = createRandom(9);
    for (let i = 0; i < 400_000; i++) {
      const key = `key:${random.int(8_000)}`;
      const op = random.int(100_000);
      if (op < 2) {
        store.clear();
      } else if (op < 10) {
        store.setMaxMemory((768 + random.int(512)) << 10);
      } else if (op < 10_000) {
        store.delete(key);
      } else if (op < 12_000) {
        store.set(key, Buffer.alloc(random.int(300), 1), {
          expireAt: clock.now() + 1 + random.int(50),
        });
      } else if (store.get(key) === undefined) {
        store.set(key, Buffer.alloc(50 + random.int(100), 1));
      }
      if (op % 100 === 0) clock.advance(20);
    }
    const s = policy().stats();
    expect(s.plainSwitches).toBeGreaterThanOrEqual(2);
    expect(s.plainWakes).toBeGreaterThanOrEqual(1);
    // Every entry charged its key, value and overhead, plus what the policy charges now (the
    // reads first: they remove the entries that expired).
    let charged = 0;
    for (let i = 0; i < 8_000; i++) {
      const value = store.get(`key:${i}`);
      if (value !== undefined) charged += entryCharge(`key:${i}`.length, value.length);
    }
    const { items, bytesUsed } = store.stats();
    expect(items).toBeGreaterThan(1_000);
    expect(bytesUsed).toBe(charged + items * policy().entryOverhead);
  });

  it('goes plain and learns again with a remote scorer too, dropping the answers in flight across the switch', async () => {
    const clock = new ManualClock(1_000_000);
    let calls = 0;
    const remoteScorer: RemoteScorer = {
      featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      nFeatures: FEATURE_COUNT,
      score: (rows, n) => {
        calls++;
        const scores = new Float64Array(n);
        sensible.predict(rows, scores, n);
        return Promise.resolve({ scores, modelVersion: 3 });
      },
    };
    const { store, policy } = learnedStore(
      64 << 10,
      { plainProbation: 50_000, deadline: 1_000 },
      'lfu',
      { remoteScorer, clock, setTimer: () => () => {} },
    );
    const key = uniform(createRandom(3), 400);
    const value = Buffer.alloc(100, 1);
    const flush = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    let sentAtWake = -1;
    for (let i = 0; i < 200_000; i++) {
      const k = key();
      if (store.get(k) === undefined) store.set(k, value);
      // Answers arrive between requests, as they would between a node's reads.
      if (i % 7 === 0) await flush();
      const s = policy().stats();
      if (sentAtWake < 0 && s.plainWakes > 0) sentAtWake = s.remoteBatches;
    }
    const s = policy().stats();
    expect(s.plainSwitches).toBeGreaterThanOrEqual(2);
    expect(s.plainWakes).toBeGreaterThanOrEqual(1);
    expect(s.modelEvictions).toBeGreaterThan(0);
    // Batches were sent again after learning again.
    expect(sentAtWake).toBeGreaterThan(0);
    expect(calls).toBeGreaterThan(sentAtWake);
    expect(store.stats().items).toBeGreaterThan(0);
  });

  it('refuses plain knobs that cannot work', () => {
    expect(() => resolveMlHybridParams({ plainSustain: 1.5 })).toThrow(/plainSustain/);
    expect(() => resolveMlHybridParams({ plainMargin: -0.1 })).toThrow(/plainMargin/);
    expect(() => resolveMlHybridParams({ plainShift: -0.1 })).toThrow(/plainShift/);
    expect(() => resolveMlHybridParams({ plainProbation: 0 })).toThrow(/plainProbation/);
    expect(() =>
      resolveMlHybridParams({ plainProbation: 1 << 20, plainProbationMax: 1 << 19 }),
    ).toThrow(/plainProbationMax/);
  });

  it('never goes plain where the budget is not memory (the simulator) or with plainSustain 0', () => {
    const { store, policy } = learnedStore(64 << 10, { plainSustain: 0 });
    run(store, 30_000, uniform(createRandom(3), 400), 100);
    expect(policy().stats().plainSwitches).toBe(0);
    expect(policy().stats().plainProbation).toBe(0);
    // An object budget: the plain replay does not exist, so neither does the verdict.
    const sim = createMlHybridPolicy({ base: 'lfu', capacity: 100, scorer: sensible });
    const random = createRandom(3);
    let slot = 0;
    const resident = new Map<number, number>();
    for (let i = 0; i < 30_000; i++) {
      const k = random.int(400);
      const at = resident.get(k);
      if (at !== undefined) {
        sim.onAccess(at);
        continue;
      }
      sim.onMiss(k);
      if (resident.size >= 100) {
        const victim = sim.evict();
        for (const [key, s] of resident) if (s === victim) resident.delete(key);
        resident.set(k, victim);
        sim.onInsert(victim, k, 1);
      } else {
        resident.set(k, slot);
        sim.onInsert(slot++, k, 1);
      }
    }
    expect(sim.stats().plainSwitches).toBe(0);
    expect(sim.stats().plainProbation).toBe(0);
  });
});
