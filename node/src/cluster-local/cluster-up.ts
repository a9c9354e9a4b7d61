import { mkdir, rm } from 'node:fs/promises';
import { readClusterState, removeClusterState, writeClusterState } from './cluster-files.ts';
import type { ClusterSettings, ClusterState, NodeRecord } from './cluster-state.ts';
import { CLUSTER_STATE_VERSION } from './cluster-state.ts';
import type { ClusterContext } from './context.ts';
import { nodeIdOf } from './layout.ts';
import { membersOf, ringNodeOf } from './members.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { isAlive, stopProcesses } from './processes.ts';
import { initialRing } from './ring-plans.ts';
import { rollOut } from './rollout.ts';
import { withLock } from './with-lock.ts';
import { startGateway, startNode, waitReady } from './start-processes.ts';

/**
 * `mlcache cluster up`: N nodes and a gateway on this machine, detached, sharing one ring file.
 *
 * Order: the nodes start first (each on OS-picked ports, which the ring needs), then the ring is
 * written with all of them active, then the gateway starts on it; the command returns once every
 * process runs that ring and answers /readyz. The state file is rewritten after each start, so
 * that `down` can clean up after an interrupted `up`; if a start fails, what was started is
 * stopped again.
 */
export interface UpOptions {
  readonly nodes: number;
  readonly gatewayPort: number;
  readonly settings: ClusterSettings;
}

export async function clusterUp(
  context: ClusterContext,
  options: UpOptions,
): Promise<Outcome<ClusterState>> {
  if (!Number.isSafeInteger(options.nodes) || options.nodes < 1) {
    return fail('invalid', `--nodes must be a positive integer, got ${options.nodes}`);
  }
  await mkdir(context.layout.dir, { recursive: true });
  return withLock(context, () => up(context, options));
}

async function up(context: ClusterContext, options: UpOptions): Promise<Outcome<ClusterState>> {
  const { layout } = context;
  const previous = await readClusterState(layout);
  if (previous.kind === 'invalid') {
    return fail('invalid', `${previous.problems.join('\n')}\n(remove the file if no cluster runs)`);
  }
  if (previous.kind === 'found') {
    const state = previous.value;
    const live = [...state.nodes, ...(state.gateway ? [state.gateway] : [])].filter((p) =>
      isAlive(p.pid),
    );
    if (live.length > 0) {
      return fail(
        'already-running',
        `a cluster already runs in ${layout.dir} (pids ${live.map((p) => p.pid).join(', ')}); use 'mlcache cluster status' or 'down'`,
      );
    }
    context.report(`replacing the record of a stopped cluster in ${layout.dir}`);
  }
  // A ring left by a stopped cluster names dead ports: the new processes must not start on it.
  await rm(layout.ringFile, { force: true });

  let state: ClusterState = {
    version: CLUSTER_STATE_VERSION,
    settings: options.settings,
    nodes: [],
    gateway: null,
    recentMoves: [],
  };
  const undo = async (why: Outcome<never>): Promise<Outcome<ClusterState>> => {
    const pids = [...state.nodes.map((n) => n.pid), ...(state.gateway ? [state.gateway.pid] : [])];
    const outcomes = await stopProcesses(pids, 5000, context.sleep);
    if (outcomes.every((outcome) => outcome.how !== 'survived')) await removeClusterState(layout);
    return why;
  };

  const ids = Array.from({ length: options.nodes }, (_, i) => nodeIdOf(i));
  const started = await Promise.all(ids.map((id) => startNode(context, options.settings, id)));
  const nodes: NodeRecord[] = [];
  for (const result of started) if (result.ok) nodes.push(result.value);
  state = { ...state, nodes };
  await writeClusterState(layout, state);
  const failed = started.find((result) => !result.ok);
  if (failed !== undefined && !failed.ok) return undo(failed);

  const ring = initialRing(
    nodes.map((node) => ringNodeOf(node, options.settings.bind)),
    1,
  );
  if (!ring.ok) return undo(fail('invalid', ring.error));
  const gateway = await startGateway(context, options.settings, options.gatewayPort);
  if (!gateway.ok) return undo(gateway);
  state = { ...state, gateway: gateway.value };
  await writeClusterState(layout, state);

  const rolled = await rollOut(context, state, ring.value);
  if (!rolled.ok) return undo(rolled);
  const ready = await waitReady(context, membersOf(state, rolled.value));
  if (!ready.ok) return undo(ready);
  context.report(
    `cluster up: ${nodes.length} nodes, gateway on ${options.settings.bind}:${gateway.value.resp}, ring epoch ${rolled.value.epoch}`,
  );
  return succeed(state);
}
