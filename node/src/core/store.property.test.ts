import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { entryCharge } from './entry-size.ts';
import { RecordingPersistence } from './recording-persistence.ts';
import { Store } from './store.ts';
import type { RemovalReason } from './store-types.ts';

/**
 * Differential property test: a Map model holds exactly the entries the store holds, including
 * expired ones not yet collected. The store's onRemove hook tells the model about evictions and
 * expiries (the only changes the model cannot predict); everything else the model derives from
 * Redis semantics and checks: every answer, the byte count, the budget, and persistence.
 */

interface ModelEntry {
  value: Buffer;
  expireAt: number;
}

const KEYS = ['a', 'bb', 'ccc', 'dddd', 'e', 'ffffff', 'g', 'hh'];
const MAX_VALUE = 120;

type Op =
  | {
      kind: 'set';
      key: number;
      value: Buffer;
      ttl: number | undefined;
      nx: boolean;
      xx: boolean;
      keepTtl: boolean;
    }
  | { kind: 'get' | 'peek' | 'has' | 'delete' | 'ttl'; key: number }
  | { kind: 'expire'; key: number; ttl: number }
  | { kind: 'incr'; key: number; delta: bigint }
  | { kind: 'append'; key: number; suffix: Buffer }
  | { kind: 'advance'; ms: number }
  | { kind: 'expireStep'; max: number }
  | { kind: 'toggleWritable' }
  | { kind: 'clear' }
  | { kind: 'audit' };

/** Rare paths that the properties must reach at least once, or they prove nothing about them. */
const coverage = { selfEvictions: 0, oom: 0 };

const key = fc.nat(KEYS.length - 1);
const rarely = fc.oneof(
  { weight: 3, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);
const ttl = fc.integer({ min: -5, max: 60 });
const numeric = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: -100n, max: 100n }),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n),
);
const value = fc.oneof(
  fc.uint8Array({ maxLength: MAX_VALUE }).map((bytes) => Buffer.from(bytes)),
  numeric.map((n) => Buffer.from(String(n), 'latin1')),
  fc.constantFrom('01', ' 1', '-0', '', '+5').map((t) => Buffer.from(t, 'latin1')),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key,
      value,
      ttl: fc.option(ttl, { nil: undefined }),
      nx: rarely,
      xx: rarely,
      keepTtl: rarely,
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom('peek' as const, 'has' as const, 'delete' as const, 'ttl' as const),
      key,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), key, ttl }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('incr' as const), key, delta: numeric }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      key,
      suffix: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(30) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('expireStep' as const), max: fc.nat(4) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'toggleWritable' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'audit' as const }) },
);

