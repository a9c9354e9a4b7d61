import { globMatch } from '../glob.ts';

/**
 * Who receives messages: a client session (or the gateway's upstream bookkeeping in tests).
 * `push` takes a complete reply frame; the hub encodes it in the subscriber's protocol.
 */
export interface Subscriber {
  readonly resp3: boolean;
  push(frame: Buffer): void;
}

/** The three namespaces: channels, patterns, and shard channels (SSUBSCRIBE, Redis 7). */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

const KINDS: readonly SubscriptionKind[] = ['channel', 'pattern', 'shard'];

/**
 * The (un)subscribe command of each namespace, lowercase: also the kind of its confirmation
 * frames, and what the gateway sends to a node to (un)subscribe there.
 */
export const SUBSCRIBE_COMMANDS: Readonly<Record<SubscriptionKind, string>> = {
  channel: 'subscribe',
  pattern: 'psubscribe',
  shard: 'ssubscribe',
};
export const UNSUBSCRIBE_COMMANDS: Readonly<Record<SubscriptionKind, string>> = {
  channel: 'unsubscribe',
  pattern: 'punsubscribe',
  shard: 'sunsubscribe',
};

/** What one subscriber is subscribed to, in subscription order (the UNSUBSCRIBE-all order). */
export class Subscriptions {
  readonly channel = new Set<string>();
  readonly pattern = new Set<string>();
  readonly shard = new Set<string>();

  /** Channels and patterns: the count SUBSCRIBE and PSUBSCRIBE report (shards count apart). */
  get classic(): number {
    return this.channel.size + this.pattern.size;
  }

  /** True while any subscription holds the connection in Pub/Sub mode (RESP2). */
  get active(): boolean {
    return this.channel.size + this.pattern.size + this.shard.size > 0;
  }
}

/**
 * The message kinds a subscriber receives, by namespace: `message` for a channel, `pmessage` for
 * a pattern (with the pattern first), `smessage` for a shard channel.
 */
const MESSAGE_KIND: Readonly<Record<SubscriptionKind, string>> = {
  channel: 'message',
  pattern: 'pmessage',
  shard: 'smessage',
};

/**
 * Told when a name gains its first subscriber and loses its last: the gateway subscribes at the
 * nodes only to what its own clients listen to (gateway/pubsub/gateway-pubsub.ts).
 */
export interface HubObserver {
  first(kind: SubscriptionKind, name: string): void;
  last(kind: SubscriptionKind, name: string): void;
}

/**
 * The Pub/Sub registry of one server: who listens to which channel, pattern or shard channel,
 * and delivery of a published message to each of them. Pure: it holds no sockets; subscribers
 * push frames wherever they send replies. Channel names are binary-safe latin1 strings, as keys
 * are elsewhere in the node.
 *
 * Delivery order follows Redis: the channel's subscribers first, then each matching pattern's.
 */
export class PubSubHub {
  readonly #names: Record<SubscriptionKind, Map<string, Set<Subscriber>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  readonly #observer: HubObserver | undefined;
  /** Messages handed to subscribers, one per subscriber reached (metrics). */
  delivered = 0;

  constructor(observer?: HubObserver) {
    this.#observer = observer;
  }

  /** Adds `subscriber` to `name`; false when it was already there. */
  subscribe(kind: SubscriptionKind, name: string, subscriber: Subscriber): boolean {
    const map = this.#names[kind];
    let set = map.get(name);
    if (set === undefined) {
      set = new Set();
      map.set(name, set);
      this.#observer?.first(kind, name);
    }
    if (set.has(subscriber)) return false;
    set.add(subscriber);
    return true;
  }

  /** Removes `subscriber` from `name`; false when it was not there. */
  unsubscribe(kind: SubscriptionKind, name: string, subscriber: Subscriber): boolean {
    const map = this.#names[kind];
    const set = map.get(name);
    if (set === undefined || !set.delete(subscriber)) return false;
    if (set.size === 0) {
      map.delete(name);
      this.#observer?.last(kind, name);
    }
    return true;
  }

