import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../cluster/shard-of.ts';
import { keyShardAt } from './key-shard.ts';

describe('keyShardAt', () => {
  it('agrees with the ring shardOf for any key, inside any surrounding bytes', () => {
    const keyArb = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .tuple(
          fc.string({ maxLength: 5 }),
          fc.string({ maxLength: 5 }),
          fc.string({ maxLength: 5 }),
        )
        .map(([a, b, c]) => Buffer.from(`${a}{${b}}${c}`, 'latin1')),
    );
    fc.assert(
      fc.property(
        keyArb,
        fc.uint8Array({ maxLength: 8 }),
        fc.constantFrom(16, 4096),
        (key, pad, count) => {
          const bytes = Buffer.concat([pad, key, pad]);
          const start = pad.length;
          const got = keyShardAt(bytes, start, start + key.length, count - 1);
          expect(got).toBe(shardOf(Buffer.from(key), count));
        },
      ),
    );
  });

  it('hashes only a non-empty hash tag', () => {
    const at = (key: string): number => keyShardAt(Buffer.from(key), 0, key.length, 4095);
    expect(at('user:{42}:profile')).toBe(at('user:{42}:cart'));
    expect(at('{}x')).toBe(shardOf('{}x'));
  });
});
