import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import { createRandom } from '../util/random.ts';
import { maxOverMean, nodeRatesOf } from './node-load.ts';
import { planRebalance } from './rebalance-planner.ts';
import type { RebalanceInput, RecentMove } from './rebalance-planner.ts';
import type { Ring } from './ring.ts';
import { planOverrideChange } from './ring-change.ts';
import { ownerOf } from './ring-owners.ts';
import { ShardLoad } from './shard-load.ts';
import { ringArb, ringNode, ringOf } from './test-rings.ts';
import { zipfShardRates, zipfShardSampler } from './zipf-load.ts';

const NOW = 1_700_000_000_000;

/** A ring, skewed shard rates, measured node rates (some with extra load), moves of the past. */
const inputArb: fc.Arbitrary<RebalanceInput> = ringArb().chain((ring) =>
  fc
    .record({
      shardRates: fc.array(
        fc.oneof(
          { weight: 8, arbitrary: fc.double({ min: 0, max: 10, noNaN: true }) },
          { weight: 1, arbitrary: fc.double({ min: 0, max: 5000, noNaN: true }) },
        ),
        { minLength: ring.shardCount, maxLength: ring.shardCount },
      ),
      extra: fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { maxLength: 8 }),
      recent: fc.array(
        fc.record({
          shard: fc.nat(ring.shardCount - 1),
          from: fc.nat(),
          to: fc.nat(),
          age: fc.nat(400_000),
        }),
        { maxLength: 6 },
      ),
      maxMovesPerRound: fc.integer({ min: 0, max: 12 }),
      cooldownMs: fc.constantFrom(0, 60_000, 300_000),
      targetRatio: fc.constantFrom(1, 1.05, 1.1, 1.25),
    })
    .map(({ shardRates, extra, recent, maxMovesPerRound, cooldownMs, targetRatio }) => {
      const nodeRates = nodeRatesOf(ring, shardRates);
      [...nodeRates.keys()].forEach((id, i) =>
        nodeRates.set(id, nodeRates.get(id)! + (extra[i] ?? 0)),
      );
      const id = (n: number) => ring.nodes[n % ring.nodes.length]!.id;
      const recentMoves: RecentMove[] = recent.map((m) => ({
        shard: m.shard,
        from: id(m.from),
        to: id(m.to),
        at: NOW - m.age,
      }));
      return {
        ring,
        nodeRates,
        shardRates,
        recentMoves,
        now: NOW,
        limits: { maxMovesPerRound, cooldownMs, targetRatio },
      };
    }),
);

/** Owning nodes' loads after applying the moves one by one, checking each step's safety rule. */
function replay(
  input: RebalanceInput,
  moves: ReturnType<typeof planRebalance>['moves'],
): Map<string, number> {
  const owning = new Set(input.ring.nodes.filter((n) => n.state !== 'draining').map((n) => n.id));
  const load = new Map([...owning].map((id) => [id, input.nodeRates.get(id) ?? 0]));
  const owner = (shard: number) => ownerOf(input.ring, shard);
  const movedTo = new Map<number, string>();
  for (const move of moves) {
    expect(move.from).toBe(movedTo.get(move.shard) ?? owner(move.shard));
    expect(movedTo.has(move.shard)).toBe(false);
    expect(move.to).not.toBe(move.from);
    expect(owning.has(move.to)).toBe(true);
    const peak = Math.max(...load.values());
    const senderBefore = load.get(move.from)!;
    load.set(move.from, senderBefore - move.rate);
    load.set(move.to, load.get(move.to)! + move.rate);
    // The receiver never ends hotter than the sender was; nothing ends above the old peak.
    if (move.kind === 'offload') expect(load.get(move.to)!).toBeLessThan(senderBefore);
    expect(Math.max(...load.values())).toBeLessThanOrEqual(peak * (1 + 1e-12));
    movedTo.set(move.shard, move.to);
  }
  return load;
}

