import type { GatewayTransaction } from '../commands/gateway-transaction.ts';
import { endWatch } from '../commands/gateway-watch.ts';
import type { GatewayWatch } from '../commands/gateway-watch.ts';
import type { Socket } from 'node:net';
import { RespRequestDecoder } from '../../protocol/resp/decoder.ts';
import type { RespRequestDecoderOptions } from '../../protocol/resp/decoder.ts';
import { RespProtocolError } from '../../protocol/resp/errors.ts';
import { NEED_MORE } from '../../protocol/resp/types.ts';
import type { Session } from '../../server/resp/session.ts';
import { PUBSUB_OUTPUT_LIMIT } from '../../server/resp/connection.ts';
import { replyDropped } from '../../server/resp/commands/client-modes.ts';
import { executeCommand } from '../commands/execute.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { retryAfterMoved } from '../routing/retry.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import type { Flushable } from '../../server/turn-end.ts';
import type { GatewayContext } from './gateway-context.ts';
import { ReplyQueue } from './reply-queue.ts';
import { locateRequest } from './request-bytes.ts';
import type { RawRequest } from './request-bytes.ts';

/** Why reading is paused; it resumes when no reason is left. */
const PAUSED_FOR_INFLIGHT = 1;
const PAUSED_FOR_OUTPUT = 2;
const PAUSED_FOR_PROTOCOL = 4;
const PAUSED_FOR_MIRRORS = 8;
const MINUS = 0x2d;

/**
 * One client socket of the gateway: decodes requests (the node's decoder, so the same limits and
 * error texts), runs each in order, and writes replies in request order (ReplyQueue) whatever node
 * or path they come back from. It is the reply sink of the requests it forwards as they are.
 *
 * Back-pressure: while too many commands wait for replies, or too many reply bytes wait in the
 * socket, or (mirror mode) a mirror holds its most requests, it stops decoding and reading; it
 * resumes once they drain.
 *
 * Connections: a client's commands go over node connections of its protocol (RESP2 or RESP3),
 * and to a watched node over a connection of its own (gateway-watch.ts). When HELLO switches the
 * protocol, or a watch begins or ends, while commands are still out, the next ones would take
 * other connections and could overtake them at the node; so it stops decoding until every reply
 * owed has been written. A first WATCH also waits for the replies owed before it is sent.
 */
export class ClientConnection implements ReplySink, Flushable {
  readonly session: Session;
  scheduled = false;
  /** See GatewayClient.resp3: set from the session before each command runs. */
  resp3 = false;
  /** See GatewayClient.transaction. */
  transaction: GatewayTransaction | undefined = undefined;
  /** See GatewayClient.watch. */
  watch: GatewayWatch | undefined = undefined;
  /** A request waiting until it is the only one owed (see whenAlone). */
  #whenAlone: (() => void) | undefined;
  /** Where the request being executed lies (filled on demand by `request`). */
  readonly #raw: RawRequest = { buf: Buffer.alloc(0), start: 0, end: 0 };
  readonly #socket: Socket;
  readonly #ctx: GatewayContext;
  readonly #decoder: RespRequestDecoder;
  readonly #queue = new ReplyQueue();
  /** The chunk fed last: requests inside it are forwarded without copying. */
  #chunk: Buffer | undefined;
  #pausedFor = 0;
  #closing = false;
  #closed = false;
  #running = false;

