import { describe, expect, it } from 'vitest';
import { ARC_BLOCK_SIZE, readArcTrace } from './arc-reader.ts';
import { readLirsTrace } from './lirs-reader.ts';
import { chunked, collect } from './test-chunks.ts';
import { TraceFormatError } from './trace-error.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('readArcTrace', () => {
  it('expands each line into count consecutive blocks', async () => {
    const got = await collect(
      readArcTrace(chunked(text('5 3 0 0\n1 1 0 0\n\n9 0 0 0\n2 2 0 0'), 3), 'a.lis', 2),
    );
    expect(got.keys).toEqual([5, 6, 7, 1, 2, 3]);
    expect(got.timestamps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(got.sizes).toEqual(new Array(6).fill(ARC_BLOCK_SIZE));
  });

  it('rejects a line that is not start count', async () => {
    const error = await collect(
      readArcTrace(chunked(text('1 1 0 0\nx 2 0 0\n'), 64), 'a.lis', 8),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as Error).message).toMatch(/a\.lis:2: expected 'start count/);
  });
});

describe('readLirsTrace', () => {
  it('reads one block per line and skips * markers and blank lines', async () => {
    const got = await collect(
      readLirsTrace(chunked(text('3\n*\n4\n  \n3\r\n*\n'), 2), 's.trace', 2),
    );
    expect(got.keys).toEqual([3, 4, 3]);
    expect(got.timestamps).toEqual([0, 1, 2]);
    expect(got.sizes).toEqual([1, 1, 1]);
  });

  it('rejects a line that is not a block number', async () => {
    const error = await collect(readLirsTrace(chunked(text('1\n2x\n'), 64), 's.trace', 8)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as Error).message).toMatch(
      /s\.trace:2: expected a block number or '\*', found '2x'/,
    );
  });
});