describe('planRebalance', () => {
  it('respects the move limit, the cooldown and pending copies, and never raises max/mean', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planRebalance(input);
        const { maxMovesPerRound, cooldownMs } = input.limits as Required<
          NonNullable<RebalanceInput['limits']>
        >;
        expect(plan.moves.length).toBeLessThanOrEqual(maxMovesPerRound);
        const cooling = input.recentMoves.filter((m) => NOW - m.at < cooldownMs);
        for (const move of plan.moves) {
          expect(cooling.some((m) => m.shard === move.shard)).toBe(false);
          expect(
            cooling.some(
              (m) => [m.from, m.to].includes(move.from) || [m.from, m.to].includes(move.to),
            ),
          ).toBe(false);
          expect(input.ring.migrations.some((m) => m.shard === move.shard)).toBe(false);
          expect(move.reason).toMatch(/shard \d+/);
        }
        const before = [...replay(input, [])].map(([, rate]) => rate);
        const after = [...replay(input, plan.moves).values()];
        expect(maxOverMean(after)).toBeLessThanOrEqual(maxOverMean(before) * (1 + 1e-12));
        expect(plan.ratioAfter).toBeLessThanOrEqual(plan.ratioBefore * (1 + 1e-12));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the safety rule where rounding would leave the receiver as hot as the sender was', () => {
    // A counterexample fast-check found (rates that are sums of tenths): a shard passed
    // "rate < sender − receiver", yet the receiver ended at exactly the sender's load before the
    // move (19.999999999999915 both), which the safety rule forbids.
    const input = {
      ring: {
        schemaVersion: 1,
        epoch: 162,
        shardCount: 64,
        loadFactor: 1.25,
        nodes: [
          {
            id: '1',
            address: '1.mlcache:6379',
            grpcAddress: '1.mlcache:7379',
            adminAddress: '1.mlcache:9379',
            weight: 2,
            state: 'joining',
          },
          {
            id: '1..-..-8--',
            address: '1..-..-8--.mlcache:6379',
            grpcAddress: '1..-..-8--.mlcache:7379',
            adminAddress: '1..-..-8--.mlcache:9379',
            weight: 4,
            state: 'active',
          },
          {
            id: '29.9-z.-.',
            address: '29.9-z.-..mlcache:6379',
            grpcAddress: '29.9-z.-..mlcache:7379',
            adminAddress: '29.9-z.-..mlcache:9379',
            weight: 2,
            state: 'active',
          },
          {
            id: '93u--.',
            address: '93u--..mlcache:6379',
            grpcAddress: '93u--..mlcache:7379',
            adminAddress: '93u--..mlcache:9379',
            weight: 2,
            state: 'draining',
          },
          {
            id: 'l.4-..0',
            address: 'l.4-..0.mlcache:6379',
            grpcAddress: 'l.4-..0.mlcache:7379',
            adminAddress: 'l.4-..0.mlcache:9379',
            weight: 1,
            state: 'joining',
          },
          {
            id: 'x.-.5',
            address: 'x.-.5.mlcache:6379',
            grpcAddress: 'x.-.5.mlcache:7379',
            adminAddress: 'x.-.5.mlcache:9379',
            weight: 2,
            state: 'active',
          },
        ],
        overrides: new Map([[36, '29.9-z.-.']]),
        migrations: [],
      },
      nodeRates: new Map([
        ['1', 10],
        ['1..-..-8--', 29.999999999999872],
        ['29.9-z.-.', 9.999999999999956],
        ['93u--.', 0],
        ['l.4-..0', 9.999999999999956],
        ['x.-.5', 19.999999999999936],
      ]),
      shardRates: [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9.999999999999956, 0, 0, 10, 0, 9.999999999999956, 0, 0, 0, 0,
        0, 0, 0, 10, 9.999999999999956, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0,
        9.999999999999934, 0, 0, 0, 0, 9.999999999999913, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ],
      recentMoves: [],
      now: 1700000000000,
      limits: { maxMovesPerRound: 3, cooldownMs: 0, targetRatio: 1 },
    } as RebalanceInput;
    const plan = planRebalance(input);
    replay(input, plan.moves);
  });

  it('produces an override change that gives each moved shard to its receiver', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planRebalance(input);
        const next = planOverrideChange(input.ring, plan.overrides);
        expect(next.ok).toBe(true);
        if (!next.ok) return;
        for (const move of plan.moves) expect(ownerOf(next.change.ring, move.shard)).toBe(move.to);
        expect(next.change.moves.map((m) => m.shard).sort((a, b) => a - b)).toEqual(
          plan.moves.map((m) => m.shard).sort((a, b) => a - b),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('returns a pinned shard home once that no longer unbalances anything', () => {
    const nodes = ['a', 'b', 'c'].map((id) => ringNode(id));
    const plain = ringOf({ epoch: 1, shardCount: 16, nodes });
    const home = ownerOf(plain, 0);
    const away = nodes.find((n) => n.id !== home)!.id;
    const ring = ringOf({ epoch: 2, shardCount: 16, nodes, overrides: new Map([[0, away]]) });
    const shardRates = new Float64Array(16).fill(10);
    const plan = planRebalance({
      ring,
      nodeRates: nodeRatesOf(ring, shardRates),
      shardRates,
      recentMoves: [],
      now: NOW,
      limits: { targetRatio: 1.5 },
    });
    expect(plan.moves).toMatchObject([{ shard: 0, from: away, to: home, kind: 'return' }]);
    expect(plan.overrides).toEqual({ set: new Map(), remove: [0] });
    // Not while the home node is cooling down.
    const cooling = planRebalance({
      ring,
      nodeRates: nodeRatesOf(ring, shardRates),
      shardRates,
      recentMoves: [{ shard: 5, from: home, to: away, at: NOW - 1000 }],
      now: NOW,
      limits: { targetRatio: 1.5 },
    });
    expect(cooling.moves).toEqual([]);
  });

  it('says why it stopped', () => {
    const ring = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('a'), ringNode('b')] });
    const idle = new Float64Array(16);
    const plan = (shardRates: Float64Array, recentMoves: RecentMove[] = []) =>
      planRebalance({
        ring,
        nodeRates: nodeRatesOf(ring, shardRates),
        shardRates,
        recentMoves,
        now: NOW,
      });
    expect(plan(idle).stopped).toBe('idle');
    expect(plan(new Float64Array(16).fill(1)).stopped).toBe('balanced');
    const oneHot = new Float64Array(16);
    oneHot[3] = 100;
    expect(plan(oneHot).stopped).toBe('no-fitting-shard');
    const skewed = Float64Array.from({ length: 16 }, (_, s) => (ownerOf(ring, s) === 'a' ? 10 : 1));
    expect(plan(skewed, [{ shard: 0, from: 'a', to: 'b', at: NOW - 5 }]).stopped).toBe(
      'cooling-down',
    );
    expect(plan(skewed).moves.length).toBeGreaterThan(0);
  });
});

