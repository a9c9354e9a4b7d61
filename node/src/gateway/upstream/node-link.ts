import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeCommand } from '../../protocol/resp/encoder.ts';
import { RESP_TYPES } from '../../protocol/resp/types.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/logger.ts';
import { nodeUnreachable, queueFull } from '../errors.ts';
import type { Flushable, TurnEnd } from '../../server/turn-end.ts';
import { splitAddress } from './address.ts';
import type { OutBuffer } from './out-buffer.ts';
import { ReplyFramer } from './reply-framer.ts';
import { isMoved, parseMoved } from './reply-sink.ts';
import type { ReplySink } from './reply-sink.ts';
import { RequestFifo } from './request-fifo.ts';

/**
 * `connecting`: the first attempt is under way, requests queue (bounded). `up`: requests go out.
 * `down`: the connection failed or was lost; requests fail at once while it reconnects with
 * backoff. `closed`: the node left the ring; nothing new is accepted.
 */
export type LinkState = 'connecting' | 'up' | 'down' | 'closed';

export interface NodeLinkOptions {
  readonly nodeId: string;
  /** `host:port` of the node's RESP port. */
  readonly address: string;
  /** Sent with AUTH right after connecting, when the nodes require a password. */
  readonly password: string | undefined;
  /**
   * Speak RESP3 to the node (HELLO 3 right after connecting, with the password if any), so that
   * its replies are already in the protocol of the RESP3 clients whose commands use this link.
   */
  readonly resp3?: boolean;
  readonly connectTimeoutMs: number;
  /** Most requests queued while connecting; more fail at once. */
  readonly maxQueue: number;
  /** No reply for this long while requests wait: the node is hung, the link is reset. */
  readonly commandTimeoutMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  readonly scheduler: TurnEnd;
  /** Shared by every link and client: each flush appends and takes synchronously. */
  readonly out: OutBuffer;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Where to record each reply's round trip (written to the socket → reply received), in ms;
   * absent: nothing is measured (the default, so the hot path reads no clock per reply).
   */
  readonly latency?: { observeMs(ms: number): void } | undefined;
}

/**
 * One persistent, pipelined RESP connection to a node. Requests are written in batches (one
 * write per event-loop iteration, see TurnEnd) and replies are matched to them in order:
 * the node answers each connection's commands in the order it received them. A RESP3 link sends
 * HELLO 3 first; its replies (and only they) may hold RESP3 types.
 */
export class NodeLink implements Flushable {
  readonly nodeId: string;
  readonly address: string;
  scheduled = false;
  /** True once the first connection attempt has finished, either way (readiness). */
  attempted = false;
  /** Requests accepted for this node (sent or failed fast). */
  routed = 0;
  /** Connections lost or refused. */
  failures = 0;

  readonly #options: NodeLinkOptions;
  readonly #fifo = new RequestFifo();
  readonly #framer = new ReplyFramer();
  #state: LinkState = 'connecting';
  #socket: Socket | undefined;
  #errorReply: Buffer;
  #backoffMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  /** Monotonic ms of the last sign of life while requests were outstanding. */
  #progressAt = 0;
  #closeResolve: (() => void) | undefined;

