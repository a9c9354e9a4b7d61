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

  it('writes nulls, maps, sets and verbatim text in RESP2 shapes by default', () => {
    expect(written((w) => w.nullBulk())).toBe('$-1\r\n');
    expect(written((w) => w.nullArray())).toBe('*-1\r\n');
    expect(written((w) => w.mapHeader(2))).toBe('*4\r\n');
    expect(written((w) => w.mapHeader(0))).toBe('*0\r\n');
    expect(written((w) => w.setHeader(3))).toBe('*3\r\n');
    expect(written((w) => w.verbatim('a: é\r\n'))).toBe('$7\r\na: \xc3\xa9\r\n\r\n');
  });

  it('writes them in RESP3 when resp3 is set, and nothing else changes', () => {
    const resp3 = (write: (writer: ReplyWriter) => void) =>
      written((w) => {
        w.resp3 = true;
        write(w);
      });
    expect(resp3((w) => w.nullBulk())).toBe('_\r\n');
    expect(resp3((w) => w.nullArray())).toBe('_\r\n');
    expect(resp3((w) => w.mapHeader(2))).toBe('%2\r\n');
    expect(resp3((w) => w.mapHeader(0))).toBe('%0\r\n');
    expect(resp3((w) => w.setHeader(3))).toBe('~3\r\n');
    // The length counts the 4 bytes of `txt:` and the text's UTF-8 bytes.
    expect(resp3((w) => w.verbatim('a: é\r\n'))).toBe('=11\r\ntxt:a: \xc3\xa9\r\n\r\n');
    expect(resp3((w) => w.verbatim(''))).toBe('=4\r\ntxt:\r\n');
    expect(resp3((w) => w.verbatim('# x', 'mkd'))).toBe('=7\r\nmkd:# x\r\n');
    expect(() => resp3((w) => w.verbatim('x', 'text'))).toThrow(RangeError);
    expect(
      resp3((w) => {
        w.ok();
        w.simple('PONG');
        w.error('ERR x');
        w.integer(-7);
        w.arrayHeader(2);
        w.bulk(Buffer.from('v'));
        w.bulkLatin1('k');
        w.bulkUtf8('é');
      }),
    ).toBe('+OK\r\n+PONG\r\n-ERR x\r\n:-7\r\n*2\r\n$1\r\nv\r\n$1\r\nk\r\n$2\r\n\xc3\xa9\r\n');
  });

  it('switches protocol between replies of one batch (a shared writer, HELLO in a pipeline)', () => {
    const writer = new ReplyWriter();
    writer.nullBulk();
    writer.resp3 = true;
    writer.nullBulk();
    writer.mapHeader(1);
    writer.bulkLatin1('k');
    writer.nullBulk();
    writer.resp3 = false;
    writer.mapHeader(1);
    expect(writer.take()?.toString('latin1')).toBe('$-1\r\n_\r\n%1\r\n$1\r\nk\r\n_\r\n*2\r\n');
  });

  it('writes large verbatim text across slabs', () => {
    const writer = new ReplyWriter(64);
    writer.resp3 = true;
    writer.ok();
    const first = writer.take();
    const text = 'line\r\n'.repeat(100);
    writer.verbatim(text);
    expect(first?.toString()).toBe('+OK\r\n');
    expect(writer.take()?.toString()).toBe(`=${text.length + 4}\r\ntxt:${text}\r\n`);
  });

  it('produces RESP3 replies that parse back to their RESP2 values', () => {
    const write = (w: ReplyWriter) => {
      w.mapHeader(2);
      w.bulkLatin1('a');
      w.nullBulk();
      w.bulkLatin1('b');
      w.setHeader(1);
      w.integer(1);
      w.verbatim('text');
      w.nullArray();
    };
    const resp2 = parseReplies(Buffer.from(written(write), 'latin1')).values;
    const resp3 = parseReplies(
      Buffer.from(
        written((w) => {
          w.resp3 = true;
          write(w);
        }),
        'latin1',
      ),
    ).values;
    expect(resp3).toEqual(resp2);
    expect(resp3).toEqual([
      [Buffer.from('a'), null, Buffer.from('b'), [1]],
      Buffer.from('text'),
      null,
    ]);
  });

  it('validates the slab size', () => {
    expect(() => new ReplyWriter(1)).toThrow(RangeError);
  });
});
