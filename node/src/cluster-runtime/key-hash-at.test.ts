import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyHash } from '../cluster/shard-of.ts';
import { keyHashAt } from './key-hash-at.ts';

describe('keyHashAt', () => {
  it('hashes a range of a buffer as keyHash hashes the key alone, hash tags included', () => {
    const keyBytes = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes));
    const tagged = fc
      .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }))
      .map(([a, tag, b]) => Buffer.from(`${a}{${tag}}${b}`, 'latin1'));
    fc.assert(
      fc.property(fc.oneof(keyBytes, tagged), keyBytes, keyBytes, (key, before, after) => {
        const buffer = Buffer.concat([before, key, after]);
        const start = before.length;
        expect(keyHashAt(buffer, start, start + key.length)).toBe(keyHash(key));
      }),
    );
  });

  it('does not look past the end of the range for a closing brace', () => {
    const buffer = Buffer.from('a{bc}d', 'latin1');
    expect(keyHashAt(buffer, 0, 3)).toBe(keyHash(Buffer.from('a{b')));
  });
});
