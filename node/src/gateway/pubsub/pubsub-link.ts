import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodePipeline } from '../../protocol/resp/encoder.ts';
import { parseReplies, RespErrorReply } from '../../protocol/resp/reply-parser.ts';
import type { RespReply } from '../../protocol/resp/reply-parser.ts';
import { SUBSCRIBE_COMMANDS, UNSUBSCRIBE_COMMANDS } from '../../server/resp/pubsub/pubsub-hub.ts';
import type { SubscriptionKind } from '../../server/resp/pubsub/pubsub-hub.ts';
import type { Logger } from '../../util/logger.ts';
import { splitAddress } from '../upstream/address.ts';

/** A message a node sent on a subscription of the gateway's. */
export type UpstreamMessage = (
  kind: SubscriptionKind,
  name: Buffer,
  channel: Buffer,
  message: Buffer,
) => void;

/**
 * Keys the node reports changed (CLIENT TRACKING's invalidations), or null for any key: the
 * node flushed, or the link was lost or (re)made, so changes may have gone unseen.
 */
export type UpstreamInvalidation = (keys: Buffer[] | null) => void;

export interface PubSubLinkOptions {
  readonly nodeId: string;
  readonly address: string;
  readonly password: string | undefined;
  readonly connectTimeoutMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  readonly logger: Logger;
  readonly onMessage: UpstreamMessage;
  readonly onInvalidate: UpstreamInvalidation;
}

/** PING's argument after CLIENT TRACKING ON: its echo marks the moment tracking holds. */
const TRACKING_ON_MARK = 'mlcache-gateway-tracking-on';

const KINDS: readonly SubscriptionKind[] = ['channel', 'pattern', 'shard'];

/**
 * The gateway's subscriber connection to one node: a RESP3 connection that carries the
 * subscriptions the gateway's clients need from that node, and hands each message it receives
 * to `onMessage`. It holds the set of names wanted, so that a reconnect (the node restarted, or
 * the connection broke) subscribes to all of them again; messages published while it was down
 * are lost, as for any Redis subscriber (Pub/Sub delivers at most once).
 *
 * While the gateway's clients use client-side caching (`track`), it also has the node broadcast
 * every key that changes (CLIENT TRACKING ON BCAST) and hands those to `onInvalidate`. Once the
 * node confirms tracking, and whenever the connection is lost, it reports null (any key): what
 * changed while nobody listened is unknown.
 */
