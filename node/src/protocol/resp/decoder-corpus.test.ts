import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RespRequestDecoder } from './decoder.ts';
import { RespProtocolError } from './errors.ts';
import { NEED_MORE } from './types.ts';

/**
 * Replays the malformed-input corpus (node/test/fixtures/resp-fuzz) against the decoder and
 * checks it against what a real redis-server did with the same bytes: the same error text when
 * Redis closed the connection, no error when it kept waiting, one command per other reply.
 */
const CORPUS = join(import.meta.dirname, '../../../test/fixtures/resp-fuzz');
const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as Record<
  string,
  { reply: string; closed: boolean }
>;

function replay(chunks: readonly Buffer[]): { commands: number; error: string | undefined } {
  const decoder = new RespRequestDecoder();
  let commands = 0;
  try {
    for (const chunk of chunks) {
      decoder.feed(chunk);
      while (decoder.next() !== NEED_MORE) commands++;
    }
  } catch (error) {
    // Anything but a RespProtocolError fails the test by propagating.
    if (!(error instanceof RespProtocolError)) throw error;
    return { commands, error: error.reply };
  }
  return { commands, error: undefined };
}

function splits(input: Buffer): Buffer[][] {
  const out: Buffer[][] = [[input]];
  if (input.length <= 512) {
    out.push([...input].map((byte) => Buffer.from([byte])));
    for (let at = 1; at < input.length; at++) out.push([input.subarray(0, at), input.subarray(at)]);
  } else {
    for (let k = 1; k < 64; k++) {
      const at = Math.floor((input.length * k) / 64);
      out.push([input.subarray(0, at), input.subarray(at)]);
    }
  }
  return out;
}

describe('decoder against the Redis-recorded corpus', () => {
  it('has cases', () => {
    expect(Object.keys(manifest).length).toBeGreaterThan(20);
  });

  for (const [name, redis] of Object.entries(manifest)) {
    it(`matches redis-server on ${name}`, () => {
      const lines = redis.reply.split('\r\n').filter((line) => line !== '');
      const expected = {
        commands: lines.filter((line) => !line.startsWith('-')).length,
        error: redis.closed ? lines.at(-1)?.slice(1) : undefined,
      };
      const input = readFileSync(join(CORPUS, `${name}.resp`));
      for (const chunks of splits(input)) expect(replay(chunks)).toEqual(expected);
    });
  }
});
