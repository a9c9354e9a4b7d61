import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { assignShards } from './assign.ts';
import {
  createRing,
  parseRingDocument,
  ringToJson,
  serializeRingDocument,
} from './ring-document.ts';
import { migrationsOf, ownerOf, ownerTable } from './ring-owners.ts';
import { ringArb, ringNode, ringOf } from './test-rings.ts';

const VALID = {
  schemaVersion: 1,
  epoch: 7,
  shardCount: 16,
  loadFactor: 1.1,
  nodes: [ringNode('node-0'), ringNode('node-1'), ringNode('node-2', 2, 'joining')],
  overrides: { '3': 'node-2' },
  migrations: [],
};

/** VALID with some fields replaced, as text. */
const variant = (patch: Record<string, unknown>) => JSON.stringify({ ...VALID, ...patch });

function problemsOf(text: string): readonly string[] {
  const result = parseRingDocument(text);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('parseRingDocument', () => {
  it('accepts a valid document and normalises it', () => {
    const result = parseRingDocument(
      JSON.stringify({ ...VALID, nodes: [...VALID.nodes].reverse() }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.ring.nodes.map((n) => n.id)).toEqual(['node-0', 'node-1', 'node-2']);
    expect(result.ring.overrides).toEqual(new Map([[3, 'node-2']]));
    expect(serializeRingDocument(result.ring)).toBe(`${JSON.stringify(VALID, null, 2)}\n`);
  });

  it.each([
    ['{"schemaVersion": 1,', /^\(document\): not valid JSON/],
    ['[1, 2]', /^\(root\): must be a JSON object$/],
    [variant({ schemaVersion: 2 }), /^schemaVersion: unsupported 2, this build reads 1$/],
    [variant({ epoch: 7.5 }), /^epoch: must be an integer in \[0, \d+\]$/],
    [variant({ epoch: -1 }), /^epoch: must be an integer/],
    [variant({ epoch: '7' }), /^epoch: must be an integer/],
    [variant({ shardCount: 1000 }), /^shardCount: must be a power of two in \[1, 65536\]$/],
    [variant({ shardCount: 131072 }), /^shardCount: must be a power of two/],
    [variant({ loadFactor: 0.9 }), /^loadFactor: must be a finite number >= 1$/],
    [variant({ colour: 'red' }), /^colour: unknown field$/],
    [JSON.stringify({ ...VALID, epoch: undefined }), /^epoch: is required$/],
    [variant({ nodes: [] }), /^nodes: must list at least one node$/],
    [
      variant({ nodes: [ringNode('a', 1, 'draining')], overrides: {} }),
      /^nodes: at least one node must be active or joining$/,
    ],
    [
      variant({ nodes: [ringNode('node-0'), ringNode('node-0')], overrides: {} }),
      /^nodes\[1\]\.id: duplicate node id "node-0"$/,
    ],
    [
      variant({ nodes: [{ ...ringNode('x'), id: '-x' }], overrides: {} }),
      /^nodes\[0\]\.id: must be 1-253 chars/,
    ],
    [
      variant({ nodes: [{ ...ringNode('x'), weight: 0 }], overrides: {} }),
      /^nodes\[0\]\.weight: must be a finite number > 0$/,
    ],
    [
      variant({ nodes: [{ ...ringNode('x'), state: 'gone' }], overrides: {} }),
      /^nodes\[0\]\.state: must be one of active, joining, draining$/,
    ],
    [
      variant({ nodes: [{ ...ringNode('x'), address: 'x:0' }], overrides: {} }),
      /^nodes\[0\]\.address: must be host:port, port 1-65535$/,
    ],
    [
      variant({ nodes: [{ ...ringNode('x'), grpcAddress: 'x' }], overrides: {} }),
      /^nodes\[0\]\.grpcAddress: must be host:port/,
    ],
    [
      variant({ nodes: [{ ...ringNode('x'), port: 1 }], overrides: {} }),
      /^nodes\[0\]\.port: unknown field$/,
    ],
    [variant({ overrides: { '3': 'node-9' } }), /^overrides\["3"\]: unknown node "node-9"$/],
    [
      variant({ overrides: { '16': 'node-1' } }),
      /^overrides\["16"\]: shard must be an integer in \[0, 15\]$/,
    ],
    [variant({ overrides: { '03': 'node-1' } }), /^overrides\["03"\]: shard must be an integer/],
    [
      variant({
        overrides: { '3': 'node-2' },
        nodes: [ringNode('node-1'), ringNode('node-2', 1, 'draining')],
      }),
      /^overrides\["3"\]: node "node-2" is draining$/,
    ],
    [
      variant({ migrations: [{ shard: 1, from: 'node-9', to: 'node-1', startedEpoch: 7 }] }),
      /^migrations\[0\]\.from: unknown node "node-9"$/,
    ],
    [
      variant({ migrations: [{ shard: 16, from: 'node-0', to: 'node-1', startedEpoch: 7 }] }),
      /^migrations\[0\]\.shard: must be an integer in \[0, 15\]$/,
    ],
    [
      variant({ migrations: [{ shard: 1, from: 'node-0', to: 'node-1', startedEpoch: 8 }] }),
      /^migrations\[0\]\.startedEpoch: must be an integer in \[0, 7\]$/,
    ],
    [
      variant({ migrations: [{ shard: 1, from: 'node-1', to: 'node-1', startedEpoch: 7 }] }),
      /^migrations\[0\]: from and to must differ$/,
    ],
    [
      variant({ migrations: [{ shard: 3, from: 'node-0', to: 'node-1', startedEpoch: 7 }] }),
      /^migrations\[0\]\.to: must be the shard's owner "node-2", not "node-1"$/,
    ],
  ])('refuses %s', (text, expected) => {
    const problems = problemsOf(text);
    expect(
      problems.some((problem) => expected.test(problem)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('lists every problem, each with its path', () => {
    const problems = problemsOf(
      variant({
        epoch: 1.5,
        shardCount: 3,
        nodes: [ringNode('a'), { ...ringNode('b'), weight: -1 }],
        overrides: { '2': 'c' },
        migrations: [{ shard: 0, from: 'a', to: 'a' }],
      }),
    );
    expect(problems).toEqual([
      'epoch: must be an integer in [0, 9007199254740991]',
      'shardCount: must be a power of two in [1, 65536]',
      'nodes[1].weight: must be a finite number > 0',
      'overrides["2"]: unknown node "c"',
      'migrations[0].startedEpoch: is required',
      'migrations[0]: from and to must differ',
    ]);
  });

  it('never throws, whatever the text', () => {
    const valid = JSON.stringify(VALID);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string())
            .map(([a, b, s]) => valid.slice(0, Math.min(a, b)) + s + valid.slice(Math.max(a, b))),
        ),
        (text) => {
          const result = parseRingDocument(text);
          expect(result.ok || result.problems.length > 0).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('serializeRingDocument', () => {
  it('round-trips: parse(serialize(ring)) is the same ring, and the text is stable', () => {
    fc.assert(
      fc.property(ringArb(), (ring) => {
        const text = serializeRingDocument(ring);
        const parsed = parseRingDocument(text);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.ring).toEqual(ring);
        expect(serializeRingDocument(parsed.ring)).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it('writes keys in schema order whatever the order of the input', () => {
    const ring = ringOf({ epoch: 1, shardCount: 16, nodes: [ringNode('b'), ringNode('a')] });
    expect(Object.keys(ringToJson(ring))).toEqual([
      'schemaVersion',
      'epoch',
      'shardCount',
      'loadFactor',
      'nodes',
      'overrides',
      'migrations',
    ]);
    const shuffled = JSON.parse(serializeRingDocument(ring)) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(shuffled).reverse());
    const reparsed = parseRingDocument(JSON.stringify(reordered));
    expect(reparsed.ok && serializeRingDocument(reparsed.ring)).toBe(serializeRingDocument(ring));
  });
});

describe('ownerOf', () => {
  it('is the override if any, else the assignment over active and joining nodes', () => {
    const nodes = [ringNode('a'), ringNode('b', 2, 'joining'), ringNode('c', 1, 'draining')];
    const ring = ringOf({ epoch: 3, shardCount: 64, nodes, overrides: new Map([[5, 'a']]) });
    const hashed = assignShards(nodes.slice(0, 2), 64, 1.1);
    for (let shard = 0; shard < 64; shard++) {
      const expected = shard === 5 ? 'a' : nodes[hashed[shard]!]!.id;
      expect(ownerOf(ring, shard)).toBe(expected);
    }
    expect(() => ownerOf(ring, 64)).toThrow(RangeError);
  });

  it('computes the owner table once per ring', () => {
    const ring = ringOf({ epoch: 0, nodes: [ringNode('a'), ringNode('b')] });
    expect(ownerTable(ring)).toBe(ownerTable(ring));
    expect(ownerTable(ring).owners).toHaveLength(4096);
  });

  it('lists the migrations of a shard, newest source first', () => {
    const base = ringOf({
      epoch: 9,
      shardCount: 16,
      nodes: [ringNode('a'), ringNode('b'), ringNode('c')],
    });
    const owner = ownerOf(base, 0);
    const [x, y] = ['a', 'b', 'c'].filter((id) => id !== owner) as [string, string];
    const result = createRing({
      ...base,
      migrations: [
        { shard: 0, from: x, to: owner, startedEpoch: 4 },
        { shard: 0, from: y, to: owner, startedEpoch: 8 },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(migrationsOf(result.ring, 0).map((m) => m.from)).toEqual([y, x]);
    expect(migrationsOf(result.ring, 1)).toEqual([]);
  });
});
