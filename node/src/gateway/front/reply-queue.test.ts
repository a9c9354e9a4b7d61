import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplyQueue } from './reply-queue.ts';

function drainText(queue: ReplyQueue): string[] {
  const out: string[] = [];
  queue.drain((buf, start, end) => out.push(buf.toString('latin1', start, end)));
  return out;
}

describe('ReplyQueue', () => {
  it('emits replies in request order whatever order they arrive in', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 200 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n })),
          ),
        ([n, arrival]) => {
          const queue = new ReplyQueue();
          const tags = Array.from({ length: n }, () => queue.reserve(0));
          const out: string[] = [];
          for (const i of arrival) {
            const text = Buffer.from(`+r${i}\r\n`);
            queue.fill(tags[i]!, text, 0, text.length);
            out.push(...drainText(queue));
          }
          expect(out).toEqual(Array.from({ length: n }, (_, i) => `+r${i}\r\n`));
          expect(queue.length).toBe(0);
        },
      ),
    );
  });

  it('says when the head is ready and keeps ranges and times through growth', () => {
    const queue = new ReplyQueue();
    const first = queue.reserve(1);
    const later = Array.from({ length: 40 }, (_, i) => queue.reserve(i + 2));
    const big = Buffer.from('xx:1\r\nyy');
    expect(queue.fill(later[0]!, big, 2, 6)).toBe(false);
    expect(queue.headReady).toBe(false);
    expect(queue.fill(first, big, 2, 6)).toBe(true);
    const times: number[] = [];
    queue.drain((_buf, _s, _e, time) => times.push(time));
    expect(times).toEqual([1, 2]);
    expect(queue.length).toBe(39);
  });

  it('ignores a fill for a tag already drained', () => {
    const queue = new ReplyQueue();
    const tag = queue.reserve(0);
    queue.fill(tag, Buffer.from('+a\r\n'), 0, 4);
    drainText(queue);
    expect(queue.fill(tag, Buffer.from('+b\r\n'), 0, 4)).toBe(false);
  });
});
