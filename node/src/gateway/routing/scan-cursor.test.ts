import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextScanCursor, parseScanCursor } from './scan-cursor.ts';

describe('composite SCAN cursors', () => {
  it('round-trips a node position', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1023 }), fc.bigInt({ min: 1n, max: 2n ** 53n }), (node, cursor) => {
        const next = nextScanCursor(node, cursor, 1024);
        expect(parseScanCursor(next)).toEqual({ nodeIndex: node, nodeCursor: cursor });
      }),
    );
  });

  it('moves to the next node when a node is done, and ends after the last', () => {
    expect(parseScanCursor('0')).toEqual({ nodeIndex: 0, nodeCursor: 0n });
    expect(nextScanCursor(0, 0n, 3)).toBe('1');
    expect(parseScanCursor('1')).toEqual({ nodeIndex: 1, nodeCursor: 0n });
    expect(nextScanCursor(2, 0n, 3)).toBe('0');
  });

  it('walks every node to the end', () => {
    // Three fake nodes whose own walks take 3, 1 and 2 steps.
    const steps = [3, 1, 2];
    let cursor = '0';
    const visited: string[] = [];
    do {
      const { nodeIndex, nodeCursor } = parseScanCursor(cursor)!;
      visited.push(`${nodeIndex}:${nodeCursor}`);
      const next = nodeCursor + 1n >= BigInt(steps[nodeIndex]!) ? 0n : nodeCursor + 1n;
      cursor = nextScanCursor(nodeIndex, next, steps.length);
    } while (cursor !== '0');
    expect(visited).toEqual(['0:0', '0:1', '0:2', '1:0', '2:0', '2:1']);
  });

  it('parses like Redis and refuses what Redis refuses', () => {
    expect(parseScanCursor('')).toEqual({ nodeIndex: 0, nodeCursor: 0n });
    expect(parseScanCursor('abc')).toBeUndefined();
    expect(parseScanCursor('18446744073709551616')).toBeUndefined();
    expect(parseScanCursor('-1')?.nodeIndex).toBe(1023);
  });
});
