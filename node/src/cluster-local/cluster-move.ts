import type { Ring } from '../cluster/ring.ts';
import { ownerOf } from '../cluster/ring-owners.ts';
import type { ClusterContext } from './context.ts';
import { loadCluster } from './load-cluster.ts';
import { fail } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { movedRing } from './ring-plans.ts';
import { rollOut } from './rollout.ts';
import { withLock } from './with-lock.ts';

/**
 * `mlcache cluster move SHARD NODE`: pins one shard to a node (an override, as the hot-shard
 * rebalancer writes them), or sends it home when NODE is its hashed owner, and waits until its
 * keys have been copied and the ring has settled.
 */
export async function clusterMove(
  context: ClusterContext,
  shard: number,
  nodeId: string,
): Promise<Outcome<Ring>> {
  return withLock(context, async () => {
    const loaded = await loadCluster(context);
    if (!loaded.ok) return loaded;
    const { state, ring } = loaded.value;
    const change = movedRing(ring, shard, nodeId);
    if (!change.ok) return fail('invalid', change.error);
    context.report(`moving shard ${shard} from ${ownerOf(ring, shard)} to ${nodeId}`);
    const rolled = await rollOut(context, state, change.value.ring);
    if (rolled.ok)
      context.report(`shard ${shard} is on ${nodeId}; ring epoch ${rolled.value.epoch}`);
    return rolled;
  });
}
