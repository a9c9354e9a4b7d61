import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RespRequestDecoder } from './decoder.ts';
import type { RespRequestDecoderOptions } from './decoder.ts';
import { encodeCommand, encodePipeline } from './encoder.ts';
import { RespProtocolError } from './errors.ts';
import { NEED_MORE } from './types.ts';

interface Outcome {
  commands: string[][];
  /** The protocol error's reply text, if the stream broke. */
  error?: string;
}

/** Feeds `chunks` in order and collects the commands (latin1) and the protocol error, if any. */
function decode(
  chunks: readonly Buffer[],
  options?: RespRequestDecoderOptions,
  unauthenticated = false,
): Outcome {
  const decoder = new RespRequestDecoder(options);
  decoder.unauthenticated = unauthenticated;
  const commands: string[][] = [];
  try {
    for (const chunk of chunks) {
      decoder.feed(chunk);
      for (let count = decoder.next(); count !== NEED_MORE; count = decoder.next()) {
        expect(count).toBe(decoder.args.count);
        const args: string[] = [];
        for (let i = 0; i < count; i++) args.push(decoder.args.latin1(i));
        commands.push(args);
      }
    }
  } catch (error) {
    if (!(error instanceof RespProtocolError)) throw error;
    return { commands, error: error.reply };
  }
  return { commands };
}

/** The same input fed whole, byte by byte, and split in two at every offset. */
function chunkings(input: Buffer): Buffer[][] {
  const out: Buffer[][] = [[input]];
  out.push([...input].map((byte) => Buffer.from([byte])));
  for (let at = 1; at < input.length; at++) out.push([input.subarray(0, at), input.subarray(at)]);
  return out;
}

function expectEveryChunking(
  input: Buffer,
  expected: Outcome,
  options?: RespRequestDecoderOptions,
): void {
  for (const chunks of chunkings(input)) {
    expect(
      decode(chunks, options),
      `chunks: ${chunks.map((c) => JSON.stringify(c.toString('latin1'))).join(' | ')}`,
    ).toEqual(expected);
  }
}

const SAMPLES: readonly { name: string; input: string; expected: Outcome }[] = [
  {
    name: 'one array command',
    input: '*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n',
    expected: { commands: [['GET', 'key']] },
  },
  {
    name: 'a pipeline',
    input:
      '*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n',
    expected: { commands: [['PING'], ['SET', 'k', 'va\r\nl'], ['PING']] },
  },
  {
    name: 'an empty bulk',
    input: '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n',
    expected: { commands: [['ECHO', '']] },
  },
  {
    name: 'empty arrays are skipped',
    input: '*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n',
    expected: { commands: [['PING']] },
  },
  { name: 'an inline command', input: 'SET k v\r\n', expected: { commands: [['SET', 'k', 'v']] } },
  {
    name: 'inline with LF only',
    input: 'PING\nPING\n',
    expected: { commands: [['PING'], ['PING']] },
  },
  {
    name: 'inline blank lines are skipped',
    input: '\r\n\n  \r\nPING\r\n',
    expected: { commands: [['PING']] },
  },
  {
    name: 'inline quotes and escapes',
    input: 'SET "a b" \'c\\\'d\' "\\x41\\n"\r\n',
    expected: { commands: [['SET', 'a b', "c'd", 'A\n']] },
  },
  {
    name: 'inline then array',
    input: 'PING\r\n*1\r\n$4\r\nPING\r\n',
    expected: { commands: [['PING'], ['PING']] },
  },
  {
    name: 'bulk CRLF is skipped unchecked, as Redis does',
    input: '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n',
    expected: { commands: [['PING'], ['PING']] },
  },
  {
    name: 'binary bytes in a bulk',
    input: '*2\r\n$4\r\nECHO\r\n$4\r\n\x00\xff\r\n\r\n',
    expected: { commands: [['ECHO', '\x00\xff\r\n']] },
  },
  {
    name: 'invalid multibulk length',
    input: '*x\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid multibulk length' },
  },
  {
    name: 'multibulk leading zero',
    input: '*01\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid multibulk length' },
  },
  {
    name: 'multibulk plus sign',
    input: '*+1\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid multibulk length' },
  },
  {
    name: 'multibulk empty',
    input: '*\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid multibulk length' },
  },
  {
    name: 'multibulk over INT_MAX',
    input: '*2147483648\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid multibulk length' },
  },
  {
    name: 'expected $',
    input: '*1\r\n$4\r\nPING\r\n*1\r\n:4\r\n',
    expected: { commands: [['PING']], error: "ERR Protocol error: expected '$', got ':'" },
  },
  {
    name: 'negative bulk length',
    input: '*1\r\n$-1\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid bulk length' },
  },
  {
    name: 'bulk length junk',
    input: '*1\r\n$4a\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid bulk length' },
  },
  {
    name: 'bulk length over proto-max-bulk-len',
    input: '*1\r\n$536870913\r\n',
    expected: { commands: [], error: 'ERR Protocol error: invalid bulk length' },
  },
  {
    name: 'unbalanced double quotes',
    input: 'PING\r\nSET "a b\r\n',
    expected: { commands: [['PING']], error: 'ERR Protocol error: unbalanced quotes in request' },
  },
  {
    name: 'closing quote not followed by a space',
    input: 'SET "a"b\r\n',
    expected: { commands: [], error: 'ERR Protocol error: unbalanced quotes in request' },
  },
];