/** Redis's integer syntax, written independently of the store's parser. */
function modelInteger(bytes: Buffer): bigint | undefined {
  const text = bytes.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return undefined;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function runScenario(ops: Op[], policy: string, maxMemory: number, maxValueSize: number): void {
  const clock = new ManualClock();
  const persistence = new RecordingPersistence();
  const model = new Map<string, ModelEntry>();
  let stepKey = '';
  let evictionsInStep = 0;
  const store = new Store({
    clock,
    persistence,
    policy,
    maxMemory,
    maxValueSize,
    onRemove: (k: string, reason: RemovalReason) => {
      const entry = model.get(k);
      expect(entry, `${reason} of a key the model does not hold`).toBeDefined();
      if (reason === 'expired') expect(entry!.expireAt).toBeLessThanOrEqual(clock.now());
      if (reason === 'capacity') expect(maxMemory).toBeGreaterThan(0);
      if (reason !== 'flushed') model.delete(k);
      if (reason === 'capacity') {
        evictionsInStep++;
        if (k === stepKey) coverage.selfEvictions++;
      }
    },
  });
  const live = (k: string): ModelEntry | undefined => {
    const entry = model.get(k);
    return entry && (entry.expireAt === 0 || entry.expireAt > clock.now()) ? entry : undefined;
  };
  const bytesOfModel = (): number => {
    let bytes = 0;
    for (const [k, entry] of model) bytes += entryCharge(k.length, entry.value.length);
    return bytes;
  };
  /** Would a write of `charge` bytes in place of the live entry of `k` be refused with OOM? */
  const oomExpected = (k: string, charge: number): boolean => {
    if (maxMemory === 0) return false;
    const current = model.get(k);
    // An expired entry is collected before the write, a live one is replaced.
    const held = current ? entryCharge(k.length, current.value.length) : 0;
    const oom =
      charge > maxMemory || (policy === 'noeviction' && bytesOfModel() - held + charge > maxMemory);
    // OOM changes nothing: no entry may have been evicted on the way.
    if (oom) {
      expect(evictionsInStep).toBe(0);
      coverage.oom++;
    }
    return oom;
  };

  for (const step of ops) {
    const k = 'key' in step ? (KEYS[step.key] as string) : '';
    stepKey = k;
    evictionsInStep = 0;
    const now = clock.now();
    switch (step.kind) {
      case 'set': {
        const before = live(k);
        const result = store.set(k, step.value, {
          ifAbsent: step.nx,
          ifPresent: step.xx,
          keepTtl: step.keepTtl,
          ...(step.ttl === undefined ? {} : { expireAt: now + step.ttl }),
        });
        if (step.value.length > maxValueSize) {
          expect(result.status).toBe('TOO_LARGE');
          break;
        }
        if (!persistence.writable) {
          expect(result.status).toBe('PERSISTENCE_FAILED');
          break;
        }
        expect(result.previous).toEqual(before?.value);
        if ((before && step.nx) || (!before && step.xx)) {
          expect(result.status).toBe('NOT_APPLIED');
          break;
        }
        let expireAt = step.ttl === undefined ? 0 : now + step.ttl;
        if (step.keepTtl) expireAt = before ? before.expireAt : 0;
        if (!step.keepTtl && step.ttl !== undefined && expireAt <= now) {
          expect(result.status).toBe('OK');
          expect(model.has(k)).toBe(false);
          break;
        }
        if (oomExpected(k, entryCharge(k.length, step.value.length))) {
          expect(result.status).toBe('OOM');
          break;
        }
        expect(result.status).toBe('OK');
        model.set(k, { value: step.value, expireAt });
        break;
      }
      case 'get':
        expect(store.get(k)).toEqual(live(k)?.value);
        break;
      case 'peek':
        expect(store.peek(k)).toEqual(live(k)?.value);
        break;
      case 'has':
        expect(store.has(k)).toBe(live(k) !== undefined);
        break;
      case 'ttl': {
        const entry = live(k);
        expect(store.expireAtOf(k)).toBe(entry ? entry.expireAt || -1 : -2);
        break;
      }
      case 'delete': {
        const existed = live(k) !== undefined;
        expect(store.delete(k)).toBe(existed);
        model.delete(k);
        break;
      }
      case 'expire': {
        const entry = live(k);
        expect(store.setExpireAt(k, now + step.ttl)).toBe(entry !== undefined);
        if (entry && step.ttl <= 0) model.delete(k);
        else if (entry) entry.expireAt = now + step.ttl;
        break;
      }
      case 'incr': {
        const entry = live(k);
        const result = store.incrBy(k, step.delta);
        if (!persistence.writable) {
          expect(result.status).toBe('PERSISTENCE_FAILED');
          break;
        }
        const current = entry ? modelInteger(entry.value) : 0n;
        if (current === undefined) {
          expect(result.status).toBe('NOT_INTEGER');
          break;
        }
        const sum = current + step.delta;
        if (sum >= 2n ** 63n || sum < -(2n ** 63n)) {
          expect(result.status).toBe('OVERFLOW');
          break;
        }
        const bytes = Buffer.from(String(sum), 'latin1');
        if (oomExpected(k, entryCharge(k.length, bytes.length))) {
          expect(result.status).toBe('OOM');
          break;
        }
        expect(result.status).toBe('OK');
        if (result.status === 'OK') expect(BigInt(result.value)).toBe(sum);
        model.set(k, { value: bytes, expireAt: entry ? entry.expireAt : 0 });
        break;
      }
      case 'append': {
        const entry = live(k);
        const result = store.append(k, step.suffix);
        if (!persistence.writable) {
          expect(result.status).toBe('PERSISTENCE_FAILED');
          break;
        }
        const bytes = Buffer.concat([entry?.value ?? Buffer.alloc(0), step.suffix]);
        if (bytes.length > maxValueSize) {
          expect(result.status).toBe('TOO_LARGE');
          break;
        }
        if (oomExpected(k, entryCharge(k.length, bytes.length))) {
          expect(result.status).toBe('OOM');
          break;
        }
        expect(result).toEqual({ status: 'OK', value: bytes.length });
        model.set(k, { value: bytes, expireAt: entry ? entry.expireAt : 0 });
        break;
      }
      case 'advance':
        clock.advance(step.ms);
        break;
      case 'expireStep': {
        const due = [...model.values()].filter((e) => e.expireAt !== 0 && e.expireAt <= now);
        expect(store.expireStep(step.max)).toBe(Math.min(step.max, due.length));
        break;
      }
      case 'toggleWritable':
        persistence.writable = !persistence.writable;
        break;
      case 'clear':
        store.clear();
        model.clear();
        break;
      case 'audit': {
        // Persistence holds exactly what the store holds, expired-but-uncollected included.
        const durable = persistence.replay();
        expect(durable.size).toBe(model.size);
        for (const [k2, entry] of model) {
          expect(durable.get(k2)?.value).toEqual(entry.value);
          expect(durable.get(k2)?.expireAt).toBe(entry.expireAt);
        }
        // The policy orders exactly the resident entries (noeviction keeps no order).
        if (policy !== 'noeviction') {
          const slots: number[] = [];
          store.policy.candidates(slots, Number.MAX_SAFE_INTEGER);
          expect(new Set(slots).size).toBe(model.size);
          expect(slots).toHaveLength(model.size);
        }
        // A full scan returns exactly the live keys.
        const seen: string[] = [];
        let cursor = 0;
        do {
          const page = store.scan(cursor, 3);
          seen.push(...page.keys);
          cursor = page.cursor;
        } while (cursor !== 0);
        const liveKeys = [...model.keys()].filter((k2) => live(k2) !== undefined);
        expect(seen.sort()).toEqual(liveKeys.sort());
        break;
      }
    }
    const stats = store.stats();
    expect(stats.bytesUsed).toBe(bytesOfModel());
    expect(stats.items).toBe(model.size);
    expect(stats.itemsWithTtl).toBe([...model.values()].filter((e) => e.expireAt !== 0).length);
    if (maxMemory > 0) expect(stats.bytesUsed).toBeLessThanOrEqual(maxMemory);
  }
}

describe('Store against a model', () => {
  it('keeps answers, byte count, budget and persistence exact under random operations', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 150, size: 'max' }),
        fc.constantFrom('lru', 'lfu', 'noeviction'),
        // 0 = unlimited; otherwise room for one to a few entries, so evictions are frequent.
        fc.oneof(fc.constant(0), fc.integer({ min: entryCharge(1, 0), max: entryCharge(6, 300) })),
        fc.integer({ min: 20, max: 200 }),
        (ops, policy, maxMemory, maxValueSize) => {
          runScenario(ops, policy, maxMemory, maxValueSize);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('stays exact under pure churn, where writes often evict the very key they write', () => {
    const churn = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          key: fc.nat(3),
          value: fc.nat(MAX_VALUE).map((n) => Buffer.alloc(n, 1)),
          ttl: fc.constant(undefined),
          nx: fc.constant(false),
          xx: fc.constant(false),
          keepTtl: fc.constant(false),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('get' as const), key: fc.nat(3) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          key: fc.nat(3),
          suffix: fc.nat(60).map((n) => Buffer.alloc(n, 2)),
        }),
      },
    );
    const before = coverage.selfEvictions;
    fc.assert(
      fc.property(
        fc.array(churn, { maxLength: 100, size: 'max' }),
        fc.constantFrom('lru', 'lfu'),
        fc.integer({ min: 2 * entryCharge(2, 0), max: 3 * entryCharge(2, MAX_VALUE) }),
        (ops, policy, maxMemory) => runScenario(ops, policy, maxMemory, 1000),
      ),
      { numRuns: 200 },
    );
    expect(coverage.selfEvictions).toBeGreaterThan(before);
    expect(coverage.oom).toBeGreaterThan(0);
  });
});

