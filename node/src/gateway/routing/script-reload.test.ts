import { describe, expect, it } from 'vitest';
import { ScriptBodies } from './script-bodies.ts';
import { evalRequestFor, isNoScript, ScriptReloadSink } from './script-reload-sink.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('ScriptBodies', () => {
  it('keeps copies, forgets the least recently used past its count or bytes, and all on clear', () => {
    const bodies = new ScriptBodies(2, 10);
    const body = bytes('return 1');
    bodies.remember('a', body);
    body.fill(0x20);
    expect(bodies.get('a')?.toString()).toBe('return 1');
    bodies.remember('b', bytes('x'));
    bodies.remember('a', bytes('return 1'));
    bodies.remember('c', bytes('y'));
    // 'b' was the least recently used.
    expect([bodies.get('a') !== undefined, bodies.get('b'), bodies.get('c')?.toString()]).toEqual([
      true,
      undefined,
      'y',
    ]);
    // 8 more bytes: 17 past the bound of 10, so the oldest ('a') goes, and 9 bytes stay.
    bodies.remember('d', bytes('12345678'));
    expect([bodies.size, bodies.get('a'), bodies.get('d')?.toString()]).toEqual([
      2,
      undefined,
      '12345678',
    ]);
    bodies.remember('huge', bytes('x'.repeat(11)));
    expect(bodies.get('huge')).toBeUndefined();
    bodies.clear();
    expect(bodies.size).toBe(0);
  });
});

describe('ScriptReloadSink', () => {
  class Recorder implements ReplySink {
    readonly replies: string[] = [];
    readonly moved: string[] = [];
    onReply(_tag: number, data: Buffer, start: number, end: number): void {
      this.replies.push(data.toString('latin1', start, end));
    }
    onMoved(_tag: number, moved: MovedReply): void {
      this.moved.push(moved.text);
    }
  }

  it('sends the body again as EVAL on NOSCRIPT, and passes anything else on', () => {
    const inner = new Recorder();
    const sent: string[] = [];
    let reloads = 0;
    const args = ['EVALSHA', 'abc', '1', 'k', 'v'].map(bytes);
    const sink = new ScriptReloadSink(
      inner,
      () => evalRequestFor(args, bytes('return 1')),
      (to, tag, request) => {
        sent.push(request.toString('latin1'));
        to.onReply(tag, bytes(':1\r\n'), 0, 4);
      },
      () => reloads++,
    );
    const noscript = bytes('-NOSCRIPT No matching script. Please use EVAL.\r\n');
    sink.onReply(3, noscript, 0, noscript.length);
    expect(sent).toEqual([
      '*5\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n1\r\n$1\r\nk\r\n$1\r\nv\r\n',
    ]);
    expect(inner.replies).toEqual([':1\r\n']);
    expect(reloads).toBe(1);
    const other = bytes('-ERR something else\r\n');
    sink.onReply(4, other, 0, other.length);
    expect(inner.replies).toEqual([':1\r\n', '-ERR something else\r\n']);
    expect(evalRequestFor(['evalsha_ro', 'abc', '0'].map(bytes), bytes('x')).toString()).toBe(
      '*3\r\n$7\r\nEVAL_RO\r\n$1\r\nx\r\n$1\r\n0\r\n',
    );
    expect(isNoScript(bytes('-NOSCRIPT'), 0, 9)).toBe(false);
  });
});
