import type { Ring } from './ring.ts';
import type { FinishedCopy } from './ring-change.ts';

/** One migration as a node reports it on `GET /v1/migrations` (the fields the helper needs). */
export interface ReportedMigration {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  readonly startedEpoch: number;
  readonly state: string;
}

/** A node's `GET /v1/migrations` answer (the fields the helper needs). */
export interface NodeMigrationsReport {
  readonly node: string;
  readonly migrations: readonly ReportedMigration[];
}

/**
 * For the orchestrator (the `mlcache cluster` tool, the operator): which of the ring's pending
 * migrations are finished, given the nodes' reports. A migration (shard, from → to, startedEpoch)
 * is finished when the node `to` reports exactly that migration (same startedEpoch, so a report
 * about an earlier copy of the shard does not count) in state `done`. Feed the result to
 * `completeMigrations(ring, done)` and publish the next ring: the sources then drop the shards.
 * Pure; a node that did not answer simply finishes nothing.
 */
export function completedMigrations(
  ring: Ring,
  reports: readonly NodeMigrationsReport[],
): FinishedCopy[] {
  const done = new Set<string>();
  for (const report of reports) {
    for (const m of report.migrations) {
      if (m.state === 'done' && m.to === report.node) {
        done.add(identity(m.shard, m.from, m.to, m.startedEpoch));
      }
    }
  }
  return ring.migrations
    .filter((m) => done.has(identity(m.shard, m.from, m.to, m.startedEpoch)))
    .map(({ shard, from }) => ({ shard, from }));
}

function identity(shard: number, from: string, to: string, startedEpoch: number): string {
  return JSON.stringify([shard, from, to, startedEpoch]);
}
