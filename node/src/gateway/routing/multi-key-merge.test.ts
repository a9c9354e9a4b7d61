import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupByOwner } from './key-groups.ts';
import { MultiKeyMerge } from './multi-key-merge.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const add = (merge: MultiKeyMerge, positions: number[], text: string): void => {
  const bytes = b(`xx${text}yy`);
  merge.add(positions, bytes, 2, 2 + text.length);
};

describe('groupByOwner', () => {
  it('groups positions by owner in order of first appearance, ascending within', () => {
    expect(groupByOwner([2, 0, 2, 1, 0])).toEqual([
      { owner: 2, positions: [0, 2] },
      { owner: 0, positions: [1, 4] },
      { owner: 1, positions: [3] },
    ]);
  });
});

describe('MultiKeyMerge', () => {
  it('puts MGET values back in request order whatever the split and arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (owners, reverse) => {
          const groups = groupByOwner(owners);
          const merge = new MultiKeyMerge('mget', owners.length);
          const value = (i: number): string => (i % 3 === 0 ? '$-1\r\n' : `$2\r\nv${i % 10}\r\n`);
          for (const group of reverse ? [...groups].reverse() : groups) {
            add(
              merge,
              group.positions,
              `*${group.positions.length}\r\n${group.positions.map(value).join('')}`,
            );
          }
          const expected = `*${owners.length}\r\n${owners.map((_, i) => value(i)).join('')}`;
          expect(merge.result().toString('latin1')).toBe(expected);
        },
      ),
    );
  });

  it("merges RESP3 parts (the client's protocol) as they are, nulls included", () => {
    const merge = new MultiKeyMerge('mget', 3);
    add(merge, [1], '*1\r\n_\r\n');
    add(merge, [0, 2], '*2\r\n$1\r\na\r\n_\r\n');
    expect(merge.result().toString()).toBe('*3\r\n$1\r\na\r\n_\r\n_\r\n');
    const failed = new MultiKeyMerge('count', 2);
    add(failed, [0], '!5\r\nERR x\r\n');
    add(failed, [1], ':1\r\n');
    expect(failed.result().toString()).toBe('!5\r\nERR x\r\n');
  });

  it('sums counts, needs every OK, and keeps the first error', () => {
    const count = new MultiKeyMerge('count', 3);
    add(count, [0, 2], ':2\r\n');
    add(count, [1], ':1\r\n');
    expect(count.result().toString()).toBe(':3\r\n');

    const mset = new MultiKeyMerge('mset', 2);
    add(mset, [0], '+OK\r\n');
    add(mset, [1], '+OK\r\n');
    expect(mset.result().toString()).toBe('+OK\r\n');

    const failed = new MultiKeyMerge('mget', 2);
    add(failed, [0], '-CLUSTERDOWN node a is unreachable\r\n');
    add(failed, [1], '*1\r\n$1\r\nx\r\n');
    add(failed, [1], '-OTHER\r\n');
    expect(failed.result().toString()).toBe('-CLUSTERDOWN node a is unreachable\r\n');
  });

  it('refuses a part reply of the wrong shape', () => {
    const merge = new MultiKeyMerge('mget', 2);
    add(merge, [0, 1], '*1\r\n$1\r\nx\r\n');
    expect(merge.result().toString()).toMatch(/^-ERR unexpected reply/);
  });
});
