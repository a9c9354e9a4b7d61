import type { Ring, RingNode } from '../cluster/ring.ts';
import { ownsShards } from '../cluster/ring.ts';
import { completeMigrations, planOverrideChange, planRingChange } from '../cluster/ring-change.ts';
import type { OverrideChange, RingChange } from '../cluster/ring-change.ts';
import { createRing } from '../cluster/ring-document.ts';
import { ownerOf } from '../cluster/ring-owners.ts';
import { nodeIdOf, ordinalOf } from './layout.ts';

/**
 * The rings a local cluster goes through, decided from the current ring alone (pure). Every
 * change goes through cluster/ring-change.ts, which keeps the migrations consistent.
 *
 * - scale: nodes being added enter as `joining`, nodes being removed become `draining` (they own
 *   nothing from then on, and stay in the ring as copy sources until their shards have moved);
 * - settle: once every copy is done, the copies are cleared, joining nodes become active and
 *   drained nodes leave the ring. That is completeMigrations followed by planRingChange; only the
 *   result is published, so the epoch goes up by two (epochs only have to go forward).
 */

export type Planned<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The ring of a new cluster: every node active, epoch `epoch`. */
export function initialRing(nodes: readonly RingNode[], epoch: number): Planned<Ring> {
  const result = createRing({ epoch, nodes });
  return result.ok ? { ok: true, value: result.ring } : failed(result.problems);
}

/** Which node ids a scale to `count` nodes adds and removes. */
export interface ScaleTargets {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/**
 * Like a StatefulSet: the cluster is node-0 … node-(count−1). Scaling out adds the lowest free
 * ordinals; scaling in removes the highest ordinals among the nodes that own shards. Nodes
 * already draining (an interrupted scale-in) are not counted: they leave at the next settle.
 */
export function scaleTargets(ring: Ring, count: number): Planned<ScaleTargets> {
  if (!Number.isSafeInteger(count) || count < 1) {
    return { ok: false, error: `the node count must be a positive integer, got ${count}` };
  }
  const owning = ring.nodes.filter((node) => ownsShards(node.state)).map((node) => node.id);
  const byOrdinal = (a: string, b: string) => (ordinalOf(a) ?? -1) - (ordinalOf(b) ?? -1);
  if (count <= owning.length) {
    return { ok: true, value: { add: [], remove: owning.sort(byOrdinal).slice(count) } };
  }
  const taken = new Set(ring.nodes.map((node) => node.id));
  const add: string[] = [];
  for (let ordinal = 0; add.length < count - owning.length; ordinal++) {
    const id = nodeIdOf(ordinal);
    if (!taken.has(id)) add.push(id);
  }
  return { ok: true, value: { add, remove: [] } };
}

/** The ring after adding `added` (as joining) and draining `removed`. */
export function scaledRing(
  ring: Ring,
  added: readonly RingNode[],
  removed: readonly string[],
): Planned<RingChange> {
  const nodes = [
    ...ring.nodes.map((node) =>
      removed.includes(node.id) ? { ...node, state: 'draining' as const } : node,
    ),
    ...added.map((node) => ({ ...node, state: 'joining' as const })),
  ];
  const change = planRingChange(ring, nodes);
  return change.ok ? { ok: true, value: change.change } : failed(change.problems);
}

/** The ring with `shard` pinned to `nodeId` (or sent home, when that is its hashed owner). */
export function movedRing(ring: Ring, shard: number, nodeId: string): Planned<RingChange> {
  if (!Number.isSafeInteger(shard) || shard < 0 || shard >= ring.shardCount) {
    return {
      ok: false,
      error: `shard must be an integer in [0, ${ring.shardCount}), got ${shard}`,
    };
  }
  const node = ring.nodes.find((candidate) => candidate.id === nodeId);
  if (node === undefined || !ownsShards(node.state)) {
    const owning = ring.nodes.filter((n) => ownsShards(n.state)).map((n) => n.id);
    return {
      ok: false,
      error: `"${nodeId}" is not a node that owns shards (nodes: ${owning.join(', ')})`,
    };
  }
  if (ownerOf(ring, shard) === nodeId) {
    return { ok: false, error: `shard ${shard} is already on ${nodeId}` };
  }
  return overriddenRing(ring, { set: new Map([[shard, nodeId]]) });
}

/** The ring with the rebalancer's override change applied. */
export function overriddenRing(ring: Ring, change: OverrideChange): Planned<RingChange> {
  const result = planOverrideChange(ring, change);
  return result.ok ? { ok: true, value: result.change } : failed(result.problems);
}

/**
 * The settled ring: every copy done, joining nodes active, draining nodes gone. Only call it when
 * every copy of `ring` is finished (convergence.ts says `settle`).
 */
export function settledRing(ring: Ring): Planned<Ring> {
  let current = ring;
  if (current.migrations.length > 0) {
    const done = completeMigrations(current, current.migrations);
    if (!done.ok) return failed(done.problems);
    current = done.ring;
  }
  const nodes = current.nodes
    .filter((node) => node.state !== 'draining')
    .map((node) => (node.state === 'joining' ? { ...node, state: 'active' as const } : node));
  if (nodes.length === current.nodes.length && nodes.every((n, i) => n === current.nodes[i])) {
    return { ok: true, value: current };
  }
  const change = planRingChange(current, nodes);
  if (!change.ok) return failed(change.problems);
  // Joining and active nodes own shards alike, and drained nodes own none: nothing may move.
  const { moves, lost } = change.change;
  if (moves.length > 0 || lost.length > 0) {
    return {
      ok: false,
      error: `settling epoch ${ring.epoch} would move ${moves.length} shards and lose ${lost.length} copies; refusing`,
    };
  }
  return { ok: true, value: change.change.ring };
}

function failed(problems: readonly string[]): { ok: false; error: string } {
  return { ok: false, error: problems.join('; ') };
}
