import { describe, expect, it } from 'vitest';
import { isMoved, parseMoved } from './reply-sink.ts';

describe('MOVED replies', () => {
  it('are recognised without allocating and parsed into shard and address', () => {
    const bytes = Buffer.from('xx-MOVED 1234 10.0.0.7:6379\r\n');
    expect(isMoved(bytes, 2, bytes.length)).toBe(true);
    expect(parseMoved(bytes, 2, bytes.length)).toEqual({
      shard: 1234,
      address: '10.0.0.7:6379',
      text: 'MOVED 1234 10.0.0.7:6379',
    });
    const other = Buffer.from('-MOVEDX\r\n');
    expect(isMoved(other, 0, other.length)).toBe(false);
    const wrong = Buffer.from('-ERR MOVED 1 a:1\r\n');
    expect(isMoved(wrong, 0, wrong.length)).toBe(false);
    const malformed = Buffer.from('-MOVED x y\r\n');
    expect(parseMoved(malformed, 0, malformed.length)).toBeUndefined();
  });
});
