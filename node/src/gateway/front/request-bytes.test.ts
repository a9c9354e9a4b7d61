import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RespRequestDecoder } from '../../protocol/resp/decoder.ts';
import { encodeCommand } from '../../protocol/resp/encoder.ts';
import { NEED_MORE } from '../../protocol/resp/types.ts';
import { encodeArgs, encodeParts, locateRequest } from './request-bytes.ts';
import type { RawRequest } from './request-bytes.ts';

/** Decodes `chunks` and returns each request's bytes as locateRequest gives them. */
function located(chunks: Buffer[]): { bytes: string; inPlace: boolean }[] {
  const decoder = new RespRequestDecoder();
  const out: { bytes: string; inPlace: boolean }[] = [];
  const into: RawRequest = { buf: Buffer.alloc(0), start: 0, end: 0 };
  for (const chunk of chunks) {
    decoder.feed(chunk);
    while (decoder.next() !== NEED_MORE) {
      locateRequest(decoder.args, chunk, into);
      out.push({
        bytes: into.buf.toString('latin1', into.start, into.end),
        inPlace: into.buf === chunk,
      });
    }
  }
  return out;
}

const argsArb = fc.array(fc.uint8Array({ maxLength: 30 }), { minLength: 1, maxLength: 6 });

describe('locateRequest', () => {
  it('finds each request of a pipeline in place', () => {
    fc.assert(
      fc.property(fc.array(argsArb, { minLength: 1, maxLength: 10 }), (commands) => {
        const wire = commands.map((args) => encodeCommand(args.map((a) => Buffer.from(a))));
        const result = located([Buffer.concat(wire)]);
        expect(result.map((r) => r.bytes)).toEqual(wire.map((w) => w.toString('latin1')));
        expect(result.every((r) => r.inPlace)).toBe(true);
      }),
    );
  });

  it('re-encodes requests cut by a chunk boundary and inline commands', () => {
    const set = encodeCommand(['SET', 'k', 'v']);
    const result = located([set.subarray(0, 7), set.subarray(7), Buffer.from('GET "a b"\r\n')]);
    expect(result).toEqual([
      { bytes: set.toString('latin1'), inPlace: false },
      { bytes: encodeCommand(['GET', 'a b']).toString('latin1'), inPlace: false },
    ]);
  });
});

describe('encodeArgs / encodeParts', () => {
  it('replaces one argument', () => {
    const decoder = new RespRequestDecoder();
    decoder.feed(encodeCommand(['SCAN', '123', 'COUNT', '5']));
    decoder.next();
    expect(encodeArgs(decoder.args, 1, Buffer.from('7')).toString()).toBe(
      encodeCommand(['SCAN', '7', 'COUNT', '5']).toString(),
    );
  });

  it('builds a command from parts', () => {
    expect(encodeParts('DEL', [Buffer.from('a'), Buffer.from('')]).toString()).toBe(
      encodeCommand(['DEL', 'a', '']).toString(),
    );
  });
});
