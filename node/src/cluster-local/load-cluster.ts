import type { Ring } from '../cluster/ring.ts';
import { readClusterState, readRingFile } from './cluster-files.ts';
import type { ClusterState } from './cluster-state.ts';
import type { ClusterContext } from './context.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';

/** A recorded cluster and the ring it runs, as the commands after `up` start from. */
export interface LoadedCluster {
  readonly state: ClusterState;
  readonly ring: Ring;
}

export async function loadCluster(context: ClusterContext): Promise<Outcome<LoadedCluster>> {
  const { layout } = context;
  const state = await readClusterState(layout);
  if (state.kind === 'missing') {
    return fail(
      'no-cluster',
      `no cluster in ${layout.dir} (no ${layout.stateFile}); start one with 'mlcache cluster up'`,
    );
  }
  if (state.kind === 'invalid') return fail('invalid', state.problems.join('\n'));
  const ring = await readRingFile(layout);
  if (ring.kind === 'missing') {
    return fail(
      'no-cluster',
      `the cluster in ${layout.dir} has no ring (${layout.ringFile}); run 'mlcache cluster down' and 'up' again`,
    );
  }
  if (ring.kind === 'invalid') return fail('invalid', ring.problems.join('\n'));
  return succeed({ state: state.value, ring: ring.value });
}
