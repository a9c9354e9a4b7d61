import { describe, expect, it } from 'vitest';
import { ownerOf } from '../cluster/ring-owners.ts';
import { ringNode, ringOf } from '../cluster/test-rings.ts';
import { mergeLoads, parseNodeLoad } from './load-reports.ts';

describe('load reports', () => {
  it('reads /v1/load and sums shard rates across nodes, deriving node rates from the ring', () => {
    const ring = ringOf({ epoch: 3, shardCount: 16, nodes: [ringNode('a'), ringNode('b')] });
    const a = parseNodeLoad({
      node: 'a',
      ringEpoch: 3,
      requestRate: 12,
      shards: [
        { shard: 1, rate: 10, role: 'owned' },
        { shard: 2, rate: 2, role: 'foreign' },
      ],
    });
    const b = parseNodeLoad({ node: 'b', requestRate: 5, shards: [{ shard: 2, rate: 5 }] });
    expect(a?.rate).toBe(12);
    const { shardRates, nodeRates } = mergeLoads(ring, [a!, b!]);
    expect([shardRates[1], shardRates[2]]).toEqual([10, 7]);
    const expected = new Map([
      ['a', 0],
      ['b', 0],
    ]);
    expected.set(ownerOf(ring, 1), 10);
    expected.set(ownerOf(ring, 2), (expected.get(ownerOf(ring, 2)) ?? 0) + 7);
    expect(nodeRates).toEqual(expected);
    expect(parseNodeLoad({ shards: [{ shard: '1' }] })).toBeUndefined();
    expect(parseNodeLoad('nope')).toBeUndefined();
  });
});
