import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ChangeBatch } from './change-batch.ts';

type Op =
  { kind: 'put'; key: string; value: string } | { kind: 'delete'; key: string } | { kind: 'clear' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key: fc.constantFrom('a', 'b', 'c', 'd'),
      value: fc.string(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      key: fc.constantFrom('a', 'b', 'c', 'd'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

function record(batch: ChangeBatch, op: Op): void {
  if (op.kind === 'put') batch.put(op.key, Buffer.from(op.value), 0);
  else if (op.kind === 'delete') batch.delete(op.key);
  else batch.clear();
}

/** Applies a batch the way RocksDB does: the clear first, then the per-key changes. */
function applyBatch(state: Map<string, string>, batch: ChangeBatch): void {
  if (batch.cleared) state.clear();
  for (const [key, change] of batch.changes) {
    if (change === null) state.delete(key);
    else state.set(key, change.value.toString());
  }
}

function applyOps(state: Map<string, string>, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op.kind === 'put') state.set(op.key, op.value);
    else if (op.kind === 'delete') state.delete(op.key);
    else state.clear();
  }
}

describe('ChangeBatch', () => {
  it('keeps only the last change of a key', () => {
    const batch = new ChangeBatch();
    batch.put('k', Buffer.from('1'), 0);
    batch.put('k', Buffer.from('2'), 5);
    expect(batch.size).toBe(1);
    expect(batch.changes.get('k')).toEqual({ value: Buffer.from('2'), expireAt: 5 });
    batch.delete('k');
    expect(batch.changes.get('k')).toBeNull();
  });

  it('applies a clear before the changes recorded after it', () => {
    const batch = new ChangeBatch();
    batch.put('old', Buffer.from('x'), 0);
    batch.clear();
    batch.put('new', Buffer.from('y'), 0);
    expect(batch.cleared).toBe(true);
    expect([...batch.changes.keys()]).toEqual(['new']);
    expect(batch.size).toBe(2);
  });

  it('needs no deletion record after a clear', () => {
    const batch = new ChangeBatch();
    batch.clear();
    batch.put('k', Buffer.from('v'), 0);
    batch.delete('k');
    batch.delete('other');
    expect(batch.changes.size).toBe(0);
    expect(batch.isEmpty()).toBe(false);
  });

  it('coalesces any sequence into a batch that leaves the same state', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.string()),
        fc.array(opArb),
        (initial, ops) => {
          const expected = new Map(Object.entries(initial));
          applyOps(expected, ops);
          const batch = new ChangeBatch();
          for (const op of ops) record(batch, op);
          const actual = new Map(Object.entries(initial));
          applyBatch(actual, batch);
          expect(actual).toEqual(expected);
        },
      ),
    );
  });

  it('merges a failed batch under newer changes as if both had been written in order', () => {
    fc.assert(
      fc.property(fc.array(opArb), fc.array(opArb), (older, newer) => {
        const expected = new Map<string, string>([['z', 'kept unless cleared']]);
        applyOps(expected, [...older, ...newer]);
        const first = new ChangeBatch();
        for (const op of older) record(first, op);
        const second = new ChangeBatch();
        for (const op of newer) record(second, op);
        const actual = new Map<string, string>([['z', 'kept unless cleared']]);
        applyBatch(actual, first.mergeNewer(second));
        expect(actual).toEqual(expected);
      }),
    );
  });
});
