import { assignShards } from './assign.ts';
import { ownsShards } from './ring.ts';
import type { Ring, RingNode, ShardMigration } from './ring.ts';

/**
 * Who owns each shard of a ring: the override if there is one, else the hashed assignment over
 * the active and joining nodes. Computing the assignment ranks every (node, shard) pair, so it is
 * done once per ring object and memoised; a lookup is then one Int32Array read.
 */

/** A ring's owners, by index into `ring.nodes` so that a caller can keep per-node arrays. */
export interface OwnerTable {
  readonly nodes: readonly RingNode[];
  /** owners[shard] = index in `nodes` of the shard's owner. */
  readonly owners: Int32Array;
  /** hashed[shard] = index of the owner the assignment gives, ignoring overrides. */
  readonly hashed: Int32Array;
  /** The pending migrations of each shard that has some, newest source first. */
  readonly migrations: ReadonlyMap<number, readonly ShardMigration[]>;
}

// Keyed by ring identity: a Ring is immutable, so its table never goes stale, and the WeakMap
// lets a replaced ring and its table be collected together. It holds no state anyone can observe.
const tables = new WeakMap<Ring, OwnerTable>();

/** The owner table of a ring, computed on first use. */
export function ownerTable(ring: Ring): OwnerTable {
  let table = tables.get(ring);
  if (table === undefined) {
    table = computeOwnerTable(ring);
    tables.set(ring, table);
  }
  return table;
}

/** The id of the node that owns `shard` in this ring. */
export function ownerOf(ring: Ring, shard: number): string {
  const table = ownerTable(ring);
  const index = table.owners[shard];
  if (index === undefined) throw new RangeError(`shard ${shard} is not in [0, ${ring.shardCount})`);
  return table.nodes[index]!.id;
}

/** The pending migrations into `shard`'s owner, newest source first (empty when none). */
export function migrationsOf(ring: Ring, shard: number): readonly ShardMigration[] {
  return ownerTable(ring).migrations.get(shard) ?? [];
}

/** The node of the ring with this id, if any. */
export function nodeById(ring: Ring, id: string): RingNode | undefined {
  return ring.nodes.find((node) => node.id === id);
}

function computeOwnerTable(ring: Ring): OwnerTable {
  const eligible: number[] = [];
  ring.nodes.forEach((node, i) => {
    if (ownsShards(node.state)) eligible.push(i);
  });
  const assigned = assignShards(
    eligible.map((i) => ring.nodes[i]!),
    ring.shardCount,
    ring.loadFactor,
  );
  const hashed = assigned.map((k) => eligible[k]!);
  const owners = hashed.slice();
  const indexOf = new Map(ring.nodes.map((node, i) => [node.id, i]));
  for (const [shard, id] of ring.overrides) owners[shard] = indexOf.get(id)!;
  const migrations = new Map<number, ShardMigration[]>();
  for (const migration of ring.migrations) {
    const list = migrations.get(migration.shard) ?? [];
    list.push(migration);
    migrations.set(migration.shard, list);
  }
  for (const list of migrations.values()) list.sort((a, b) => b.startedEpoch - a.startedEpoch);
  return { nodes: ring.nodes, owners, hashed, migrations };
}
