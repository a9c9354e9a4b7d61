import { describe, expect, it } from 'vitest';
import { CommandHarness } from '../testing/command-harness.ts';
import type { Session } from '../session.ts';

/** Points a session's messages at an array (the connection points them at its socket). */
function capture(session: Session): string[] {
  const frames: string[] = [];
  session.push = (frame) => frames.push(frame.toString('latin1'));
  return frames;
}

const CONTEXT_ERROR = (name: string): string =>
  `-ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET ` +
  'are allowed in this context\r\n';

describe('SUBSCRIBE and PUBLISH', () => {
  it('confirms each channel with the running count and delivers messages', () => {
    const h = new CommandHarness();
    const subscriber = h.session;
    const frames = capture(subscriber);
    expect(h.wire('SUBSCRIBE', 'a', 'b', 'a')).toBe(
      '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n' +
        '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n',
    );
    const publisher = h.connect();
    expect(h.runAs(publisher, 'PUBLISH', 'a', 'hello')).toBe(1);
    expect(h.runAs(publisher, 'PUBLISH', 'zzz', 'hello')).toBe(0);
    expect(frames).toEqual(['*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n']);
  });

  it('limits a subscribed RESP2 connection to the Pub/Sub commands, PING and QUIT', () => {
    const h = new CommandHarness();
    h.wire('SUBSCRIBE', 'a');
    expect(h.wire('GET', 'x')).toBe(CONTEXT_ERROR('get'));
    expect(h.wire('PUBSUB', 'NUMPAT')).toBe(CONTEXT_ERROR('pubsub|numpat'));
    // Arity is checked first, as Redis does.
    expect(h.wire('SUBSCRIBE')).toBe("-ERR wrong number of arguments for 'subscribe' command\r\n");
    expect(h.wire('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(h.wire('PING', 'hi')).toBe('*2\r\n$4\r\npong\r\n$2\r\nhi\r\n');
    expect(h.wire('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n');
    expect(h.wire('GET', 'x')).toBe('$-1\r\n');
    expect(h.wire('PING')).toBe('+PONG\r\n');
  });

  it('lets a RESP3 connection run anything while subscribed, with push confirmations', () => {
    const h = new CommandHarness();
    h.wire('HELLO', '3');
    expect(h.wire('SUBSCRIBE', 'a')).toBe('>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n');
    expect(h.wire('GET', 'x')).toBe('_\r\n');
    expect(h.wire('UNSUBSCRIBE', 'a', 'b')).toBe(
      '>3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n>3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n',
    );
    expect(h.wire('PUNSUBSCRIBE')).toBe('>3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n');
  });

  it('unsubscribes from everything, oldest first, or answers null when there is nothing', () => {
    const h = new CommandHarness();
    expect(h.wire('UNSUBSCRIBE')).toBe('*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n');
    h.wire('SUBSCRIBE', 'x', 'y');
    h.wire('PSUBSCRIBE', 'p*');
    expect(h.wire('UNSUBSCRIBE')).toBe(
      '*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\ny\r\n:1\r\n',
    );
    // A pattern not subscribed still reports the count left.
    expect(h.wire('PUNSUBSCRIBE', 'q*')).toBe('*3\r\n$12\r\npunsubscribe\r\n$2\r\nq*\r\n:1\r\n');
    expect(h.wire('PUNSUBSCRIBE')).toBe('*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n');
  });

  it('sends pattern messages with the pattern, and counts shard channels apart', () => {
    const h = new CommandHarness();
    const frames = capture(h.session);
    expect(h.wire('PSUBSCRIBE', 'news.*')).toBe(
      '*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n',
    );
    expect(h.wire('SSUBSCRIBE', 's1')).toBe('*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n');
    const other = h.connect();
    expect(h.runAs(other, 'PUBLISH', 'news.uk', 'rain')).toBe(1);
    expect(h.runAs(other, 'SPUBLISH', 's1', 'm')).toBe(1);
    // A shard message never reaches patterns.
    expect(h.runAs(other, 'SPUBLISH', 'news.fr', 'm')).toBe(0);
    expect(frames).toEqual([
      '*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$7\r\nnews.uk\r\n$4\r\nrain\r\n',
      '*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\nm\r\n',
    ]);
    expect(h.wire('SUNSUBSCRIBE')).toBe('*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n');
  });

  it('answers PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB and HELP', () => {
    const h = new CommandHarness();
    const a = h.connect();
    const b = h.connect();
    h.wireAs(a, 'SUBSCRIBE', 'news.uk', 'sport');
    h.wireAs(b, 'SUBSCRIBE', 'sport');
    h.wireAs(b, 'PSUBSCRIBE', 'x*', 'y*');
    h.wireAs(a, 'PSUBSCRIBE', 'x*');
    h.wireAs(a, 'SSUBSCRIBE', 'shard');
    expect((h.run('PUBSUB', 'CHANNELS') as string[]).sort()).toEqual(['news.uk', 'sport']);
    expect(h.run('PUBSUB', 'CHANNELS', 'n*')).toEqual(['news.uk']);
    expect(h.run('PUBSUB', 'NUMSUB', 'sport', 'news.uk', 'none')).toEqual([
      'sport',
      2,
      'news.uk',
      1,
      'none',
      0,
    ]);
    expect(h.run('PUBSUB', 'NUMSUB')).toEqual([]);
    expect(h.run('PUBSUB', 'NUMPAT')).toBe(2);
    expect(h.run('PUBSUB', 'SHARDCHANNELS')).toEqual(['shard']);
    expect(h.run('PUBSUB', 'SHARDNUMSUB', 'shard')).toEqual(['shard', 1]);
    expect(h.run('PUBSUB', 'CHANNELS', 'a', 'b')).toEqual({
      error: "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
    });
    expect((h.run('PUBSUB', 'HELP') as string[]).at(-1)).toBe('    Prints this help.');
    expect(h.run('INFO', 'stats')).toMatch(
      /pubsub_channels:2\r\npubsub_patterns:2\r\npubsubshard_channels:1/,
    );
    expect(h.run('CLIENT', 'LIST', 'ID', String(a.id))).toMatch(
      /flags=P db=0 sub=2 psub=1 ssub=1 /,
    );
  });

  it('refuses SUBSCRIBE from a script, and PUBLISH from one reaches subscribers', () => {
    const h = new CommandHarness();
    const frames = capture(h.connect());
    h.runAs(h.server.sessions.get(2)!, 'SUBSCRIBE', 'c');
    expect(h.run('EVAL', "return redis.call('subscribe','a')", '0')).toEqual({
      error: expect.stringContaining('This Redis command is not allowed from script') as string,
    });
    expect(h.run('EVAL', "return redis.call('publish','c','from lua')", '0')).toBe(1);
    expect(frames).toEqual(['*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$8\r\nfrom lua\r\n']);
  });
});
