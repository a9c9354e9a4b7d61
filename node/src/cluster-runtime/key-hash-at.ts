import { xxh64Low32 } from '../cluster/key-hash.ts';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * cluster/shard-of.ts's keyHash for a key given as a range of a larger buffer (a request's bytes),
 * without making a view of it: the same hash-tag rule (the bytes between the first `{` and the
 * first `}` after it, if not empty), the same XXH64. shard-of.test's vectors hold for it too
 * (key-hash-at.test.ts checks it against keyHash).
 */
export function keyHashAt(bytes: Uint8Array, start: number, end: number): number {
  const open = indexIn(bytes, OPEN_BRACE, start, end);
  if (open >= 0) {
    const close = indexIn(bytes, CLOSE_BRACE, open + 1, end);
    if (close > open + 1) return xxh64Low32(bytes, open + 1, close);
  }
  return xxh64Low32(bytes, start, end);
}

function indexIn(bytes: Uint8Array, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (bytes[i] === byte) return i;
  return -1;
}
