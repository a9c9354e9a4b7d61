import { ownerTable } from '../../cluster/ring-owners.ts';
import type { Ring, RingNode } from '../../cluster/ring.ts';
import type {
  HubObserver,
  PubSubHub,
  SubscriptionKind,
} from '../../server/resp/pubsub/pubsub-hub.ts';
import { keyShardAt } from '../routing/key-shard.ts';
import type { UpstreamInvalidation, UpstreamMessage } from './pubsub-link.ts';

/** What GatewayPubSub needs of a subscriber connection to a node (PubSubLink). */
export interface UpstreamLink {
  readonly address: string;
  want(kind: SubscriptionKind, name: string, on: boolean): void;
  /** Client-side caching: has the node broadcast its changed keys to the link, or stop. */
  track(on: boolean): void;
  close(): void;
}

/**
 * Opens the subscriber connection to a node, which hands its messages to `onMessage` and its
 * invalidations to `onInvalidate`.
 */
export type OpenUpstream = (
  node: RingNode,
  onMessage: UpstreamMessage,
  onInvalidate: UpstreamInvalidation,
) => UpstreamLink;

/**
 * Pub/Sub across the nodes, for the clients of one gateway. The gateway's hub holds its clients'
 * subscriptions (the node's SUBSCRIBE handlers run on it); this places the names they need at
 * the nodes, one subscriber connection per node:
 *
 * - a channel or shard channel at the node that owns it (its name hashed as a key), which is
 *   where the gateway sends PUBLISH and SPUBLISH for it: every gateway of the cluster publishes a
 *   channel to the same node, so each message reaches every gateway that listens, once;
 * - a pattern at every node, since it may match a channel anywhere; each message is published on
 *   one node only, so a pattern still receives it once;
 * - a keyspace notification channel (`__keyspace@0__:…`, `__keyevent@0__:…`) at every node, since
 *   each node notifies of its own keys.
 *
 * When the ring changes, names whose owner changed move to their new node, and patterns are
 * subscribed on nodes that joined. Messages published while a name moves can be lost: Pub/Sub
 * delivers at most once, in Redis as here.
 *
 * The same connections carry client-side caching's invalidations: while `track` is on, every
 * node of the ring has one, which broadcasts its changed keys to `onInvalidate`.
 */
export class GatewayPubSub implements HubObserver {
  readonly #open: OpenUpstream;
  readonly #onInvalidate: UpstreamInvalidation;
  #tracking = false;
  #hub: PubSubHub | undefined;
  #ring: Ring | undefined;
  /** Subscriber connections by node id. */
  readonly #links = new Map<string, UpstreamLink>();
  /** Where each channel and shard channel is subscribed: node id by `kind:name`. */
  readonly #placed = new Map<string, string>();

  constructor(open: OpenUpstream, onInvalidate: UpstreamInvalidation = () => {}) {
    this.#open = open;
    this.#onInvalidate = onInvalidate;
  }

  /** Client-side caching at the gateway: every node's changed keys (`on`), or none. */
  track(on: boolean): void {
    this.#tracking = on;
    if (on && this.#ring !== undefined) for (const node of this.#ring.nodes) this.#linkOf(node);
    for (const link of this.#links.values()) link.track(on);
  }

  /** The hub whose clients this serves (it observes the hub, and delivers into it). */
  attach(hub: PubSubHub): void {
    this.#hub = hub;
  }

  /** The node ids with a subscriber connection, for tests. */
  get linkedNodes(): string[] {
    return [...this.#links.keys()];
  }

  first(kind: SubscriptionKind, name: string): void {
    if (everywhere(kind, name)) {
      const ring = this.#ring;
      if (ring !== undefined)
        for (const node of ring.nodes) this.#linkOf(node).want(kind, name, true);
      return;
    }
    if (kind !== 'pattern') this.#place(kind, name);
  }

  last(kind: SubscriptionKind, name: string): void {
    if (everywhere(kind, name)) {
      for (const link of this.#links.values()) link.want(kind, name, false);
      return;
    }
    const key = placeKey(kind, name);
    const nodeId = this.#placed.get(key);
    if (nodeId === undefined) return;
    this.#placed.delete(key);
    this.#links.get(nodeId)?.want(kind, name, false);
  }

  /** A new ring: links to nodes that left close, names move to their new owners. */
  applyRing(ring: Ring): void {
    this.#ring = ring;
    const present = new Map(ring.nodes.map((node) => [node.id, node]));
    for (const [id, link] of this.#links) {
      const node = present.get(id);
      if (node === undefined || node.address !== link.address) {
        link.close();
        this.#links.delete(id);
      }
    }
    if (this.#tracking) for (const node of ring.nodes) this.#linkOf(node);
    const hub = this.#hub;
    if (hub === undefined) return;
    const patterns = hub.names('pattern');
    const notifications = hub.names('channel').filter((name) => everywhere('channel', name));
    if (patterns.length + notifications.length > 0) {
      for (const node of ring.nodes) {
        const link = this.#linkOf(node);
        for (const pattern of patterns) link.want('pattern', pattern, true);
        for (const name of notifications) link.want('channel', name, true);
      }
    }
    for (const kind of ['channel', 'shard'] as const) {
      for (const name of hub.names(kind)) if (!everywhere(kind, name)) this.#place(kind, name);
    }
  }

  /** Closes every subscriber connection (the gateway stops). */
  close(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#placed.clear();
  }

  /** Subscribes `name` at its owner, leaving the node that held it before if that changed. */
  #place(kind: 'channel' | 'shard', name: string): void {
    const ring = this.#ring;
    if (ring === undefined) return;
    const owner = ownerNode(ring, name);
    const key = placeKey(kind, name);
    const before = this.#placed.get(key);
    const link = this.#linkOf(owner);
    if (before === owner.id) {
      // The same node, perhaps over a new connection (its address changed).
      link.want(kind, name, true);
      return;
    }
    if (before !== undefined) this.#links.get(before)?.want(kind, name, false);
    this.#placed.set(key, owner.id);
    link.want(kind, name, true);
  }

  #linkOf(node: RingNode): UpstreamLink {
    let link = this.#links.get(node.id);
    if (link === undefined) {
      link = this.#open(node, this.#onMessage, this.#onInvalidate);
      if (this.#tracking) link.track(true);
      this.#links.set(node.id, link);
    }
    return link;
  }

  readonly #onMessage: UpstreamMessage = (kind, name, channel, message) => {
    this.#hub?.deliver(kind, name.toString('latin1'), channel, message);
  };
}

/**
 * Names subscribed at every node: patterns (they may match a channel anywhere), and the channels
 * of keyspace notifications, which each node publishes for its own keys.
 */
function everywhere(kind: SubscriptionKind, name: string): boolean {
  return (
    kind === 'pattern' ||
    (kind === 'channel' && (name.startsWith('__keyspace@') || name.startsWith('__keyevent@')))
  );
}

function placeKey(kind: SubscriptionKind, name: string): string {
  return `${kind}:${name}`;
}

/** The node owning the shard of `name`, hashed as a key (hash tags included). */
function ownerNode(ring: Ring, name: string): RingNode {
  const bytes = Buffer.from(name, 'latin1');
  const shard = keyShardAt(bytes, 0, bytes.length, ring.shardCount - 1);
  const table = ownerTable(ring);
  return table.nodes[table.owners[shard]!]!;
}