  constructor(options: NodeLinkOptions) {
    this.#options = options;
    this.nodeId = options.nodeId;
    this.address = options.address;
    this.#backoffMs = options.backoffMinMs;
    this.#errorReply = errorBytes(nodeUnreachable(options.nodeId, options.address, 'connecting'));
    this.#connect();
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Requests queued or sent and not yet answered. */
  get outstanding(): number {
    return this.#fifo.length;
  }

  /**
   * Queues a request (`buf[start, end)`, kept by reference until answered) whose reply goes to
   * `sink` with `tag`. When the node is unreachable the sink gets the error at once.
   */
  send(sink: ReplySink, tag: number, buf: Buffer, start: number, end: number, attempts = 1): void {
    this.routed++;
    const state = this.#state;
    if (state === 'up') {
      this.#fifo.push(sink, tag, buf, start, end, attempts);
      this.#options.scheduler.schedule(this);
    } else if (state === 'connecting' && this.#fifo.length < this.#options.maxQueue) {
      this.#fifo.push(sink, tag, buf, start, end, attempts);
    } else if (state === 'connecting') {
      const reply = errorBytes(queueFull(this.nodeId, this.address));
      sink.onReply(tag, reply, 0, reply.length);
    } else {
      sink.onReply(tag, this.#errorReply, 0, this.#errorReply.length);
    }
  }

  flush(): void {
    const socket = this.#socket;
    if (this.#state !== 'up' || socket === undefined || this.#fifo.unsentLength === 0) return;
    if (!this.#fifo.headSent) this.#progressAt = this.#options.clock.monotonic();
    const out = this.#options.out;
    const now = this.#options.latency === undefined ? 0 : this.#options.clock.monotonic();
    this.#fifo.drainUnsent((buf, start, end) => out.append(buf, start, end), now);
    const bytes = out.take();
    if (bytes !== undefined) socket.write(bytes);
  }

  /** Resets a link whose node stopped answering (called by the gateway's watchdog timer). */
  checkProgress(now: number): void {
    if (this.#state !== 'up' || !this.#fifo.headSent) return;
    if (now - this.#progressAt > this.#options.commandTimeoutMs) {
      this.#fail(`no reply for ${this.#options.commandTimeoutMs} ms`);
    }
  }

  /**
   * Stops accepting requests; those outstanding still get their replies, then the connection
   * ends. After `graceMs` whatever is left fails and the socket is cut.
   */
  close(graceMs: number): Promise<void> {
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    const wasUp = this.#state === 'up';
    // Requests accepted before the close still go out (the scheduled flush would skip them).
    if (wasUp) this.flush();
    this.#state = 'closed';
    this.#errorReply = errorBytes(nodeUnreachable(this.nodeId, this.address, 'left the ring'));
    if (!wasUp || this.#fifo.length === 0) {
      this.#failAll();
      this.#socket?.destroy();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#closeResolve = resolve;
      const timer = setTimeout(() => {
        this.#failAll();
        this.#socket?.destroy();
        resolve();
      }, graceMs);
      timer.unref();
    });
  }

  #connect(): void {
    const target = splitAddress(this.address);
    if (target === undefined) {
      this.#fail('malformed address');
      return;
    }
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.#socket = socket;
    const timer = setTimeout(() => {
      socket.destroy(new Error(`connect timeout after ${this.#options.connectTimeoutMs} ms`));
    }, this.#options.connectTimeoutMs);
    timer.unref();
    socket.on('connect', () => {
      clearTimeout(timer);
      this.#onConnected(socket);
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      this.#fail(error.code ?? error.message, socket);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      this.#fail('connection closed', socket);
    });
  }

  #onConnected(socket: Socket): void {
    if (this.#state === 'closed') {
      socket.destroy();
      return;
    }
    socket.setKeepAlive(true, 60_000);
    const wasDown = this.#state === 'down';
    this.#state = 'up';
    this.attempted = true;
    this.#backoffMs = this.#options.backoffMinMs;
    this.#sendHandshake();
    if (wasDown) this.#options.logger.info('node reachable again', this.#fields());
    if (this.#fifo.length > 0) this.#options.scheduler.schedule(this);
  }

  /**
   * AUTH (RESP2 link with a password) or HELLO 3 [AUTH] (RESP3 link) goes first on the
   * connection; its reply is checked here, not sent to any client.
   */
  #sendHandshake(): void {
    const { password, resp3 } = this.#options;
    let request: Buffer;
    if (resp3 === true) {
      const auth = password === undefined ? [] : ['AUTH', 'default', password];
      request = encodeCommand(['HELLO', '3', ...auth]);
    } else if (password !== undefined) {
      request = encodeCommand(['AUTH', password]);
    } else {
      return;
    }
    // Ahead of the requests queued while connecting (none was written yet).
    this.#fifo.pushFront(this.#handshakeSink, 0, request, 0, request.length, 1);
  }

  readonly #handshakeSink: ReplySink = {
    onReply: (_tag, bytes, start, end) => {
      if (bytes[start] !== 0x2d) return;
      const refused = this.#options.resp3 === true ? 'the RESP3 handshake' : 'the gateway password';
      // A node without RESP3 keeps the link in RESP2: its replies still parse as RESP3.
      this.#options.logger.error(`node refused ${refused}`, {
        ...this.#fields(),
        reply: bytes.toString('latin1', start + 1, end - 2),
      });
    },
    onMoved: () => {},
  };

