import fc from 'fast-check';

import type { NodeState, Ring, RingNode, ShardMigration } from './ring.ts';
import { createRing } from './ring-document.ts';
import { ownerOf } from './ring-owners.ts';

/** Test helpers: ring nodes and valid random rings for the property tests of this folder. */

/** A node with addresses derived from its id. */
export function ringNode(id: string, weight = 1, state: NodeState = 'active'): RingNode {
  return {
    id,
    address: `${id}.mlcache:6379`,
    grpcAddress: `${id}.mlcache:7379`,
    adminAddress: `${id}.mlcache:9379`,
    weight,
    state,
  };
}

/** Builds a ring, failing the test on invalid input. */
export function ringOf(fields: Parameters<typeof createRing>[0]): Ring {
  const result = createRing(fields);
  if (!result.ok) throw new Error(`invalid test ring:\n${result.problems.join('\n')}`);
  return result.ring;
}

export const nodeIdArb = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,15}$/);

export const stateArb = fc.constantFrom<NodeState>('active', 'active', 'joining', 'draining');

/** 1–`max` nodes with unique ids, random weights and states, at least one owning shards. */
export const nodesArb = (max = 8): fc.Arbitrary<RingNode[]> =>
  fc
    .uniqueArray(fc.tuple(nodeIdArb, fc.integer({ min: 1, max: 4 }), stateArb), {
      minLength: 1,
      maxLength: max,
      selector: ([id]) => id,
    })
    .map((rows) =>
      rows.map(([id, weight, state], i) => ringNode(id, weight, i === 0 ? 'active' : state)),
    );

/** A valid ring with random overrides and pending migrations; small shard counts keep it fast. */
export const ringArb = (shardCounts: readonly number[] = [16, 64, 256]): fc.Arbitrary<Ring> =>
  fc
    .record({
      epoch: fc.nat({ max: 1000 }),
      shardCount: fc.constantFrom(...shardCounts),
      loadFactor: fc.constantFrom(1.1, 1.25, 1),
      nodes: nodesArb(),
      picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 12 }),
      migrationPicks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 12 }),
    })
    .map(({ epoch, shardCount, loadFactor, nodes, picks, migrationPicks }) => {
      const owning = nodes.filter((node) => node.state !== 'draining');
      const overrides = new Map(
        picks.map(([shard, node]) => [shard % shardCount, owning[node % owning.length]!.id]),
      );
      const base = ringOf({ epoch, shardCount, loadFactor, nodes, overrides });
      const migrations = new Map<string, ShardMigration>();
      for (const [shard, source, started] of migrationPicks) {
        const s = shard % shardCount;
        const to = ownerOf(base, s);
        const from = nodes[source % nodes.length]!.id;
        if (from !== to) {
          migrations.set(`${s}/${from}`, {
            shard: s,
            from,
            to,
            startedEpoch: started % (epoch + 1),
          });
        }
      }
      return ringOf({ ...base, migrations: [...migrations.values()] });
    });