describe('planRebalance on a Zipf(1.1) load over 4 nodes', () => {
  /** Two rounds, the second after the cooldown, node loads recomputed from shard loads. */
  function twoRounds(shardRates: ArrayLike<number>): number[] {
    let ring: Ring = ringOf({
      epoch: 1,
      nodes: ['node-0', 'node-1', 'node-2', 'node-3'].map((id) => ringNode(id)),
    });
    const ratios = [maxOverMean(nodeRatesOf(ring, shardRates).values())];
    const recentMoves: RecentMove[] = [];
    for (const now of [NOW, NOW + 120_000]) {
      const plan = planRebalance({
        ring,
        nodeRates: nodeRatesOf(ring, shardRates),
        shardRates,
        recentMoves,
        now,
        limits: { maxMovesPerRound: 8, cooldownMs: 120_000, targetRatio: 1.1 },
      });
      const next = planOverrideChange(ring, plan.overrides);
      if (!next.ok) throw new Error(next.problems.join('\n'));
      // The copies finish between rounds.
      ring = ringOf({ ...next.change.ring, migrations: [] });
      recentMoves.push(...plan.moves.map((move) => ({ ...move, at: now })));
      ratios.push(maxOverMean(nodeRatesOf(ring, shardRates).values()));
    }
    return ratios;
  }

  it('brings max/mean to ≤ 1.25 in two rounds (seeded: 100k keys, 300k sampled requests)', () => {
    const clock = new ManualClock();
    const load = new ShardLoad({ shardCount: 4096, clock });
    const next = zipfShardSampler(
      { keyCount: 100_000, exponent: 1.1, shardCount: 4096, prefix: 'key:' },
      createRandom(42),
    );
    for (let i = 0; i < 300_000; i++) load.record(next());
    clock.advance(30_000);
    const ratios = twoRounds(load.rates());
    expect(ratios.map((r) => r.toFixed(3))).toEqual(['1.264', '1.077', '1.077']);
    expect(ratios[0]).toBeGreaterThan(1.25);
    expect(ratios[2]).toBeLessThanOrEqual(1.25);
  });

  it('does so for any key naming', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,6}:$/), (prefix) => {
        const shardRates = zipfShardRates({
          keyCount: 100_000,
          exponent: 1.1,
          shardCount: 4096,
          totalRate: 100_000,
          prefix,
        });
        const ratios = twoRounds(shardRates);
        expect(ratios[2]).toBeLessThanOrEqual(1.25);
        expect(ratios[1]).toBeLessThanOrEqual(ratios[0]!);
      }),
      { numRuns: 6 },
    );
  });
});
