import { ownsShards } from './ring.ts';
import type { Ring, RingNode, ShardMigration } from './ring.ts';
import { createRing } from './ring-document.ts';
import { migrationsOf, ownerOf, ownerTable } from './ring-owners.ts';
import type { RingResult } from './ring-schema.ts';

/**
 * Ring transitions: the next ring (epoch + 1) for a membership change, an override change or
 * finished copies, with the shard moves it implies. This is the plan that the operator publishes
 * and the migration engine executes; both only ever go from one ring to the next through here.
 *
 * How pending copies carry over: a shard's `migrations` list every node that may still hold some
 * of its keys. When the owner changes, the old owner becomes a source (startedEpoch = the new
 * epoch); sources of earlier, unfinished copies stay sources (keeping their startedEpoch, which
 * orders them oldest to newest); a source that becomes the owner again is dropped, since the
 * keys are then where they belong; a source that has left the ring is reported as `lost`.
 */

/** One shard changing owner. */
export interface ShardMove {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
}

/** The next ring and what changes with it. */
export interface RingChange {
  readonly ring: Ring;
  /** Every shard whose owner changes, from its current owner to its next one, by shard. */
  readonly moves: readonly ShardMove[];
  /** Copies that can no longer happen: their source left the ring (the keys are gone with it). */
  readonly lost: readonly ShardMove[];
}

/** A ring change, or the problems that make it impossible (an invalid node list, say). */
export type RingChangeResult =
  | { readonly ok: true; readonly change: RingChange }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The next ring for a new node list (nodes joining, leaving, draining, changing weight or
 * state). Overrides naming a node that no longer owns shards (draining or gone) are dropped, so
 * those shards return to their hashed owner; draining nodes own nothing, and the moves out of
 * them are listed.
 */
export function planRingChange(current: Ring, nextNodes: readonly RingNode[]): RingChangeResult {
  const owning = new Set(nextNodes.filter((node) => ownsShards(node.state)).map((node) => node.id));
  const overrides = new Map([...current.overrides].filter(([, node]) => owning.has(node)));
  return transition(current, nextNodes, overrides);
}

/** Overrides to set (shard → node) and to remove (the shard returns to its hashed owner). */
export interface OverrideChange {
  readonly set?: ReadonlyMap<number, string>;
  readonly remove?: Iterable<number>;
}

/** The next ring with some overrides set or removed (what the hot-shard rebalancer asks for). */
export function planOverrideChange(current: Ring, change: OverrideChange): RingChangeResult {
  const overrides = new Map(current.overrides);
  for (const shard of change.remove ?? []) overrides.delete(shard);
  for (const [shard, node] of change.set ?? []) overrides.set(shard, node);
  return transition(current, current.nodes, overrides);
}

/** A finished copy: `shard`'s keys are no longer needed on `from`. */
export interface FinishedCopy {
  readonly shard: number;
  readonly from: string;
}

/** The next ring without the given finished copies; owners do not change. */
export function completeMigrations(current: Ring, done: readonly FinishedCopy[]): RingResult {
  const problems: string[] = [];
  const remaining = new Set(current.migrations);
  done.forEach(({ shard, from }, i) => {
    const match = current.migrations.find((m) => m.shard === shard && m.from === from);
    if (match === undefined)
      problems.push(`done[${i}]: no migration of shard ${shard} from "${from}"`);
    else remaining.delete(match);
  });
  if (problems.length > 0) return { ok: false, problems };
  return createRing({ ...fieldsOf(current), epoch: current.epoch + 1, migrations: [...remaining] });
}

function transition(
  current: Ring,
  nodes: readonly RingNode[],
  wanted: ReadonlyMap<number, string>,
): RingChangeResult {
  const epoch = current.epoch + 1;
  const draft = createRing({
    ...fieldsOf(current),
    epoch,
    nodes,
    overrides: wanted,
    migrations: [],
  });
  if (!draft.ok) return draft;
  // An override naming the hashed owner pins nothing; dropping it keeps the map minimal.
  const table = ownerTable(draft.ring);
  const overrides = new Map(
    [...wanted].filter(([shard, node]) => table.nodes[table.hashed[shard]!]!.id !== node),
  );
  const present = new Set(nodes.map((node) => node.id));
  const moves: ShardMove[] = [];
  const lost: ShardMove[] = [];
  const migrations: ShardMigration[] = [];
  for (let shard = 0; shard < current.shardCount; shard++) {
    const from = ownerOf(current, shard);
    const to = ownerOf(draft.ring, shard);
    const sources = new Map(migrationsOf(current, shard).map((m) => [m.from, m.startedEpoch]));
    if (from !== to) {
      moves.push({ shard, from, to });
      sources.set(from, epoch);
    }
    sources.delete(to);
    for (const [source, startedEpoch] of sources) {
      if (present.has(source)) migrations.push({ shard, from: source, to, startedEpoch });
      else lost.push({ shard, from: source, to });
    }
  }
  const next = createRing({ ...fieldsOf(current), epoch, nodes, overrides, migrations });
  return next.ok ? { ok: true, change: { ring: next.ring, moves, lost } } : next;
}

function fieldsOf(ring: Ring) {
  const { epoch, shardCount, loadFactor, nodes, overrides, migrations } = ring;
  return { epoch, shardCount, loadFactor, nodes, overrides, migrations };
}