  #onData(chunk: Buffer): void {
    const fifo = this.#fifo;
    const framer = this.#framer;
    const now = this.#options.clock.monotonic();
    const latency = this.#options.latency;
    this.#progressAt = now;
    try {
      framer.feed(chunk);
      while (framer.next()) {
        // Out-of-band RESP3 data answers no request; nodes send none (no Pub/Sub, no tracking).
        if (framer.buffer[framer.start] === RESP_TYPES.PUSH) continue;
        if (!fifo.headSent) throw new TypeError('a reply arrived for no request');
        const sink = fifo.headSink;
        const tag = fifo.headTag;
        const { buffer, start, end } = framer;
        // The handshake (AUTH / HELLO) answers no client: it is not a request's latency.
        if (latency !== undefined && sink !== this.#handshakeSink) {
          latency.observeMs(now - fifo.headSentAt);
        }
        if (isMoved(buffer, start, end)) {
          const moved = parseMoved(buffer, start, end);
          const request = fifo.headBuf;
          const [qStart, qEnd, attempts] = [fifo.headStart, fifo.headEnd, fifo.headAttempts];
          fifo.shift();
          if (moved !== undefined) sink.onMoved(tag, moved, request, qStart, qEnd, attempts);
          else sink.onReply(tag, buffer, start, end);
        } else {
          fifo.shift();
          sink.onReply(tag, buffer, start, end);
        }
      }
    } catch (error) {
      this.#options.logger.error('node reply stream broken', { ...this.#fields(), error });
      this.#socket?.destroy();
      return;
    }
    if (this.#state === 'closed' && fifo.length === 0) {
      this.#socket?.end();
      this.#closeResolve?.();
    }
  }

  /** The connection failed or was lost: fail what waits, then reconnect later. */
  #fail(reason: string, socket?: Socket): void {
    if (socket !== undefined && socket !== this.#socket) return;
    const current = this.#socket;
    this.#socket = undefined;
    current?.destroy();
    this.attempted = true;
    if (this.#state === 'closed') {
      this.#failAll();
      this.#closeResolve?.();
      return;
    }
    const wasUp = this.#state === 'up';
    const firstFailure = this.#state !== 'down';
    this.#state = 'down';
    this.failures++;
    this.#errorReply = errorBytes(nodeUnreachable(this.nodeId, this.address, reason));
    if (firstFailure) {
      this.#options.logger.warn(wasUp ? 'node connection lost' : 'node unreachable', {
        ...this.#fields(),
        reason,
      });
    }
    this.#failAll();
    this.#framer.reset();
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.backoffMaxMs);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state === 'down') this.#connect();
    }, delay);
    this.#reconnectTimer.unref();
  }

  /** Answers every queued or sent request with the link's error. */
  #failAll(): void {
    const fifo = this.#fifo;
    const reply = this.#errorReply;
    while (fifo.length > 0) {
      const sink = fifo.headSink;
      const tag = fifo.headTag;
      fifo.shift();
      sink.onReply(tag, reply, 0, reply.length);
    }
  }

  #fields(): Record<string, string> {
    return { nodeId: this.nodeId, address: this.address };
  }
}

function errorBytes(text: string): Buffer {
  return Buffer.from(`-${text.replace(/[\r\n]/g, ' ')}\r\n`, 'latin1');
}
