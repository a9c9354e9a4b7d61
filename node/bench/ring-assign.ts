/**
 * Shard assignment figures: balance (max/mean) and movement when a node joins or leaves, for
 * plain HRW and for HRW with bounded loads, plus the time to build an owner table.
 *
 *   node node/bench/ring-assign.ts [trials=20] [shardCount=4096]
 *
 * Node ids are random per trial (seeded), equal weights. "moved" is the fraction of shards whose
 * owner changes, "between" the fraction that moves between two nodes that both stay.
 */
import { assignShards, DEFAULT_LOAD_FACTOR } from '../src/cluster/assign.ts';
import type { AssignNode } from '../src/cluster/assign.ts';
import { createRandom } from '../src/util/random.ts';

const trials = Number(process.argv[2] ?? 20);
const shardCount = Number(process.argv[3] ?? 4096);
const random = createRandom(7);

function randomNodes(count: number): AssignNode[] {
  return Array.from({ length: count }, () => ({
    id: `node-${random.int(1e9).toString(36)}-${random.int(1e9).toString(36)}`,
    weight: 1,
  }));
}

function maxOverMean(owners: Int32Array, count: number): number {
  const load = new Int32Array(count);
  for (const owner of owners) load[owner]!++;
  return Math.max(...load) / (owners.length / count);
}

/** Fraction of shards that change owner, and of those that move between two staying nodes. */
function movement(
  before: Int32Array,
  beforeNodes: AssignNode[],
  after: Int32Array,
  afterNodes: AssignNode[],
): { moved: number; between: number } {
  const staying = new Set(
    beforeNodes.map((n) => n.id).filter((id) => afterNodes.some((n) => n.id === id)),
  );
  let moved = 0;
  let between = 0;
  for (let s = 0; s < before.length; s++) {
    const from = beforeNodes[before[s]!]!.id;
    const to = afterNodes[after[s]!]!.id;
    if (from === to) continue;
    moved++;
    if (staying.has(from) && staying.has(to)) between++;
  }
  return { moved: moved / before.length, between: between / before.length };
}

for (const factor of [Infinity, DEFAULT_LOAD_FACTOR]) {
  console.log(`\nloadFactor ${factor}, ${shardCount} shards, ${trials} trials per N`);
  console.log(
    'N\tmax/mean(worst)\tadd: moved(mean,max) 1/(N+1)\tbetween(max)\tremove: moved(mean,max) 1/N\tbetween(max)\toverflow(max)\tms/table',
  );
  for (const n of [2, 3, 4, 5, 8, 12, 16, 24, 32]) {
    let worst = 0;
    let addMoved = 0;
    let addMax = 0;
    let addBetween = 0;
    let removeMoved = 0;
    let removeMax = 0;
    let removeBetween = 0;
    let ms = 0;
    let overflow = 0;
    for (let t = 0; t < trials; t++) {
      const nodes = randomNodes(n);
      const started = performance.now();
      const owners = assignShards(nodes, shardCount, factor);
      ms += performance.now() - started;
      worst = Math.max(worst, maxOverMean(owners, n));
      const first = assignShards(nodes, shardCount, Infinity);
      overflow = Math.max(overflow, owners.filter((o, s) => o !== first[s]).length / shardCount);
      const grown = [...nodes, ...randomNodes(1)];
      const add = movement(owners, nodes, assignShards(grown, shardCount, factor), grown);
      addMoved += add.moved;
      addMax = Math.max(addMax, add.moved);
      addBetween = Math.max(addBetween, add.between);
      const shrunk = nodes.filter((_, i) => i !== t % n);
      const remove = movement(owners, nodes, assignShards(shrunk, shardCount, factor), shrunk);
      removeMoved += remove.moved;
      removeMax = Math.max(removeMax, remove.moved);
      removeBetween = Math.max(removeBetween, remove.between);
    }
    const f = (x: number) => x.toFixed(3);
    console.log(
      [
        n,
        f(worst),
        `${f(addMoved / trials)} ${f(addMax)} ${f(1 / (n + 1))}`,
        f(addBetween),
        `${f(removeMoved / trials)} ${f(removeMax)} ${f(1 / n)}`,
        f(removeBetween),
        f(overflow),
        (ms / trials).toFixed(1),
      ].join('\t'),
    );
  }
}