  /**
   * Delivers `message` on `channel` (a shard channel when `shard`) to every subscriber, and
   * returns how many received it. A subscriber subscribed to the channel and to a matching
   * pattern receives it once for each, as in Redis.
   */
  publish(channel: string, message: Buffer, shard = false): number {
    const channelBytes = Buffer.from(channel, 'latin1');
    let receivers = this.deliver(shard ? 'shard' : 'channel', channel, channelBytes, message);
    if (shard) return receivers;
    for (const pattern of this.#names.pattern.keys()) {
      if (globMatch(pattern, channel)) {
        receivers += this.deliver('pattern', pattern, channelBytes, message);
      }
    }
    return receivers;
  }

  /**
   * Delivers `message`, published on `channel`, to the subscribers of `name` alone (the channel
   * itself, or a pattern that matched it); returns how many. The gateway calls it for what a
   * node sent on one of its subscriptions: the node matched the pattern already.
   */
  deliver(kind: SubscriptionKind, name: string, channel: Buffer, message: Buffer): number {
    const subscribers = this.#names[kind].get(name);
    if (subscribers === undefined) return 0;
    let resp2: Buffer | undefined;
    let resp3: Buffer | undefined;
    const parts =
      kind === 'pattern'
        ? [MESSAGE_KIND.pattern, Buffer.from(name, 'latin1'), channel, message]
        : [MESSAGE_KIND[kind], channel, message];
    for (const subscriber of subscribers) {
      const frame = subscriber.resp3
        ? (resp3 ??= encodeMessage(true, parts))
        : (resp2 ??= encodeMessage(false, parts));
      subscriber.push(frame);
    }
    this.delivered += subscribers.size;
    return subscribers.size;
  }

  /** Ends every subscription of a subscriber that leaves (its connection closed). */
  dropAll(subscriber: Subscriber, subscriptions: Subscriptions): void {
    for (const kind of KINDS) {
      for (const name of subscriptions[kind]) this.unsubscribe(kind, name, subscriber);
      subscriptions[kind].clear();
    }
  }

  /** Names with at least one subscriber, matching `pattern` when given (PUBSUB CHANNELS). */
  names(kind: SubscriptionKind, pattern?: string): string[] {
    const all = [...this.#names[kind].keys()];
    return pattern === undefined ? all : all.filter((name) => globMatch(pattern, name));
  }

  /** Subscribers of one name (PUBSUB NUMSUB, SHARDNUMSUB). */
  count(kind: SubscriptionKind, name: string): number {
    return this.#names[kind].get(name)?.size ?? 0;
  }

  /** Names with subscribers (INFO's pubsub_channels, pubsub_patterns; PUBSUB NUMPAT). */
  size(kind: SubscriptionKind): number {
    return this.#names[kind].size;
  }
}

/**
 * A Pub/Sub frame: an array of bulk strings in RESP2, a push (`>`) in RESP3, as Redis sends
 * messages and subscription confirmations.
 */
export function encodeMessage(resp3: boolean, parts: readonly (string | Buffer)[]): Buffer {
  // One allocation per frame: a message is encoded once per publish and protocol.
  const head = `${resp3 ? '>' : '*'}${parts.length}\r\n`;
  let length = head.length;
  for (const part of parts) {
    // A latin1 string has one byte per character.
    length += 1 + decimalLength(part.length) + 2 + part.length + 2;
  }
  const frame = Buffer.allocUnsafe(length);
  let at = frame.write(head, 0, 'latin1');
  for (const part of parts) {
    at += frame.write(`$${part.length}\r\n`, at, 'latin1');
    at += typeof part === 'string' ? frame.write(part, at, 'latin1') : part.copy(frame, at);
    frame[at++] = 13;
    frame[at++] = 10;
  }
  return frame;
}

function decimalLength(value: number): number {
  let digits = 1;
  while (value >= 10) {
    value = Math.floor(value / 10);
    digits++;
  }
  return digits;
}
