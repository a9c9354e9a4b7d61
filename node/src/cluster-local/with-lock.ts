import { acquireClusterLock } from './cluster-lock.ts';
import type { ClusterContext } from './context.ts';
import { fail } from './outcome.ts';
import type { Outcome } from './outcome.ts';

/** Runs `body` holding the cluster's lock, and releases it however `body` ends. */
export async function withLock<T>(
  context: ClusterContext,
  body: () => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  const lock = await acquireClusterLock(context.layout);
  if (!lock.ok) {
    return fail(
      'busy',
      `another mlcache cluster command (pid ${lock.holder}) is changing ${context.layout.dir}; wait for it, or remove ${context.layout.lockFile} if it is gone`,
    );
  }
  try {
    return await body();
  } finally {
    await lock.release();
  }
}
