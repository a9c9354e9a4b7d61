import type { Ring } from '../cluster/ring.ts';
import { completedMigrations } from '../cluster/migration-completion.ts';
import type { NodeMigrationsReport, ReportedMigration } from '../cluster/migration-completion.ts';
import { copyKey } from './convergence.ts';

/**
 * What the new owners say about their copies (`GET /v1/migrations` on each node), reduced to what
 * a rollout needs: which copies of the ring are finished (the cluster runtime's own rule,
 * `completedMigrations`), and how much has been copied so far.
 */

/** A node's report, with the progress counters a rollout shows. */
export interface NodeCopies extends NodeMigrationsReport {
  readonly migrations: readonly (ReportedMigration & { keys: number; bytes: number })[];
}

/** Reads a /v1/migrations body; undefined when it is not one. */
export function parseNodeCopies(body: unknown): NodeCopies | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { node, migrations } = body as { node?: unknown; migrations?: unknown };
  if (typeof node !== 'string' || !Array.isArray(migrations)) return undefined;
  const parsed: NodeCopies['migrations'][number][] = [];
  for (const item of migrations as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { shard, from, to, startedEpoch, state, keys, bytes } = item as Record<string, unknown>;
    if (
      typeof shard !== 'number' ||
      typeof from !== 'string' ||
      typeof to !== 'string' ||
      typeof startedEpoch !== 'number' ||
      typeof state !== 'string'
    ) {
      return undefined;
    }
    parsed.push({
      shard,
      from,
      to,
      startedEpoch,
      state,
      keys: typeof keys === 'number' ? keys : 0,
      bytes: typeof bytes === 'number' ? bytes : 0,
    });
  }
  return { node, migrations: parsed };
}

/** Finished copies and totals over the reports of the ring's destination nodes. */
export interface CopyProgress {
  /** copyKey(shard, from) of each finished copy of the ring. */
  readonly finished: ReadonlySet<string>;
  readonly keys: number;
  readonly bytes: number;
}

export function copyProgress(ring: Ring, reports: readonly NodeCopies[]): CopyProgress {
  const finished = new Set(completedMigrations(ring, reports).map((c) => copyKey(c.shard, c.from)));
  const pending = new Set(
    ring.migrations.map((m) => JSON.stringify([m.shard, m.from, m.to, m.startedEpoch])),
  );
  let keys = 0;
  let bytes = 0;
  for (const report of reports) {
    for (const m of report.migrations) {
      if (!pending.has(JSON.stringify([m.shard, m.from, m.to, m.startedEpoch]))) continue;
      keys += m.keys;
      bytes += m.bytes;
    }
  }
  return { finished, keys, bytes };
}
