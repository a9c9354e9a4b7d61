import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../cluster/ring-owners.ts';
import { shardOf } from '../../cluster/shard-of.ts';
import { PubSubHub } from '../../server/resp/pubsub/pubsub-hub.ts';
import type { Subscriber, SubscriptionKind } from '../../server/resp/pubsub/pubsub-hub.ts';
import { ringOver } from '../testing/test-cluster.ts';
import { GatewayPubSub } from './gateway-pubsub.ts';
import type { UpstreamLink } from './gateway-pubsub.ts';
import type { UpstreamMessage } from './pubsub-link.ts';

/** A link that records what it is asked to subscribe to. */
class FakeLink implements UpstreamLink {
  readonly wanted = new Set<string>();
  closed = false;
  tracking = false;
  readonly address: string;
  readonly onMessage: UpstreamMessage;
  constructor(address: string, onMessage: UpstreamMessage) {
    this.address = address;
    this.onMessage = onMessage;
  }
  want(kind: SubscriptionKind, name: string, on: boolean): void {
    if (on) this.wanted.add(`${kind}:${name}`);
    else this.wanted.delete(`${kind}:${name}`);
  }
  track(on: boolean): void {
    this.tracking = on;
  }
  close(): void {
    this.closed = true;
  }
}

function setUp() {
  const links: Record<string, FakeLink> = {};
  const upstream = new GatewayPubSub((node, onMessage) => {
    const link = new FakeLink(node.address, onMessage);
    links[node.id] = link;
    return link;
  });
  const hub = new PubSubHub(upstream);
  upstream.attach(hub);
  const frames: string[] = [];
  const client: Subscriber = { resp3: false, push: (f) => frames.push(f.toString('latin1')) };
  return { links, upstream, hub, client, frames };
}

const PORTS = [7001, 7002, 7003];

describe('GatewayPubSub', () => {
  it('subscribes each channel at its owner once, patterns everywhere, and lets go of both', () => {
    const { links, upstream, hub, client } = setUp();
    const ring = ringOver(1, PORTS);
    upstream.applyRing(ring);
    const channels = Array.from({ length: 40 }, (_, i) => `c${i}`);
    for (const channel of channels) hub.subscribe('channel', channel, client);
    hub.subscribe('channel', 'c0', { resp3: true, push: () => {} });
    hub.subscribe('pattern', 'p*', client);
    for (const channel of channels) {
      const holders = Object.entries(links).filter(([, l]) => l.wanted.has(`channel:${channel}`));
      expect(holders.map(([id]) => id)).toEqual([ownerOf(ring, shardOf(channel))]);
    }
    expect(Object.keys(links).sort()).toEqual(['node-0', 'node-1', 'node-2']);
    for (const link of Object.values(links)) expect(link.wanted.has('pattern:p*')).toBe(true);
    for (const channel of channels) hub.unsubscribe('channel', channel, client);
    hub.unsubscribe('pattern', 'p*', client);
    // c0 still has a listener.
    const left = Object.values(links).flatMap((l) => [...l.wanted]);
    expect(left).toEqual(['channel:c0']);
  });

  it('moves names to new owners, re-links a node whose address changed, and drops nodes that left', () => {
    const { links, upstream, hub, client } = setUp();
    upstream.applyRing(ringOver(1, PORTS));
    hub.subscribe('channel', 'news', client);
    hub.subscribe('pattern', '*', client);
    const owner = ownerOf(ringOver(1, PORTS), shardOf('news'));
    const elsewhere = ['node-0', 'node-1', 'node-2'].find((id) => id !== owner)!;
    const oldLinks = { ...links };
    upstream.applyRing(ringOver(2, PORTS, new Map([[shardOf('news'), elsewhere]])));
    expect(links[owner]!.wanted.has('channel:news')).toBe(false);
    expect(links[elsewhere]!.wanted.has('channel:news')).toBe(true);
    // node-2 moves to another port: its old link closes and a new one gets the pattern.
    upstream.applyRing(ringOver(3, [7001, 7002, 7009], new Map([[shardOf('news'), elsewhere]])));
    expect(oldLinks['node-2']!.closed).toBe(true);
    expect(links['node-2']!.address).toBe('127.0.0.1:7009');
    expect(links['node-2']!.wanted.has('pattern:*')).toBe(true);
    // A ring of two nodes: node-2's link closes.
    upstream.applyRing(ringOver(4, [7001, 7002]));
    expect(links['node-2']!.closed).toBe(true);
    expect(upstream.linkedNodes.sort()).toEqual(['node-0', 'node-1']);
  });

  it('delivers what a link receives to the clients of that name only', () => {
    const { links, upstream, hub, client, frames } = setUp();
    upstream.applyRing(ringOver(1, PORTS));
    hub.subscribe('pattern', 'n*', client);
    const bytes = (text: string) => Buffer.from(text, 'latin1');
    links['node-0']!.onMessage('pattern', bytes('n*'), bytes('news'), bytes('m'));
    links['node-0']!.onMessage('channel', bytes('news'), bytes('news'), bytes('m'));
    expect(frames).toEqual(['*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$1\r\nm\r\n']);
  });

  it('subscribes keyspace notification channels at every node, as patterns', () => {
    const { links, upstream, hub, client } = setUp();
    upstream.applyRing(ringOver(1, PORTS));
    hub.subscribe('channel', '__keyevent@0__:expired', client);
    hub.subscribe('channel', '__keyspace@0__:user:1', client);
    for (const link of Object.values(links)) {
      expect([...link.wanted].sort()).toEqual([
        'channel:__keyevent@0__:expired',
        'channel:__keyspace@0__:user:1',
      ]);
    }
    hub.unsubscribe('channel', '__keyevent@0__:expired', client);
    for (const link of Object.values(links))
      expect([...link.wanted]).toEqual(['channel:__keyspace@0__:user:1']);
  });

  it("has every node's link track changed keys while client-side caching is on", () => {
    const { links, upstream } = setUp();
    upstream.applyRing(ringOver(1, PORTS.slice(0, 2)));
    expect(Object.keys(links)).toEqual([]);
    upstream.track(true);
    expect(Object.values(links).map((link) => link.tracking)).toEqual([true, true]);
    // A node that joins is linked at once, and tracks too.
    upstream.applyRing(ringOver(2, PORTS));
    expect(Object.values(links).map((link) => link.tracking)).toEqual([true, true, true]);
    upstream.track(false);
    expect(Object.values(links).some((link) => link.tracking)).toBe(false);
  });
});
