import { maxOverMean } from '../cluster/node-load.ts';
import { ownsShards } from '../cluster/ring.ts';
import { planRebalance } from '../cluster/rebalance-planner.ts';
import type { PlannedMove, RebalanceLimits, StopReason } from '../cluster/rebalance-planner.ts';
import { describeHttpError } from './admin-client.ts';
import { writeClusterState } from './cluster-files.ts';
import type { ClusterContext } from './context.ts';
import { loadCluster } from './load-cluster.ts';
import type { LoadedCluster } from './load-cluster.ts';
import { mergeLoads, parseNodeLoad } from './load-reports.ts';
import type { NodeLoad } from './load-reports.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { overriddenRing } from './ring-plans.ts';
import { rollOut } from './rollout.ts';
import { withLock } from './with-lock.ts';

/**
 * `mlcache cluster rebalance`: rounds of the hot-shard rebalancer. A round collects `/v1/load`
 * from every node, plans overrides (cluster/rebalance-planner.ts), publishes them as a new ring
 * and waits for the copies, like `scale`. The moves are recorded in the state file, so that the
 * planner's cooldown also holds across commands.
 */
export interface RebalanceOptions {
  /** @default 1 */
  readonly rounds?: number;
  /** The number of the first round, for callers that run rounds one call at a time. @default 1 */
  readonly firstRound?: number;
  readonly limits?: RebalanceLimits;
}

/** What one round saw and did. */
export interface RebalanceRound {
  readonly round: number;
  /** max/mean of the node rates measured before the round. */
  readonly ratioBefore: number;
  /** max/mean the planner expects after its moves. */
  readonly ratioPlanned: number;
  readonly moves: readonly PlannedMove[];
  readonly stopped: StopReason;
  /** The ring epoch after the round. */
  readonly epoch: number;
}

/** How many past moves the state file keeps for the cooldown. */
const KEEP_MOVES = 256;

export async function clusterRebalance(
  context: ClusterContext,
  options: RebalanceOptions = {},
): Promise<Outcome<RebalanceRound[]>> {
  return withLock(context, async () => {
    const rounds: RebalanceRound[] = [];
    const first = options.firstRound ?? 1;
    for (let round = first; round < first + (options.rounds ?? 1); round++) {
      const loaded = await loadCluster(context);
      if (!loaded.ok) return loaded;
      const result = await rebalanceOnce(context, loaded.value, round, options.limits);
      if (!result.ok) return result;
      rounds.push(result.value);
      if (result.value.moves.length === 0) break;
    }
    return succeed(rounds);
  });
}

async function rebalanceOnce(
  context: ClusterContext,
  { state, ring }: LoadedCluster,
  round: number,
  limits: RebalanceLimits | undefined,
): Promise<Outcome<RebalanceRound>> {
  const loads = await collectLoads(context, state.settings.bind, state.nodes, ring);
  if (!loads.ok) return loads;
  const { shardRates, nodeRates } = mergeLoads(ring, loads.value);
  const owning = ring.nodes.filter((node) => ownsShards(node.state)).map((node) => node.id);
  const ratioBefore = maxOverMean(owning.map((id) => nodeRates.get(id) ?? 0));
  const now = context.clock.now();
  const plan = planRebalance({
    ring,
    nodeRates,
    shardRates,
    recentMoves: state.recentMoves,
    now,
    ...(limits !== undefined ? { limits } : {}),
  });
  const rates = owning.map((id) => `${id} ${Math.round(nodeRates.get(id) ?? 0)}/s`).join(', ');
  context.report(`round ${round}: max/mean ${ratioBefore.toFixed(2)} (${rates})`);
  for (const move of plan.moves) context.report(`  ${move.reason} (${Math.round(move.rate)}/s)`);
  if (plan.moves.length === 0) {
    context.report(`round ${round}: nothing to move (${plan.stopped})`);
    return succeed({
      round,
      ratioBefore,
      ratioPlanned: plan.ratioAfter,
      moves: [],
      stopped: plan.stopped,
      epoch: ring.epoch,
    });
  }
  const change = overriddenRing(ring, plan.overrides);
  if (!change.ok) return fail('invalid', change.error);
  const rolled = await rollOut(context, state, change.value.ring);
  if (!rolled.ok) return rolled;
  const recentMoves = [
    ...state.recentMoves,
    ...plan.moves.map(({ shard, from, to }) => ({ shard, from, to, at: now })),
  ].slice(-KEEP_MOVES);
  await writeClusterState(context.layout, { ...state, recentMoves });
  context.report(
    `round ${round}: ${plan.moves.length} shards moved; expected max/mean ${plan.ratioAfter.toFixed(2)}; ring epoch ${rolled.value.epoch}`,
  );
  return succeed({
    round,
    ratioBefore,
    ratioPlanned: plan.ratioAfter,
    moves: plan.moves,
    stopped: plan.stopped,
    epoch: rolled.value.epoch,
  });
}

async function collectLoads(
  context: ClusterContext,
  host: string,
  nodes: readonly { id: string; admin: number }[],
  ring: LoadedCluster['ring'],
): Promise<Outcome<NodeLoad[]>> {
  const inRing = new Set(ring.nodes.map((node) => node.id));
  const answers = await Promise.all(
    nodes
      .filter((node) => inRing.has(node.id))
      .map(async (node) => {
        const result = await context.client.get(`${host}:${node.admin}`, '/v1/load');
        const load = result.ok && result.status === 200 ? parseNodeLoad(result.body) : undefined;
        return { node, result, load };
      }),
  );
  const missing = answers.filter((answer) => answer.load === undefined);
  if (missing.length > 0) {
    const why = missing.map(({ node, result }) => `${node.id}: ${describeHttpError(result)}`);
    return fail('invalid', `cannot read the load of every node (${why.join('; ')})`);
  }
  return succeed(answers.map((answer) => answer.load!));
}
