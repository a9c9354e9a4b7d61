import { describe, expect, it } from 'vitest';
import { parseReplies } from './reply-parser.ts';
import { ReplyWriter } from './reply-writer.ts';

function written(write: (writer: ReplyWriter) => void, slabSize?: number): string {
  const writer = new ReplyWriter(slabSize);
  write(writer);
  return writer.take()?.toString('latin1') ?? '';
}

describe('ReplyWriter', () => {
  it('writes every reply type', () => {
    expect(written((w) => w.ok())).toBe('+OK\r\n');
    expect(written((w) => w.simple('PONG'))).toBe('+PONG\r\n');
    expect(written((w) => w.error('ERR syntax error'))).toBe('-ERR syntax error\r\n');
    expect(written((w) => w.nullBulk())).toBe('$-1\r\n');
    expect(written((w) => w.nullArray())).toBe('*-1\r\n');
    expect(written((w) => w.bulk(Buffer.from('hello')))).toBe('$5\r\nhello\r\n');
    expect(written((w) => w.bulk(Buffer.from('hello world'), 6, 11))).toBe('$5\r\nworld\r\n');
    expect(written((w) => w.bulkLatin1('k\xff'))).toBe('$2\r\nk\xff\r\n');
    expect(written((w) => w.bulkUtf8('é'))).toBe('$2\r\n\xc3\xa9\r\n');
    expect(written((w) => w.arrayHeader(3))).toBe('*3\r\n');
  });

  it('writes integers digit by digit', () => {
    for (const value of [
      0,
      1,
      7,
      10,
      99,
      100,
      12345,
      999999,
      1000000,
      -1,
      -2,
      -98765,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
    ]) {
      expect(written((w) => w.integer(value))).toBe(`:${value}\r\n`);
    }
    expect(written((w) => w.integer(9223372036854775807n))).toBe(':9223372036854775807\r\n');
    expect(written((w) => w.integer(-9223372036854775808n))).toBe(':-9223372036854775808\r\n');
  });

  it('replaces CR and LF in error texts so the stream stays valid', () => {
    expect(written((w) => w.error("ERR unknown command 'a\r\nb'"))).toBe(
      "-ERR unknown command 'a  b'\r\n",
    );
  });

  it('counts error replies', () => {
    const writer = new ReplyWriter();
    writer.ok();
    writer.error('ERR a');
    writer.error('ERR b');
    expect(writer.errors).toBe(2);
  });

  it('hands out each batch once and keeps earlier views intact when it grows', () => {
    const writer = new ReplyWriter(64);
    writer.bulk(Buffer.alloc(40, 'a'));
    const first = writer.take();
    writer.bulk(Buffer.alloc(100, 'b'));
    writer.ok();
    const second = writer.take();
    expect(first?.toString()).toBe(`$40\r\n${'a'.repeat(40)}\r\n`);
    expect(second?.toString()).toBe(`$100\r\n${'b'.repeat(100)}\r\n+OK\r\n`);
    expect(writer.take()).toBeUndefined();
  });

  it('takes a prefix of the pending bytes', () => {
    const writer = new ReplyWriter();
    writer.ok();
    writer.integer(5);
    expect(writer.take(5)?.toString()).toBe('+OK\r\n');
    expect(writer.take()?.toString()).toBe(':5\r\n');
  });

  it('produces replies that parse back (many across slabs)', () => {
    const writer = new ReplyWriter(128);
    const chunks: Buffer[] = [];
    for (let i = 0; i < 500; i++) {
      writer.arrayHeader(2);
      writer.integer(i * 7919);
      writer.bulkLatin1(`key:${i}`);
      if (i % 10 === 0) chunks.push(writer.take() ?? Buffer.alloc(0));
    }
    chunks.push(writer.take() ?? Buffer.alloc(0));
    const { values } = parseReplies(Buffer.concat(chunks));
    expect(values).toHaveLength(500);
    expect(values[499]).toEqual([499 * 7919, Buffer.from('key:499')]);
  });

  it('validates the slab size', () => {
    expect(() => new ReplyWriter(1)).toThrow(RangeError);
  });
});
