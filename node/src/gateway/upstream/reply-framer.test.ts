import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyFramer } from './reply-framer.ts';

const REPLIES = [
  '+OK\r\n',
  '-ERR wrong\r\n',
  ':42\r\n',
  ':-7\r\n',
  '$5\r\nhello\r\n',
  '$0\r\n\r\n',
  '$-1\r\n',
  '*-1\r\n',
  '*0\r\n',
  '*2\r\n$1\r\na\r\n$-1\r\n',
  '*2\r\n$1\r\n0\r\n*3\r\n$1\r\nx\r\n*1\r\n:1\r\n*0\r\n',
  '$6\r\na\r\nb\r\n\r\n',
  '*1\r\n*1\r\n*1\r\n+deep\r\n',
  // RESP3 (a connection that sent HELLO 3)
  '_\r\n',
  '*3\r\n$1\r\na\r\n_\r\n$1\r\nb\r\n',
  '%2\r\n$4\r\nsave\r\n$0\r\n\r\n$4\r\nport\r\n:6379\r\n',
  '%0\r\n',
  '~2\r\n+a\r\n+b\r\n',
  '=9\r\ntxt:a\r\nbc\r\n',
  ',3.25\r\n',
  ',-inf\r\n',
  '#t\r\n',
  '(3492890328409238509324850943850943825024385\r\n',
  '!11\r\nERR no\r\nway\r\n',
  '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n',
  '%1\r\n$1\r\nm\r\n%1\r\n$1\r\nk\r\n~1\r\n_\r\n',
  // An attribute is framed with the reply it precedes, at the top level or inside an aggregate.
  '|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n',
  '*2\r\n|1\r\n+a\r\n*1\r\n:1\r\n:2\r\n:3\r\n',
  '|0\r\n_\r\n',
];

/** Feeds `chunks` and collects every reply as text (copied at once, then checked again later). */
function frame(chunks: Buffer[]): { texts: string[]; views: [Buffer, number, number][] } {
  const framer = new ReplyFramer();
  const texts: string[] = [];
  const views: [Buffer, number, number][] = [];
  for (const chunk of chunks) {
    framer.feed(chunk);
    while (framer.next()) {
      texts.push(framer.buffer.toString('latin1', framer.start, framer.end));
      views.push([framer.buffer, framer.start, framer.end]);
    }
  }
  return { texts, views };
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const point of points) {
    chunks.push(Buffer.from(bytes.subarray(at, point)));
    at = point;
  }
  chunks.push(Buffer.from(bytes.subarray(at)));
  return chunks;
}

describe('ReplyFramer', () => {
  it('finds every reply of one chunk', () => {
    const { texts } = frame([Buffer.from(REPLIES.join(''), 'latin1')]);
    expect(texts).toEqual(REPLIES);
  });

  it('waits for the rest of a reply cut anywhere, however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...REPLIES), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (replies, cuts) => {
          const bytes = Buffer.from(replies.join(''), 'latin1');
          const { texts, views } = frame(split(bytes, cuts));
          expect(texts).toEqual(replies);
          // Bytes handed out are never overwritten afterwards (receivers keep views).
          expect(views.map(([b, s, e]) => b.toString('latin1', s, e))).toEqual(replies);
        },
      ),
    );
  });

  it('scans a large array arriving in many chunks', () => {
    const items = Array.from({ length: 5000 }, (_, i) => `$${String(i).length}\r\n${i}\r\n`);
    const reply = `*${items.length}\r\n${items.join('')}`;
    const bytes = Buffer.from(reply + '+OK\r\n', 'latin1');
    const chunks = split(
      bytes,
      Array.from({ length: 60 }, (_, i) => i * 733),
    );
    expect(frame(chunks).texts).toEqual([reply, '+OK\r\n']);
  });

  it('refuses bytes that are not a reply', () => {
    const framer = new ReplyFramer();
    framer.feed(Buffer.from('?what\r\n'));
    expect(() => framer.next()).toThrow(TypeError);
  });

  it('refuses streamed RESP3 aggregates and strings, which it could not frame', () => {
    for (const bytes of ['*?\r\n:1\r\n.\r\n', '$?\r\n;2\r\nab\r\n;0\r\n']) {
      const framer = new ReplyFramer();
      framer.feed(Buffer.from(bytes));
      expect(() => framer.next()).toThrow(TypeError);
    }
  });
});