export class PubSubLink {
  readonly nodeId: string;
  readonly address: string;
  readonly #options: PubSubLinkOptions;
  readonly #wanted: Record<SubscriptionKind, Set<string>> = {
    channel: new Set(),
    pattern: new Set(),
    shard: new Set(),
  };
  #socket: Socket | undefined;
  #up = false;
  #tracking = false;
  #closed = false;
  #pending: Buffer = Buffer.alloc(0);
  #backoffMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PubSubLinkOptions) {
    this.nodeId = options.nodeId;
    this.address = options.address;
    this.#options = options;
    this.#backoffMs = options.backoffMinMs;
    this.#connect();
  }

  /** Subscribes to `name` on this node (`on`), or unsubscribes. */
  want(kind: SubscriptionKind, name: string, on: boolean): void {
    const set = this.#wanted[kind];
    if (on === set.has(name)) return;
    if (on) set.add(name);
    else set.delete(name);
    if (this.#up)
      this.#send([[on ? SUBSCRIBE_COMMANDS[kind] : UNSUBSCRIBE_COMMANDS[kind], toBytes(name)]]);
  }

  /** Has the node broadcast its changed keys to this link (`on`), or stop. */
  track(on: boolean): void {
    if (on === this.#tracking) return;
    this.#tracking = on;
    if (this.#up) this.#send(trackingCommands(on));
  }

  /** Ends the connection for good (the node left the ring, or the gateway stops). */
  close(): void {
    this.#closed = true;
    this.#up = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#socket?.destroy();
  }

  #connect(): void {
    const target = splitAddress(this.address);
    if (target === undefined) {
      this.#options.logger.error('pubsub link: malformed node address', this.#fields());
      return;
    }
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.#socket = socket;
    const timer = setTimeout(
      () => socket.destroy(new Error('connect timeout')),
      this.#options.connectTimeoutMs,
    );
    timer.unref();
    socket.on('connect', () => {
      clearTimeout(timer);
      this.#onConnected();
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      if (this.#socket === socket) this.#onClosed();
    });
  }

  #onConnected(): void {
    if (this.#closed) return;
    this.#up = true;
    this.#backoffMs = this.#options.backoffMinMs;
    this.#pending = Buffer.alloc(0);
    const commands: (string | Buffer)[][] = [];
    const password = this.#options.password;
    if (password !== undefined) commands.push(['AUTH', password]);
    // RESP3: a subscribed connection may still run CLIENT TRACKING, and invalidations are pushes.
    commands.push(['HELLO', '3']);
    if (this.#tracking) commands.push(...trackingCommands(true));
    for (const kind of KINDS) {
      const names = [...this.#wanted[kind]].map(toBytes);
      if (names.length === 0) continue;
      // A cluster node wants one slot per SSUBSCRIBE: shard channels go one by one.
      if (kind === 'shard')
        for (const name of names) commands.push([SUBSCRIBE_COMMANDS[kind], name]);
      else commands.push([SUBSCRIBE_COMMANDS[kind], ...names]);
    }
    this.#send(commands);
  }

  #onClosed(): void {
    const wasUp = this.#up;
    this.#up = false;
    if (this.#closed) return;
    if (wasUp && this.#tracking) this.#options.onInvalidate(null);
    if (wasUp) this.#options.logger.warn('pubsub link lost; reconnecting', this.#fields());
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(delay * 2, this.#options.backoffMaxMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#connect();
    }, delay);
    this.#timer.unref();
  }

  #send(commands: (string | Buffer)[][]): void {
    this.#socket?.write(encodePipeline(commands));
  }

  #onData(chunk: Buffer): void {
    const bytes = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let parsed: { values: RespReply[]; consumed: number };
    try {
      parsed = parseReplies(bytes);
    } catch (error) {
      this.#options.logger.error('pubsub link: unreadable reply; reconnecting', {
        ...this.#fields(),
        error,
      });
      this.#socket?.destroy();
      return;
    }
    this.#pending = bytes.subarray(parsed.consumed);
    for (const value of parsed.values) this.#onFrame(value);
  }

  #onFrame(value: RespReply): void {
    if (value instanceof RespErrorReply) {
      // AUTH refused, or a shard channel this node does not own (MOVED while the ring changes).
      this.#options.logger.warn('pubsub link: node refused a subscription', {
        ...this.#fields(),
        error: value.message,
      });
      return;
    }
    if (Buffer.isBuffer(value) && value.toString('latin1') === TRACKING_ON_MARK) {
      this.#options.onInvalidate(null);
      return;
    }
    if (!Array.isArray(value) || !Buffer.isBuffer(value[0])) return;
    const kind = value[0].toString('latin1');
    if (kind === 'invalidate' && value.length === 2) {
      const keys = value[1];
      if (keys === null) this.#options.onInvalidate(null);
      else if (Array.isArray(keys))
        this.#options.onInvalidate(keys.filter((key) => Buffer.isBuffer(key)));
      return;
    }
    if (value.length < 3) return;
    const [, a, b, c] = value;
    if (kind === 'message' && Buffer.isBuffer(a) && Buffer.isBuffer(b)) {
      this.#options.onMessage('channel', a, a, b);
    } else if (kind === 'smessage' && Buffer.isBuffer(a) && Buffer.isBuffer(b)) {
      this.#options.onMessage('shard', a, a, b);
    } else if (
      kind === 'pmessage' &&
      Buffer.isBuffer(a) &&
      Buffer.isBuffer(b) &&
      Buffer.isBuffer(c)
    ) {
      this.#options.onMessage('pattern', a, b, c);
    }
    // Confirmations (subscribe, unsubscribe...) need nothing: `wanted` is the truth.
  }

  #fields(): Record<string, string> {
    return { nodeId: this.nodeId, address: this.address };
  }
}

function trackingCommands(on: boolean): string[][] {
  return on
    ? [
        ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
        ['PING', TRACKING_ON_MARK],
      ]
    : [['CLIENT', 'TRACKING', 'OFF']];
}

function toBytes(name: string): Buffer {
  return Buffer.from(name, 'latin1');
}
