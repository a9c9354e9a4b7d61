import { describe, expect, it } from 'vitest';
import { encodeMessage, PubSubHub, Subscriptions } from './pubsub-hub.ts';
import type { Subscriber } from './pubsub-hub.ts';

/** A subscriber that keeps the frames it is sent, as latin1 text. */
function listener(resp3 = false): Subscriber & { frames: string[] } {
  const frames: string[] = [];
  return { resp3, frames, push: (frame) => frames.push(frame.toString('latin1')) };
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('PubSubHub', () => {
  it('delivers to channel subscribers, then to each matching pattern, and counts receivers', () => {
    const hub = new PubSubHub();
    const a = listener();
    const b = listener(true);
    hub.subscribe('channel', 'news', a);
    hub.subscribe('pattern', 'n*', a);
    hub.subscribe('pattern', 'x*', b);
    hub.subscribe('channel', 'news', b);
    expect(hub.publish('news', bytes('hi'))).toBe(3);
    expect(a.frames).toEqual([
      '*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n',
      '*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n',
    ]);
    expect(b.frames).toEqual(['>3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n']);
    expect(hub.publish('other', bytes('x'))).toBe(0);
    expect(hub.delivered).toBe(3);
  });

  it('keeps shard channels apart from channels and patterns', () => {
    const hub = new PubSubHub();
    const a = listener();
    hub.subscribe('shard', 's', a);
    hub.subscribe('pattern', '*', a);
    expect(hub.publish('s', bytes('m'), true)).toBe(1);
    expect(a.frames).toEqual(['*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nm\r\n']);
    expect(hub.count('channel', 's')).toBe(0);
    expect(hub.count('shard', 's')).toBe(1);
  });

  it('is binary-safe in channel names and messages', () => {
    const hub = new PubSubHub();
    const a = listener();
    const name = '\x00\xff\r\n';
    hub.subscribe('channel', name, a);
    expect(hub.publish(name, Buffer.from([0, 13, 10, 255]))).toBe(1);
    expect(Buffer.from(a.frames[0]!, 'latin1')).toEqual(
      Buffer.concat([
        bytes('*3\r\n$7\r\nmessage\r\n$4\r\n\x00\xff\r\n\r\n$4\r\n'),
        Buffer.from([0, 13, 10, 255]),
        bytes('\r\n'),
      ]),
    );
  });

  it('subscribes once per name and forgets names without subscribers', () => {
    const hub = new PubSubHub();
    const a = listener();
    expect(hub.subscribe('channel', 'c', a)).toBe(true);
    expect(hub.subscribe('channel', 'c', a)).toBe(false);
    expect(hub.publish('c', bytes('m'))).toBe(1);
    expect(hub.size('channel')).toBe(1);
    expect(hub.unsubscribe('channel', 'c', a)).toBe(true);
    expect(hub.unsubscribe('channel', 'c', a)).toBe(false);
    expect(hub.size('channel')).toBe(0);
    expect(hub.names('channel')).toEqual([]);
  });

  it('lists names by glob and drops everything of a subscriber that leaves', () => {
    const hub = new PubSubHub();
    const a = listener();
    const b = listener();
    const subs = new Subscriptions();
    for (const name of ['news.uk', 'news.fr', 'sport']) {
      hub.subscribe('channel', name, a);
      subs.channel.add(name);
    }
    hub.subscribe('pattern', 'p*', a);
    subs.pattern.add('p*');
    hub.subscribe('channel', 'sport', b);
    expect(hub.names('channel', 'news.*').sort()).toEqual(['news.fr', 'news.uk']);
    expect(subs.classic).toBe(4);
    hub.dropAll(a, subs);
    expect(subs.active).toBe(false);
    expect(hub.names('channel')).toEqual(['sport']);
    expect(hub.size('pattern')).toBe(0);
  });

  it('encodes frames in either protocol', () => {
    expect(encodeMessage(false, ['a', bytes('bc')]).toString('latin1')).toBe(
      '*2\r\n$1\r\na\r\n$2\r\nbc\r\n',
    );
    expect(encodeMessage(true, []).toString('latin1')).toBe('>0\r\n');
  });

  it('tells its observer when a name gains its first subscriber and loses its last', () => {
    const events: string[] = [];
    const hub = new PubSubHub({
      first: (kind, name) => events.push(`+${kind}:${name}`),
      last: (kind, name) => events.push(`-${kind}:${name}`),
    });
    const a = listener();
    const b = listener();
    hub.subscribe('channel', 'c', a);
    hub.subscribe('channel', 'c', b);
    hub.subscribe('pattern', 'p*', b);
    hub.unsubscribe('channel', 'c', a);
    const subs = new Subscriptions();
    subs.channel.add('c');
    subs.pattern.add('p*');
    hub.dropAll(b, subs);
    expect(events).toEqual(['+channel:c', '+pattern:p*', '-channel:c', '-pattern:p*']);
  });

  it('delivers what a node matched to the subscribers of that one name', () => {
    const hub = new PubSubHub();
    const a = listener();
    const b = listener(true);
    hub.subscribe('pattern', 'n*', a);
    hub.subscribe('pattern', '*', b);
    hub.subscribe('channel', 'news', b);
    // A pmessage for `n*` goes to n*'s subscribers only, not to `*`'s or the channel's.
    expect(hub.deliver('pattern', 'n*', bytes('news'), bytes('m'))).toBe(1);
    expect(hub.deliver('shard', 'news', bytes('news'), bytes('m'))).toBe(0);
    expect(a.frames).toEqual(['*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$1\r\nm\r\n']);
    expect(b.frames).toEqual([]);
  });
});
