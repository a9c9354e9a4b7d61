import { describe, expect, it } from 'vitest';
import { RequestFifo } from './request-fifo.ts';
import type { ReplySink } from './reply-sink.ts';

const sink: ReplySink = { onReply: () => {}, onMoved: () => {} };

function unsent(fifo: RequestFifo): string[] {
  const texts: string[] = [];
  fifo.drainUnsent((buf, start, end) => texts.push(buf.toString('latin1', start, end)));
  return texts;
}

describe('RequestFifo', () => {
  it('puts a handshake ahead of the requests queued while connecting', () => {
    const fifo = new RequestFifo();
    // More than the initial capacity, so that the ring grows with the head moved back.
    const queued = Array.from({ length: 100 }, (_, i) => `r${i}`);
    for (const [i, text] of queued.entries()) fifo.push(sink, i, Buffer.from(text), 0, 2, 1);
    fifo.pushFront(sink, -1, Buffer.from('HELLO'), 0, 5, 1);
    expect(fifo.length).toBe(101);
    expect(fifo.headSent).toBe(false);
    expect(unsent(fifo)).toEqual(['HELLO', ...queued.map((text) => text.slice(0, 2))]);
    expect(fifo.headTag).toBe(-1);
    fifo.shift();
    expect(fifo.headTag).toBe(0);
    fifo.push(sink, 100, Buffer.from('late'), 0, 4, 1);
    expect(unsent(fifo)).toEqual(['late']);
  });

  it('refuses a handshake once requests were written', () => {
    const fifo = new RequestFifo();
    fifo.push(sink, 0, Buffer.from('GET'), 0, 3, 1);
    unsent(fifo);
    expect(() => fifo.pushFront(sink, 1, Buffer.from('AUTH'), 0, 4, 1)).toThrow(RangeError);
  });

  it('forgets requests failed before they were written, so a later flush sends only new ones', () => {
    // A link that went down while connecting fails what it queued (shift without a write).
    const fifo = new RequestFifo();
    fifo.push(sink, 0, Buffer.from('SET'), 0, 3, 1);
    fifo.push(sink, 1, Buffer.from('GET'), 0, 3, 1);
    fifo.shift();
    fifo.shift();
    expect(fifo.length).toBe(0);
    expect(fifo.unsentLength).toBe(0);
    fifo.push(sink, 2, Buffer.from('PING'), 0, 4, 1);
    expect(fifo.headSent).toBe(false);
    expect(unsent(fifo)).toEqual(['PING']);
    expect(fifo.headSent).toBe(true);
  });
});