describe('Store scan', () => {
  it('returns every key present for the whole iteration, despite concurrent writes', () => {
    const scanOp = fc.oneof(
      fc.record({ kind: fc.constant('page' as const), count: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('insert' as const), n: fc.nat(200) }),
      fc.record({ kind: fc.constant('deleteNew' as const), n: fc.nat(200) }),
      fc.record({ kind: fc.constant('deleteOld' as const), n: fc.nat(40) }),
      fc.record({ kind: fc.constant('overwriteOld' as const), n: fc.nat(40) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(scanOp, { maxLength: 200, size: 'max' }),
        (initial, ops) => {
          const store = new Store({ clock: new ManualClock() });
          const old = Array.from({ length: initial }, (_, i) => `old${i}`);
          // Interleave some deletions before the scan so that free slots get reused mid-walk.
          for (const k of old) store.set(k, Buffer.from('v'));
          for (let i = 0; i < initial; i += 3) store.set(`gap${i}`, Buffer.from('v'));
          for (let i = 0; i < initial; i += 3) store.delete(`gap${i}`);
          const removed = new Set<string>();
          const everPresent = new Set(old);
          const returned = new Set<string>();
          let cursor = 0;
          let pages = 0;
          let done = false;
          for (const step of [
            ...ops,
            ...Array<{ kind: 'page'; count: number }>(200).fill({ kind: 'page', count: 7 }),
          ]) {
            if (done) break;
            if (step.kind === 'page') {
              const page = store.scan(cursor, step.count);
              for (const k of page.keys) {
                expect(everPresent.has(k)).toBe(true);
                returned.add(k);
              }
              cursor = page.cursor;
              pages++;
              done = cursor === 0;
            } else if (step.kind === 'insert') {
              store.set(`new${step.n}`, Buffer.from('v'));
              everPresent.add(`new${step.n}`);
            } else if (step.kind === 'deleteNew') {
              store.delete(`new${step.n}`);
            } else if (step.kind === 'deleteOld') {
              store.delete(`old${step.n}`);
              removed.add(`old${step.n}`);
            } else {
              store.set(`old${step.n}`, Buffer.from('w'));
              everPresent.add(`old${step.n}`);
            }
          }
          expect(done).toBe(true);
          expect(pages).toBeGreaterThan(0);
          for (const k of old) if (!removed.has(k)) expect(returned.has(k), k).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('filters with match, bounds the work per page and ends with cursor 0', () => {
    const store = new Store({ clock: new ManualClock() });
    for (let i = 0; i < 50; i++) store.set(`k${i}`, Buffer.from('v'));
    const page = store.scan(0, 10, (k) => k.endsWith('1'));
    expect(page.keys).toEqual(['k1']);
    expect(page.cursor).toBe(10);
    expect(store.scan(10_000, 10)).toEqual({ cursor: 0, keys: [] });
    expect(store.scan(40, 100).cursor).toBe(0);
  });
});
