import type { ClusterState } from './cluster-state.ts';
import { ROLE } from './cluster-state.ts';
import type { ReportedMigration } from '../cluster/migration-completion.ts';

/** One incoming migration on `GET /v1/migrations`. */
export interface MigrationView extends ReportedMigration {
  /** waiting (its turn has not come), preparing (leftovers being removed), pulling, retrying, done. */
  readonly state: 'waiting' | 'preparing' | 'pulling' | 'retrying' | 'done';
  readonly keys: number;
  readonly bytes: number;
  readonly tombstones: number;
  /** Not read, because a newer source held the shard completely. */
  readonly skipped: boolean;
  /** ISO times in this process's life (null before, or when it happened before a restart). */
  readonly started: string | null;
  readonly finished: string | null;
  readonly error: string | null;
}

/** The body of `GET /v1/migrations`. */
export interface MigrationsReport {
  readonly node: string;
  readonly ringEpoch: number | null;
  /** This node's incoming migrations (it is `to`), by shard then source, newest source first. */
  readonly migrations: readonly MigrationView[];
  /** Shards of ours still being received, and those whose copy is complete. */
  readonly receiving: number;
  readonly received: number;
  /** Shards that moved away and that this node still serves as a migration source. */
  readonly sourceOf: number;
  /** Shards whose keys are waiting to be removed (moved away, or leftovers), and keys removed. */
  readonly dropping: number;
  readonly droppedKeys: number;
}

/** Builds the report from the node's state. */
export function migrationsReport(
  state: ClusterState,
  extra: { readonly dropping: number; readonly droppedKeys: number },
): MigrationsReport {
  const ring = state.ring;
  const migrations: MigrationView[] = [];
  let receiving = 0;
  let received = 0;
  let sourceOf = 0;
  const shards = [...state.receptions.keys()].sort((a, b) => a - b);
  for (const shard of shards) {
    const reception = state.receptions.get(shard)!;
    if (state.roles[shard] === ROLE.FOREIGN) continue;
    if (reception.state === 'done') received++;
    else receiving++;
    for (const source of reception.sources) {
      migrations.push({
        shard,
        from: source.from,
        to: state.nodeId,
        startedEpoch: source.startedEpoch,
        state: reception.state === 'purging' ? 'preparing' : source.state,
        keys: source.keys,
        bytes: source.bytes,
        tombstones: source.tombstones,
        skipped: source.skipped,
        started: iso(source.startedAt),
        finished: iso(source.finishedAt),
        error: source.error ?? null,
      });
    }
  }
  for (let shard = 0; shard < state.roles.length; shard++) if (state.isSource(shard)) sourceOf++;
  return {
    node: state.nodeId,
    ringEpoch: ring?.epoch ?? null,
    migrations,
    receiving,
    received,
    sourceOf,
    dropping: extra.dropping,
    droppedKeys: extra.droppedKeys,
  };
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
