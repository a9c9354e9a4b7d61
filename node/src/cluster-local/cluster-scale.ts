import { rm } from 'node:fs/promises';
import type { Ring } from '../cluster/ring.ts';
import type { RingChange } from '../cluster/ring-change.ts';
import { writeClusterState } from './cluster-files.ts';
import type { ClusterState, NodeRecord } from './cluster-state.ts';
import type { ClusterContext } from './context.ts';
import { loadCluster } from './load-cluster.ts';
import { ordinalOf } from './layout.ts';
import { membersOf, ringNodeOf } from './members.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { isAlive, stopProcesses } from './processes.ts';
import { scaledRing, scaleTargets } from './ring-plans.ts';
import { rollOut } from './rollout.ts';
import { startNode, waitReady } from './start-processes.ts';
import { withLock } from './with-lock.ts';

/**
 * `mlcache cluster scale N`: grow or shrink to N nodes without losing a key.
 *
 * Growing: the new nodes start and answer /readyz first (on the current ring, which does not list
 * them yet), then the ring adds them as joining; they pull their shards and serve them meanwhile.
 * Shrinking: the leaving nodes become draining (they own nothing, and stay up as copy sources);
 * once every copy is done, the settled ring drops them, and only then are they stopped and their
 * data directories removed (their keys now live elsewhere, and a node that joins again later
 * under the same id must not find leftovers). Scaling to the current size finishes an earlier,
 * interrupted change.
 */
export async function clusterScale(context: ClusterContext, count: number): Promise<Outcome<Ring>> {
  return withLock(context, () => scale(context, count));
}

async function scale(context: ClusterContext, count: number): Promise<Outcome<Ring>> {
  const loaded = await loadCluster(context);
  if (!loaded.ok) return loaded;
  let { state } = loaded.value;
  const { ring } = loaded.value;
  const targets = scaleTargets(ring, count);
  if (!targets.ok) return fail('invalid', targets.error);
  const { add, remove } = targets.value;
  context.report(
    add.length > 0
      ? `scaling out to ${count}: adding ${add.join(', ')}`
      : remove.length > 0
        ? `scaling in to ${count}: draining ${remove.join(', ')}`
        : `already ${count} nodes; finishing any change in progress`,
  );

  // A node recorded but not in the ring was started by an interrupted scale-out: reuse it.
  const recorded = new Map(state.nodes.map((node) => [node.id, node]));
  const fresh = add.filter((id) => !isAlive(recorded.get(id)?.pid ?? -1));
  const started = await Promise.all(fresh.map((id) => startNode(context, state.settings, id)));
  state = withNodes(
    state,
    started.flatMap((result) => (result.ok ? [result.value] : [])),
  );
  await writeClusterState(context.layout, state);
  const failed = started.find((result) => !result.ok);
  if (failed !== undefined && !failed.ok) return failed;
  const added = state.nodes.filter((node) => add.includes(node.id));
  const ready = await waitReady(
    context,
    added.map((node) => ({
      id: node.id,
      kind: 'node',
      admin: `${state.settings.bind}:${node.admin}`,
    })),
  );
  if (!ready.ok) return ready;

  let target = ring;
  if (add.length > 0 || remove.length > 0) {
    const change = planScale(ring, state, added, remove);
    if (!change.ok) return change;
    context.report(`${change.value.moves.length} of ${ring.shardCount} shards change owner`);
    target = change.value.ring;
  }
  const rolled = await rollOut(context, state, target);
  if (!rolled.ok) return rolled;

  const stopped = await stopRemoved(context, state, rolled.value);
  if (!stopped.ok) return stopped;
  const ready2 = await waitReady(context, membersOf(stopped.value, rolled.value));
  if (!ready2.ok) return ready2;
  context.report(`scaled to ${count} nodes; ring epoch ${rolled.value.epoch}`);
  return succeed(rolled.value);
}

/** Stops the recorded nodes the ring no longer lists, and forgets them. */
async function stopRemoved(
  context: ClusterContext,
  state: ClusterState,
  ring: Ring,
): Promise<Outcome<ClusterState>> {
  const inRing = new Set(ring.nodes.map((node) => node.id));
  const gone = state.nodes.filter((node) => !inRing.has(node.id));
  if (gone.length === 0) return succeed(state);
  const outcomes = await stopProcesses(
    gone.map((node) => node.pid),
    10_000,
    context.sleep,
  );
  const survivors = outcomes.filter((o) => o.how === 'survived').map((o) => o.pid);
  const kept = state.nodes.filter((node) => inRing.has(node.id) || survivors.includes(node.pid));
  const next = { ...state, nodes: kept };
  await writeClusterState(context.layout, next);
  for (const node of gone.filter((n) => !survivors.includes(n.pid))) {
    await rm(node.dataDir, { recursive: true, force: true });
    context.report(`${node.id}: stopped (pid ${node.pid}); data directory removed`);
  }
  if (survivors.length > 0) {
    return fail('timeout', `pids ${survivors.join(', ')} survived SIGKILL; they stay recorded`);
  }
  return succeed(next);
}

/** The ring with the added nodes joining and the removed ones draining. */
function planScale(
  ring: Ring,
  state: ClusterState,
  added: readonly NodeRecord[],
  remove: readonly string[],
): Outcome<RingChange> {
  const change = scaledRing(
    ring,
    added.map((node) => ringNodeOf(node, state.settings.bind)),
    remove,
  );
  if (!change.ok) return fail('invalid', change.error);
  if (change.value.lost.length > 0) {
    return fail('invalid', `the change would lose ${change.value.lost.length} pending copies`);
  }
  return succeed(change.value);
}

/** The state with `nodes` added (replacing same ids), sorted by ordinal. */
function withNodes(state: ClusterState, nodes: readonly NodeRecord[]): ClusterState {
  const byId = new Map(state.nodes.map((node) => [node.id, node]));
  for (const node of nodes) byId.set(node.id, node);
  const sorted = [...byId.values()].sort(
    (a, b) => (ordinalOf(a.id) ?? 0) - (ordinalOf(b.id) ?? 0) || a.id.localeCompare(b.id),
  );
  return { ...state, nodes: sorted };
}
