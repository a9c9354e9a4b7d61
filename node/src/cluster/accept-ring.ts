import type { Ring } from './ring.ts';
import { serializeRingDocument } from './ring-document.ts';

/**
 * The rule every node and gateway applies when a ring arrives (file watch, admin API, gossip):
 * epochs only go forward, and an epoch names one ring.
 *
 * - `accepted` — no ring yet, or a higher epoch: switch to the candidate.
 * - `same` — the same epoch and the same ring: a reload of what we have; nothing to do.
 * - `stale-epoch` — a lower epoch: an old document (a lagging ConfigMap mount); ignore it.
 * - `conflict-same-epoch` — the same epoch but a different ring: two writers disagree. Keep the
 *   current ring and raise an alarm; applying either would let nodes disagree on owners.
 * - `shard-count-changed` — a higher epoch with a different shard count: it would move almost
 *   every key without a migration plan, so it is refused until resharding exists.
 */
export type AcceptReason =
  'accepted' | 'same' | 'stale-epoch' | 'conflict-same-epoch' | 'shard-count-changed';

/** Whether to switch to the candidate, and why (for the log line and the metric label). */
export interface AcceptDecision {
  readonly apply: boolean;
  readonly reason: AcceptReason;
}

/** Decides whether a node holding `current` (or nothing yet) should switch to `candidate`. */
export function acceptRing(current: Ring | undefined, candidate: Ring): AcceptDecision {
  if (current === undefined) return { apply: true, reason: 'accepted' };
  if (candidate.epoch < current.epoch) return { apply: false, reason: 'stale-epoch' };
  if (candidate.epoch === current.epoch) {
    return sameRing(current, candidate)
      ? { apply: false, reason: 'same' }
      : { apply: false, reason: 'conflict-same-epoch' };
  }
  if (candidate.shardCount !== current.shardCount) {
    return { apply: false, reason: 'shard-count-changed' };
  }
  return { apply: true, reason: 'accepted' };
}

/** True when two rings have the same content (their canonical texts are equal). */
export function sameRing(a: Ring, b: Ring): boolean {
  return a === b || serializeRingDocument(a) === serializeRingDocument(b);
}
