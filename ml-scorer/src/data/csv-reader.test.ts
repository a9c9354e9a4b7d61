import { describe, expect, it } from 'vitest';
import { readCsvTrace } from './csv-reader.ts';
import { hashString53 } from './key-hash.ts';
import { chunked, collect } from './test-chunks.ts';
import { TraceFormatError } from './trace-error.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (s: string, chunkSize = 1 << 16, batchSize = 4) =>
  collect(readCsvTrace(chunked(text(s), chunkSize), 'test.csv', batchSize));

describe('readCsvTrace', () => {
  const trace = 'timestamp,key,size\n0,1,512\n1,2,100\n2,1,512\n5,-7,1\n6,3,2\n';

  it('reads timestamp, key and size columns', async () => {
    const got = await read(trace);
    expect(got.timestamps).toEqual([0, 1, 2, 5, 6]);
    expect(got.keys).toEqual([1, 2, 1, -7, 3]);
    expect(got.sizes).toEqual([512, 100, 512, 1, 2]);
    expect(got.ttls).toBeNull();
    expect(got.nextAccess).toBeNull();
  });

  it('gives the same requests wherever the chunks split', async () => {
    const whole = await read(trace);
    for (let chunkSize = 1; chunkSize <= 12; chunkSize++) {
      expect(await read(trace, chunkSize, 2)).toEqual(whole);
    }
  });

  it('finds columns by name, defaults size to 1 and timestamp to the index, ignores extras', async () => {
    const got = await read('op,key\r\nget,10\r\nset,11\r\n');
    expect(got.keys).toEqual([10, 11]);
    expect(got.sizes).toEqual([1, 1]);
    expect(got.timestamps).toEqual([0, 1]);
  });

  it('reads an optional ttl column, empty meaning none', async () => {
    const got = await read('timestamp,key,size,ttl\n0,1,1,30\n1,2,1,\n');
    expect(got.ttls).toEqual([30, 0]);
  });

  it('reads the last line without a newline', async () => {
    expect((await read('key\n1\n2')).keys).toEqual([1, 2]);
  });

  it('hashes keys that are strings or beyond 2^53, consistently', async () => {
    const got = await read('key\nabc_5_m\n8756849942801480528\nabc_5_m\n9007199254740991\n');
    expect(got.keys[0]).toBe(hashString53('abc_5_m'));
    expect(got.keys[1]).toBe(hashString53('8756849942801480528'));
    expect(got.keys[2]).toBe(got.keys[0]);
    expect(got.keys[3]).toBe(9007199254740991);
    expect(Number.isSafeInteger(got.keys[1])).toBe(true);
  });

  it.each([
    ['timestamp,key,size\n0,1,512\n1,2\n', 3, /expected 3 comma-separated fields, found 2/],
    ['timestamp,key,size\n0,1,big\n', 2, /size 'big' is not a number/],
    ['timestamp,key,size\n0,1,-4\n', 2, /non-negative/],
    ['timestamp,key,size\nnow,1,1\n', 2, /timestamp 'now' is not a number/],
    ['timestamp,key,size\n0,,1\n', 2, /empty key/],
    ['timestamp,id,size\n0,1,1\n', 1, /must name a 'key' column/],
    ['key,ttl\n1,-3\n', 2, /ttl '-3'/],
  ])('rejects malformed input with the line number: %j', async (input, line, message) => {
    const error = await read(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceFormatError);
    expect((error as TraceFormatError).line).toBe(line);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`test.csv:${line}:`);
  });
});
