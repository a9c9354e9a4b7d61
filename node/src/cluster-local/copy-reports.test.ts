import { describe, expect, it } from 'vitest';
import { ringNode, ringOf } from '../cluster/test-rings.ts';
import { copyProgress, parseNodeCopies } from './copy-reports.ts';
import { findListening } from './spawn-member.ts';

describe('copy reports', () => {
  const ring = ringOf({
    epoch: 5,
    shardCount: 16,
    nodes: [ringNode('a'), ringNode('b')],
    overrides: new Map([
      [1, 'b'],
      [2, 'b'],
    ]),
    migrations: [
      { shard: 1, from: 'a', to: 'b', startedEpoch: 5 },
      { shard: 2, from: 'a', to: 'b', startedEpoch: 5 },
    ],
  });
  const report = (state1: string, startedEpoch2: number) =>
    parseNodeCopies({
      node: 'b',
      ringEpoch: 5,
      migrations: [
        { shard: 1, from: 'a', to: 'b', startedEpoch: 5, state: state1, keys: 10, bytes: 100 },
        { shard: 2, from: 'a', to: 'b', startedEpoch: startedEpoch2, state: 'done', keys: 3 },
      ],
    })!;

  it('counts a copy finished only when its destination reports that very migration done', () => {
    expect(copyProgress(ring, [report('pulling', 5)])).toEqual({
      finished: new Set(['2/a']),
      keys: 13,
      bytes: 100,
    });
    // A report about an earlier copy of shard 2 (another startedEpoch) does not count.
    expect(copyProgress(ring, [report('done', 3)]).finished).toEqual(new Set(['1/a']));
    expect(parseNodeCopies({ node: 'b', migrations: [{ shard: 1 }] })).toBeUndefined();
  });

  it('finds the listening line among log lines', () => {
    const log = [
      '{"time":"t","level":"warn","msg":"cannot read the ring file"}',
      '{"event":"listening","node":"n","bind":"127.0.0.1","resp":1,"grpc":2,"admin":3,"pid":4}',
      '{"event":"listening","gateway":"g","resp":5',
    ].join('\n');
    expect(findListening(log)).toEqual({ pid: 4, resp: 1, admin: 3, grpc: 2 });
    expect(findListening('{"event":"listening","gateway":"g","resp":5')).toBeUndefined();
  });
});