describe('RespRequestDecoder', () => {
  for (const sample of SAMPLES) {
    it(`decodes ${sample.name} in every chunking`, () => {
      expectEveryChunking(Buffer.from(sample.input, 'latin1'), sample.expected);
    });
  }

  it('keeps arguments as views of the chunk when a request fits in it', () => {
    const decoder = new RespRequestDecoder();
    const chunk = encodeCommand(['SET', 'key', 'value']);
    decoder.feed(chunk);
    expect(decoder.next()).toBe(3);
    expect(decoder.args.buffer).toBe(chunk);
    expect(decoder.args.view(2).buffer).toBe(chunk.buffer);
  });

  it('copies only when a request spans chunks, then returns to zero-copy', () => {
    const decoder = new RespRequestDecoder();
    const whole = encodeCommand(['SET', 'key', 'value']);
    decoder.feed(whole.subarray(0, 10));
    expect(decoder.next()).toBe(NEED_MORE);
    decoder.feed(whole.subarray(10));
    expect(decoder.next()).toBe(3);
    expect(decoder.args.latin1(2)).toBe('value');
    expect(decoder.next()).toBe(NEED_MORE);
    const next = encodeCommand(['GET', 'key']);
    decoder.feed(next);
    expect(decoder.next()).toBe(2);
    expect(decoder.args.buffer).toBe(next);
  });

  it('assembles a large value from many chunks', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 'x');
    const input = encodeCommand(['SET', 'big', value]);
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; at += 65536) chunks.push(input.subarray(at, at + 65536));
    const decoder = new RespRequestDecoder();
    let count: number = NEED_MORE;
    for (const chunk of chunks) {
      decoder.feed(chunk);
      count = decoder.next();
    }
    expect(count).toBe(3);
    expect(decoder.args.view(2).equals(value)).toBe(true);
  });

  it('decodes 10,000 pipelined commands', () => {
    const commands = Array.from({ length: 10_000 }, (_, i) => ['SET', `key:${i}`, `value:${i}`]);
    const input = encodePipeline(commands);
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; at += 1000) chunks.push(input.subarray(at, at + 1000));
    expect(decode(chunks).commands).toEqual(commands);
  });

  it('applies a configured bulk limit', () => {
    expectEveryChunking(
      encodeCommand(['SET', 'k', '12345']),
      { commands: [['SET', 'k', '12345']] },
      { maxBulkLength: 5 },
    );
    expectEveryChunking(
      encodeCommand(['SET', 'k', '123456']),
      { commands: [], error: 'ERR Protocol error: invalid bulk length' },
      { maxBulkLength: 5 },
    );
  });

  it('applies a configured array limit', () => {
    expect(decode([encodeCommand(['MGET', 'a', 'b'])], { maxArrayLength: 2 })).toEqual({
      commands: [],
      error: 'ERR Protocol error: invalid multibulk length',
    });
  });

  it('applies the query buffer limit to an unfinished request', () => {
    const input = encodeCommand(['SET', 'k', Buffer.alloc(2000)]);
    expect(
      decode([input.subarray(0, 1000), input.subarray(1000)], { maxQueryBuffer: 1500 }),
    ).toEqual({
      commands: [],
      error: 'ERR Protocol error: too big query buffer',
    });
  });

  it("applies Redis's limits to clients that have not authenticated", () => {
    const many = encodeCommand(['MGET', ...Array.from({ length: 10 }, (_, i) => `k${i}`)]);
    expect(decode([many], {}, true).error).toBe(
      'ERR Protocol error: unauthenticated multibulk length',
    );
    const big = encodeCommand(['AUTH', Buffer.alloc(16 * 1024 + 1)]);
    expect(decode([big], {}, true).error).toBe('ERR Protocol error: unauthenticated bulk length');
    expect(decode([encodeCommand(['AUTH', 'secret'])], {}, true).commands).toEqual([
      ['AUTH', 'secret'],
    ]);
  });

  it('refuses header lines and inline requests over 64 KiB without a line end', () => {
    const long = Buffer.alloc(64 * 1024 + 1, '1');
    expect(decode([Buffer.concat([Buffer.from('*'), long])]).error).toBe(
      'ERR Protocol error: too big mbulk count string',
    );
    expect(decode([Buffer.concat([Buffer.from('*1\r\n$'), long])]).error).toBe(
      'ERR Protocol error: too big bulk count string',
    );
    expect(decode([Buffer.alloc(64 * 1024 + 1, 'a')]).error).toBe(
      'ERR Protocol error: too big inline request',
    );
    // Exactly 64 KiB still waits for more, as in Redis.
    expect(decode([Buffer.alloc(64 * 1024, 'a')])).toEqual({ commands: [] });
  });

  it('keeps throwing the same error after a protocol error', () => {
    const decoder = new RespRequestDecoder();
    decoder.feed(Buffer.from('*x\r\n'));
    expect(() => decoder.next()).toThrow(RespProtocolError);
    expect(() => decoder.feed(Buffer.from('*1\r\n$4\r\nPING\r\n'))).toThrow(RespProtocolError);
  });

  it('validates its limits at construction', () => {
    expect(() => new RespRequestDecoder({ maxBulkLength: 0 })).toThrow(RangeError);
  });

  it('round-trips any encoded commands under any chunking (property)', () => {
    const arg = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes));
    const command = fc.array(arg, { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (commands, cuts) => {
          const input = encodePipeline(commands);
          const offsets = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let previous = 0;
          for (const offset of [...offsets, input.length]) {
            chunks.push(input.subarray(previous, offset));
            previous = offset;
          }
          const decoded = decode(chunks);
          expect(decoded.error).toBeUndefined();
          expect(decoded.commands).toEqual(
            commands.map((args) => args.map((b) => b.toString('latin1'))),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws anything but RespProtocolError on arbitrary bytes (property)', () => {
    const noise = fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes));
    // Bias towards RESP-looking input so that the deeper states are reached.
    const respish = fc
      .array(
        fc.constantFrom(
          '*',
          '$',
          '\r',
          '\n',
          '\r\n',
          '1',
          '2',
          '-',
          '0',
          '9',
          'a',
          '"',
          "'",
          ' ',
          '\\',
          'x',
          '*2\r\n',
          '$3\r\n',
        ),
        {
          maxLength: 60,
        },
      )
      .map((parts) => Buffer.from(parts.join(''), 'latin1'));
    fc.assert(
      fc.property(fc.oneof(noise, respish), fc.integer({ min: 1, max: 7 }), (input, step) => {
        const chunks: Buffer[] = [];
        for (let at = 0; at < input.length; at += step) chunks.push(input.subarray(at, at + step));
        const whole = decode([input]);
        expect(decode(chunks)).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });
});