  constructor(
    socket: Socket,
    session: Session,
    ctx: GatewayContext,
    limits: RespRequestDecoderOptions,
  ) {
    this.#socket = socket;
    this.session = session;
    this.#ctx = ctx;
    this.#decoder = new RespRequestDecoder(limits);
    this.#decoder.unauthenticated = !session.authenticated;
    session.push = (frame) => this.#deliver(frame);
    socket.on('data', (chunk: Buffer) => {
      if (!this.#closing) this.#run(chunk);
    });
    socket.on('drain', () => this.#resume(PAUSED_FOR_OUTPUT));
    socket.on('end', () => this.shutdown());
    socket.on('close', () => {
      this.#closed = true;
      this.#whenAlone = undefined;
      endWatch(this);
    });
    socket.on('error', (error) =>
      ctx.logger.debug('client socket error', { id: session.id, error }),
    );
  }

  get id(): number {
    return this.session.id;
  }

  /** Requests read and not yet answered to the client. */
  get inflight(): number {
    return this.#queue.length;
  }

  /** Stops reading; the replies owed are sent, then the socket ends (QUIT, shutdown). */
  shutdown(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#socket.pause();
    this.#endIfDone();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Takes the reply slot of a new request. */
  reserve(time: number): number {
    return this.#queue.reserve(time);
  }

  /** See GatewayClient.whenAlone. The current request holds the newest slot of the queue. */
  whenAlone(send: () => void): void {
    if (this.#queue.length <= 1) send();
    else this.#whenAlone = send;
  }

  /** The current request's bytes, as received when possible (see locateRequest). */
  request(): RawRequest {
    locateRequest(this.#decoder.args, this.#chunk, this.#raw);
    return this.#raw;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    if (this.#closed) return;
    if (this.#queue.fill(tag, bytes, start, end)) this.#ctx.scheduler.schedule(this);
  }

  onMoved(
    tag: number,
    moved: MovedReply,
    request: Buffer,
    start: number,
    end: number,
    attempts: number,
  ): void {
    if (this.#closed) return;
    retryAfterMoved(this.#ctx, this, tag, moved, request.subarray(start, end), attempts);
  }

  /**
   * A Pub/Sub message for this client: it takes the next reply slot, so it leaves after every
   * reply owed for requests read before it (some may still be at the nodes). Its slot has no
   * request time, so it is not a latency sample. A client that stops reading is cut off past
   * the node's pubsub output limit.
   */
  #deliver(frame: Buffer): void {
    if (this.#closed || this.#closing) return;
    this.onReply(this.#queue.reserve(Number.NaN), frame, 0, frame.length);
    if (this.#socket.writableLength > PUBSUB_OUTPUT_LIMIT) {
      this.#ctx.logger.warn('subscriber dropped: output over the pubsub limit', {
        id: this.session.id,
      });
      this.#socket.destroy();
    }
  }

  /** Writes every reply ready at the head of the queue in one socket write. */
  flush(): void {
    const ctx = this.#ctx;
    const out = ctx.out;
    const stats = ctx.server.stats;
    const latency = stats.latency;
    const now = ctx.clock.monotonic();
    this.#queue.drain((buf, start, end, time) => {
      out.append(buf, start, end);
      if (buf[start] === MINUS) stats.errorReplies++;
      // A Pub/Sub message has no request time (NaN).
      if (time === time) latency.observe((now - time) / 1000);
    });
    const bytes = out.take();
    const socket = this.#socket;
    if (bytes !== undefined && !socket.destroyed) {
      socket.write(bytes);
      if (socket.writableLength > ctx.limits.maxPendingOutput) this.#pause(PAUSED_FOR_OUTPUT);
    }
    const waiting = this.#whenAlone;
    if (waiting !== undefined && this.#queue.length <= 1) {
      this.#whenAlone = undefined;
      waiting();
    }
    if (this.#queue.length <= ctx.limits.maxInflight >> 1) this.#resume(PAUSED_FOR_INFLIGHT);
    if (this.#queue.length === 0) this.#resume(PAUSED_FOR_PROTOCOL);
    if (this.#closing) this.#endIfDone();
  }

  /**
   * Feeds `chunk` and runs every complete command, unless paused; then reads again. Never
   * re-entered: a resume that happens while running is picked up by the loop here.
   */
  #run(chunk?: Buffer): void {
    const ctx = this.#ctx;
    const session = this.session;
    const decoder = this.#decoder;
    const maxInflight = ctx.limits.maxInflight;
    const mirrors = ctx.mirrors;
    this.#running = true;
    try {
      if (chunk !== undefined) {
        decoder.feed(chunk);
        this.#chunk = chunk;
      }
      const time = ctx.clock.monotonic();
      session.lastActiveAt = time;
      while (this.#pausedFor === 0 && !this.#closing) {
        if (decoder.next() === NEED_MORE) break;
        const resp3 = session.resp3;
        const watch = this.watch;
        this.resp3 = resp3;
        const tag = this.#queue.next;
        executeCommand(ctx, this, decoder.args, time);
        // CLIENT REPLY OFF or SKIP: the command's slot is filled as usual and sent empty.
        if (session.replyMode !== 0 && replyDropped(session, decoder.args.lower(0)))
          this.#queue.mute(tag);
        // AUTH and HELLO lift Redis's limits on unauthenticated requests for what follows.
        decoder.unauthenticated = !session.authenticated;
        // What follows takes other node connections than what is still owed (this one included).
        const moved = session.resp3 !== resp3 || this.watch !== watch;
        if (moved && this.#queue.length > 0) this.#pause(PAUSED_FOR_PROTOCOL);
        if (session.closeRequested) this.#closing = true;
        if (this.#queue.length >= maxInflight) this.#pause(PAUSED_FOR_INFLIGHT);
        if (mirrors !== undefined && mirrors.saturated) {
          this.#pause(PAUSED_FOR_MIRRORS);
          mirrors.waitForRoom(this.#resumeForMirrors);
        }
      }
    } catch (error) {
      this.#answerLocally(error);
      this.#closing = true;
    } finally {
      this.#running = false;
    }
    if (this.#closing) {
      this.#socket.pause();
      this.#endIfDone();
    } else if (this.#pausedFor === 0 && this.#socket.isPaused()) {
      this.#socket.resume();
    }
  }

  /** A broken request stream gets its error (as Redis sends it) and the connection closes. */
  #answerLocally(error: unknown): void {
    const ctx = this.#ctx;
    let text: string = GATEWAY_ERRORS.INTERNAL;
    if (error instanceof RespProtocolError) {
      text = error.reply;
      ctx.server.stats.protocolErrors++;
    } else {
      ctx.logger.error('request handling failed', { id: this.session.id, error });
    }
    const reply = Buffer.from(`-${text}\r\n`, 'latin1');
    this.onReply(this.reserve(ctx.clock.monotonic()), reply, 0, reply.length);
  }

  readonly #resumeForMirrors = (): void => this.#resume(PAUSED_FOR_MIRRORS);

  #pause(reason: number): void {
    if (this.#pausedFor === 0) this.#socket.pause();
    this.#pausedFor |= reason;
  }

  /** Lifts one reason to pause; with none left, runs the commands already read, then reads. */
  #resume(reason: number): void {
    if ((this.#pausedFor & reason) === 0) return;
    this.#pausedFor &= ~reason;
    if (this.#pausedFor === 0 && !this.#closing && !this.#running) this.#run();
  }

  #endIfDone(): void {
    if (this.#queue.length === 0 && !this.#socket.destroyed) this.#socket.end();
  }
}
