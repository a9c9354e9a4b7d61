import type { Ring } from '../cluster/ring.ts';

/**
 * The pure half of a rollout: given the ring that was published and what the processes report,
 * what to do next. A rollout publishes a ring, waits until every member applied it, waits until
 * the new owners finished copying the shards that moved, then publishes the settled ring (copies
 * done, joining nodes active, drained nodes gone) and waits for that too. The adapter
 * (rollout.ts) observes, calls `nextStep`, acts, and observes again.
 */

/** What one member (a node or the gateway) reports about its ring. */
export interface MemberView {
  readonly id: string;
  /** The epoch of the ring it uses; undefined when it has none or could not be asked. */
  readonly epoch: number | undefined;
  /** Why there is no epoch (unreachable, no ring yet), for the progress line. */
  readonly problem?: string;
}

export interface ConvergenceInput {
  /** The ring being rolled out. */
  readonly ring: Ring;
  /** Every member that must apply it. */
  readonly members: readonly MemberView[];
  /** The copies of `ring.migrations` the new owners report finished (see copyKey). */
  readonly finished: ReadonlySet<string>;
}

export type ConvergenceStep =
  /** A member runs a newer ring than ours: someone else changed the cluster. Give up. */
  | { readonly kind: 'overtaken'; readonly members: readonly MemberView[] }
  /** Some members have not applied the ring yet. */
  | { readonly kind: 'wait-epoch'; readonly lagging: readonly MemberView[] }
  /** Everyone has the ring; copies are still running. */
  | { readonly kind: 'wait-copies'; readonly done: number; readonly total: number }
  /** Everyone has the ring and every copy is done: publish the settled ring next. */
  | { readonly kind: 'settle' }
  /** Everyone has the ring, and it has nothing left to settle. */
  | { readonly kind: 'converged' };

/** The key of a copy in ConvergenceInput.finished. */
export function copyKey(shard: number, from: string): string {
  return `${shard}/${from}`;
}

/** True when a ring still has copies to finish, or nodes joining or draining. */
export function needsSettling(ring: Ring): boolean {
  return ring.migrations.length > 0 || ring.nodes.some((node) => node.state !== 'active');
}

export function nextStep(input: ConvergenceInput): ConvergenceStep {
  const { ring, members } = input;
  const ahead = members.filter((m) => m.epoch !== undefined && m.epoch > ring.epoch);
  if (ahead.length > 0) return { kind: 'overtaken', members: ahead };
  const lagging = members.filter((m) => m.epoch !== ring.epoch);
  if (lagging.length > 0) return { kind: 'wait-epoch', lagging };
  const total = ring.migrations.length;
  const done = ring.migrations.filter((m) => input.finished.has(copyKey(m.shard, m.from))).length;
  if (done < total) return { kind: 'wait-copies', done, total };
  return needsSettling(ring) ? { kind: 'settle' } : { kind: 'converged' };
}
