import { ownsShards } from './ring.ts';
import type { Ring } from './ring.ts';
import type { OverrideChange } from './ring-change.ts';
import { ownerTable } from './ring-owners.ts';

/**
 * The hot-shard rebalancer's brain (pure): given a ring and measured rates, which shards to pin
 * to which nodes so the busiest node comes down towards the mean.
 *
 * Greedy, one shard at a time: take the busiest node (the sender) and the least busy one (the
 * receiver), and move the sender's shard that leaves the pair best balanced, i.e. minimises
 * max(sender − r, receiver + r) for a shard of rate r, among shards with receiver + r < sender.
 * That bound is the safety rule: the receiver never ends hotter than the sender was, so the
 * busiest load never rises, and with it max/mean never rises (moves keep the total). It stops at
 * the target ratio, at the move limit, when the busiest node is cooling down, or when no shard
 * fits. Then, with moves left, overrides whose shard could go home (to its hashed owner) without
 * pushing that node above the target or the current maximum are removed, so pins do not pile up.
 *
 * Cooldown: a shard moved, or a node that sent or received a shard, in the last `cooldownMs` is
 * left alone: its measured rate still reflects the old placement (the window lags), and the
 * shard may still be copying. Shards with pending migrations are left alone for the same reason.
 */

/** Limits of one planning round. */
export interface RebalanceLimits {
  /** @default 8 */
  readonly maxMovesPerRound?: number;
  /** @default 120_000 */
  readonly cooldownMs?: number;
  /** Stop when the busiest node is at most this × the mean. @default 1.1 */
  readonly targetRatio?: number;
}

/** A move made by an earlier round (from the migration log), for the cooldown. */
export interface RecentMove {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  /** Wall-clock ms when it was planned. */
  readonly at: number;
}

/** What the planner looks at. */
export interface RebalanceInput {
  readonly ring: Ring;
  /** Measured requests per second per node; a missing node counts as idle. */
  readonly nodeRates: ReadonlyMap<string, number>;
  /** Requests per second per shard (length ring.shardCount). */
  readonly shardRates: ArrayLike<number>;
  readonly recentMoves: readonly RecentMove[];
  /** Wall-clock ms, from the injected clock. */
  readonly now: number;
  readonly limits?: RebalanceLimits;
}

/** One planned move and why. */
export interface PlannedMove {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  /** The shard's rate, requests per second. */
  readonly rate: number;
  readonly kind: 'offload' | 'return';
  readonly reason: string;
}

/** Why a round stopped planning offloads. */
export type StopReason = 'balanced' | 'move-limit' | 'cooling-down' | 'no-fitting-shard' | 'idle';

/** A round's plan: the moves, the override change that makes them, and the ratios. */
export interface RebalancePlan {
  readonly moves: readonly PlannedMove[];
  /** Feed to planOverrideChange to get the next ring. */
  readonly overrides: OverrideChange & {
    readonly set: ReadonlyMap<number, string>;
    readonly remove: readonly number[];
  };
  /** max/mean over nodes that own shards, before and after (as the planner estimates it). */
  readonly ratioBefore: number;
  readonly ratioAfter: number;
  readonly stopped: StopReason;
}

/** Plans one round of hot-shard moves. */
export function planRebalance(input: RebalanceInput): RebalancePlan {
  const { ring, shardRates, now } = input;
  const maxMoves = input.limits?.maxMovesPerRound ?? 8;
  const cooldownMs = input.limits?.cooldownMs ?? 120_000;
  const target = input.limits?.targetRatio ?? 1.1;
  const table = ownerTable(ring);
  // Owning nodes in id order (the ring's order), so ties break the same way everywhere.
  const nodes = table.nodes.filter((node) => ownsShards(node.state)).map((node) => node.id);
  const slotOf = new Map(nodes.map((id, slot) => [id, slot]));
  const load = Float64Array.from(nodes, (id) => input.nodeRates.get(id) ?? 0);
  const total = load.reduce((a, b) => a + b, 0);
  const mean = total / nodes.length;
  const recent = input.recentMoves.filter((move) => now - move.at < cooldownMs);
  const coolingShards = new Set(recent.map((move) => move.shard));
  const coolingNodes = new Set(recent.flatMap((move) => [move.from, move.to]));
  const owner = Int32Array.from(table.owners, (i) => slotOf.get(table.nodes[i]!.id) ?? -1);
  const movable = (shard: number) =>
    !coolingShards.has(shard) && !table.migrations.has(shard) && (shardRates[shard] ?? 0) > 0;
  const moves: PlannedMove[] = [];
  const ratio = () => (mean > 0 ? Math.max(...load) / mean : 1);
  const ratioBefore = ratio();

  const move = (shard: number, to: number, kind: PlannedMove['kind'], why: string) => {
    const from = owner[shard]!;
    const rate = shardRates[shard]!;
    const reason = `${why}: ${nodes[from]} ${fmt(load[from]! / mean)}→${fmt((load[from]! - rate) / mean)}, ${nodes[to]} ${fmt(load[to]! / mean)}→${fmt((load[to]! + rate) / mean)} × mean`;
    load[from]! -= rate;
    load[to]! += rate;
    owner[shard] = to;
    coolingShards.add(shard);
    moves.push({ shard, from: nodes[from]!, to: nodes[to]!, rate, kind, reason });
  };

  let stopped: StopReason = 'move-limit';
  while (moves.length < maxMoves) {
    if (mean <= 0) {
      stopped = 'idle';
      break;
    }
    if (ratio() <= target) {
      stopped = 'balanced';
      break;
    }
    const sender = argBest(load, (a, b) => a > b);
    if (coolingNodes.has(nodes[sender]!)) {
      stopped = 'cooling-down';
      break;
    }
    const receiver = argBest(
      load,
      (a, b) => a < b,
      (slot) => slot !== sender && !coolingNodes.has(nodes[slot]!),
    );
    const shard = receiver < 0 ? -1 : bestShard(sender, receiver);
    if (shard < 0) {
      stopped = 'no-fitting-shard';
      break;
    }
    move(shard, receiver, 'offload', `offload hot shard ${shard}`);
  }

  // Send pinned shards home when that stays within the target and below the current maximum.
  const homeSlot = (shard: number) => slotOf.get(table.nodes[table.hashed[shard]!]!.id) ?? -1;
  const returnable = [...ring.overrides.keys()]
    .filter((shard) => movable(shard) && owner[shard]! >= 0 && homeSlot(shard) >= 0)
    .sort((a, b) => shardRates[a]! - shardRates[b]! || a - b);
  for (const shard of returnable) {
    if (moves.length >= maxMoves || mean <= 0) break;
    const [from, home] = [owner[shard]!, homeSlot(shard)];
    if (from === home || coolingNodes.has(nodes[from]!) || coolingNodes.has(nodes[home]!)) continue;
    const after = load[home]! + shardRates[shard]!;
    if (after <= target * mean && after <= Math.max(...load)) {
      move(shard, home, 'return', `return shard ${shard} to its hashed owner`);
    }
  }

  const set = new Map<number, string>();
  const remove: number[] = [];
  for (const { shard, to } of moves) {
    if (homeSlot(shard) === slotOf.get(to)) {
      set.delete(shard);
      if (ring.overrides.has(shard)) remove.push(shard);
    } else {
      set.set(shard, to);
    }
  }
  return { moves, overrides: { set, remove }, ratioBefore, ratioAfter: ratio(), stopped };

  /** The sender's shard that best balances the pair, or -1. */
  function bestShard(sender: number, receiver: number): number {
    let best = -1;
    let bestPeak = Infinity;
    for (let shard = 0; shard < owner.length; shard++) {
      if (owner[shard] !== sender || !movable(shard)) continue;
      const rate = shardRates[shard]!;
      // The safety rule as the loads will be updated (not rate < sender − receiver, which
      // rounding can let through with the receiver ending exactly as hot as the sender was).
      if (!(load[receiver]! + rate < load[sender]!)) continue;
      const peak = Math.max(load[sender]! - rate, load[receiver]! + rate);
      if (peak < bestPeak || (peak === bestPeak && rate > shardRates[best]!)) {
        best = shard;
        bestPeak = peak;
      }
    }
    return best;
  }
}

/** The slot whose load wins `better` (ties: the lowest slot, i.e. the smallest id), or -1. */
function argBest(
  load: Float64Array,
  better: (a: number, b: number) => boolean,
  allowed: (slot: number) => boolean = () => true,
): number {
  let best = -1;
  for (let slot = 0; slot < load.length; slot++) {
    if (allowed(slot) && (best < 0 || better(load[slot]!, load[best]!))) best = slot;
  }
  return best;
}

function fmt(ratio: number): string {
  return ratio.toFixed(2);
}
