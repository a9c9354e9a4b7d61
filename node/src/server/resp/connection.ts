import type { Socket } from 'node:net';
import { CommandArgs } from '../../protocol/resp/command-args.ts';
import { RespRequestDecoder } from '../../protocol/resp/decoder.ts';
import type { RespRequestDecoderOptions } from '../../protocol/resp/decoder.ts';
import { RespProtocolError } from '../../protocol/resp/errors.ts';
import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import { NEED_MORE } from '../../protocol/resp/types.ts';
import type { BlockedCommand } from './command-router.ts';
import { replyDropped } from './commands/client-modes.ts';
import { dispatch, resumeBlocked } from './dispatch.ts';
import { ERRORS } from './errors.ts';
import type { Flushable, TurnEnd } from '../turn-end.ts';
import { HeldReplies } from './held-replies.ts';
import type { Session } from './session.ts';
import { logSlowCall } from './slow-calls.ts';

export interface ConnectionLimits extends RespRequestDecoderOptions {
  /**
   * Command processing and reading pause while more than this many reply bytes wait (in the
   * socket, or held for durability), and resume once they drain: a client that pipelines without
   * reading its replies cannot make the server buffer without bound.
   */
  readonly maxPendingOutput: number;
}

const DURABILITY_FAILED_REPLY = Buffer.from(`-${ERRORS.DURABILITY_FAILED}\r\n`);
/** The reply of a write dropped by CLIENT REPLY OFF or SKIP, while it waits for durability. */
const NO_REPLY = Buffer.alloc(0);
/** Replies are sent mid-batch, without waiting for the end of the turn, from this many bytes. */
const FLUSH_BYTES = 64 * 1024;
/**
 * A subscriber whose unsent output passes this is disconnected, as Redis's default
 * `client-output-buffer-limit pubsub 32mb`: a client that subscribes and stops reading must not
 * make the server buffer messages without bound.
 */
export const PUBSUB_OUTPUT_LIMIT = 32 * 1024 * 1024;
/** Why processing is paused; it resumes when no reason is left. */
const PAUSED_FOR_OUTPUT = 1;
const PAUSED_FOR_HELD = 2;
/** A command the cluster router made wait (command-router.ts); later commands wait behind it. */
const PAUSED_FOR_ROUTE = 4;

/**
 * One client socket: decodes requests, runs each complete command in order, and sends the replies
 * of everything the socket delivered in one event-loop turn (a whole pipeline) in one write, at
 * the end of the turn (TurnEnd), when every other socket's commands have run too; replies that
 * reach 64 KiB, or those of a closing connection, go at once. Write commands whose
 * durability is pending hold back their reply and all later ones (HeldReplies). When too many
 * reply bytes wait, it stops running commands and reading until they drain. After QUIT or a
 * protocol error it reads nothing more, sends what it owes, and closes.
 */
export class Connection implements Flushable {
  readonly session: Session;
  /** Queued for the end of the turn (set and cleared by TurnEnd). */
  scheduled = false;
  readonly #socket: Socket;
  readonly #decoder: RespRequestDecoder;
  /** Shared by every connection of the server; always emptied before a callback returns. */
  readonly #writer: ReplyWriter;
  readonly #held: HeldReplies;
  readonly #maxPendingOutput: number;
  readonly #turnEnd: TurnEnd;
  /** Replies waiting for the end of the turn, and their bytes; written at once from this many. */
  #out: Buffer[] = [];
  #outBytes = 0;
  readonly #flushBytes: number;
  #pausedFor = 0;
  #closing = false;
  #running = false;
  /** The command waiting for the router, if any: its reply is still owed. */
  #blocked: BlockedCommand | undefined = undefined;
  /**
   * Pushes written during the running command while CLIENT REPLY is OFF or SKIP: they go out
   * even when its reply is dropped.
   */
  #pushes: Buffer[] = [];

  constructor(
    socket: Socket,
    session: Session,
    writer: ReplyWriter,
    limits: ConnectionLimits,
    turnEnd: TurnEnd,
  ) {
    this.#socket = socket;
    this.session = session;
    this.#writer = writer;
    this.#maxPendingOutput = limits.maxPendingOutput;
    this.#turnEnd = turnEnd;
    // Back-pressure sees the socket's pending bytes: never hold back more than it allows.
    this.#flushBytes = Math.min(FLUSH_BYTES, limits.maxPendingOutput);
    this.#decoder = new RespRequestDecoder(limits);
    this.#decoder.unauthenticated = !session.authenticated;
    this.#held = new HeldReplies(
      (chunks) => this.#send(chunks),
      DURABILITY_FAILED_REPLY,
      (entry, error) => {
        entry.errors++;
        session.server.stats.errorReplies++;
        session.server.logger?.error('write not durable', { command: entry.fullName, error });
      },
    );
    session.push = (frame) => this.#deliver(frame);
    socket.on('data', this.#onData);
    socket.on('drain', this.#onDrain);
    // The server allows half-open sockets: a client that shuts down its side after a pipeline
    // still gets every reply, including ones waiting for durability.
    socket.on('end', () => this.shutdown());
    socket.on('error', (error) =>
      session.server.logger?.debug('client socket error', { id: session.id, error }),
    );
  }

  /** Stops reading; the replies owed are sent, then the socket ends. Used by QUIT and close(). */
  shutdown(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#socket.pause();
    this.#endIfDone();
  }

  /** Cuts the connection now (close() after its grace period). */
  destroy(): void {
    this.#socket.destroy();
  }

  readonly #onData = (chunk: Buffer): void => {
    if (!this.#closing) this.#run(chunk);
  };

  readonly #onDrain = (): void => {
    this.#resume(PAUSED_FOR_OUTPUT);
  };

  /**
   * Feeds `chunk` and runs every complete command, batch after batch while a pause is lifted
   * during one (a reply sent mid-batch can free the held bytes), then reads again unless paused.
   * Never re-entered: a resume that happens while running is picked up by the loop here.
   */
  #run(chunk?: Buffer): void {
    this.#running = true;
    try {
      let stoppedByPause = this.#runBatch(chunk);
      while (stoppedByPause && this.#pausedFor === 0 && !this.#closing)
        stoppedByPause = this.#runBatch();
    } finally {
      this.#running = false;
    }
    if (this.#pausedFor === 0 && !this.#closing && this.#socket.isPaused()) this.#socket.resume();
  }

  /**
   * One batch: runs decoded commands until more bytes are needed (false) or a pause (true).
   *
   * Timing: the batch is timed as a whole for the latency histogram and commandstats
   * (command-stats.ts). While the slow log is on, the clock is also read after each command, the
   * previous reading being its start: one read per command, and none added without pipelining,
   * where that read is the batch's end. A command's time then includes decoding it.
   */
  #runBatch(chunk?: Buffer): boolean {
    const session = this.session;
    const server = session.server;
    const clock = server.clock;
    const slowLog = server.slowLog;
    const decoder = this.#decoder;
    const writer = this.#writer;
    const started = clock.monotonic();
    /** The last reading, and whether nothing ran since (then it is also the batch's end). */
    let last = started;
    let lastIsNow = false;
    let commands = 0;
    let stoppedByPause = false;
    try {
      if (chunk !== undefined) decoder.feed(chunk);
      for (;;) {
        if (this.#pausedFor !== 0) {
          stoppedByPause = true;
          break;
        }
        const count = decoder.next();
        if (count === NEED_MORE) break;
        commands++;
        let mark = writer.pendingLength;
        const write = dispatch(session, decoder.args, writer);
        lastIsNow = false;
        if (slowLog.slowerThanUs >= 0) {
          const now = clock.monotonic();
          logSlowCall(session, decoder.args, now - last);
          last = now;
          lastIsNow = true;
        }
        if (session.blocked !== undefined) this.#block(session.blocked, decoder.args);
        else if (session.replyMode !== 0) mark = this.#silence(mark);
        if (write !== undefined) {
          const durable = session.store.durable();
          if (durable !== undefined) {
            const before = writer.take(mark);
            if (before !== undefined) this.#held.emit(before);
            this.#held.hold(write, writer.take() ?? NO_REPLY, durable);
            if (this.#held.bytes > this.#maxPendingOutput) this.#pause(PAUSED_FOR_HELD);
          }
        }
        // AUTH and HELLO lift Redis's limits on unauthenticated requests for what follows.
        decoder.unauthenticated = !session.authenticated;
        if (session.closeRequested) {
          this.#closing = true;
          break;
        }
        if (writer.pendingLength >= FLUSH_BYTES) this.#held.emit(writer.take() as Buffer);
      }
    } catch (error) {
      if (error instanceof RespProtocolError) {
        writer.error(error.reply);
        server.stats.protocolErrors++;
      } else {
        writer.error(ERRORS.INTERNAL);
        server.logger?.error('request handling failed', { id: session.id, error });
      }
      this.#closing = true;
    }
    const finished = lastIsNow ? last : clock.monotonic();
    server.stats.observeBatch(commands, finished - started);
    session.lastActiveAt = finished;
    const replies = writer.take();
    if (replies !== undefined) this.#held.emit(replies);
    if (this.#closing) {
      this.#socket.pause();
      this.#endIfDone();
    }
    return stoppedByPause;
  }

  /**
   * A Pub/Sub message for this client. When this client's own command published it (the
   * connection is running it now), it goes into the writer after the replies before that
   * command and ahead of its reply, the order Redis sends them in. Otherwise it queues behind
   * the replies this client is owed.
   */
  #deliver(frame: Buffer): void {
    if (this.#closing || this.#socket.destroyed) return;
    if (this.#running) {
      this.#writer.raw(frame);
      if (this.session.replyMode !== 0) this.#pushes.push(frame);
      return;
    }
    this.#held.emit(frame);
    const unsent = this.#socket.writableLength + this.#outBytes + this.#held.bytes;
    if (unsent > PUBSUB_OUTPUT_LIMIT) {
      this.session.server.logger?.warn('subscriber dropped: output over the pubsub limit', {
        id: this.session.id,
        bytes: unsent,
      });
      this.#socket.destroy();
    }
  }

  /**
   * CLIENT REPLY OFF or SKIP, after a command that wrote its reply from `mark` on: drops that
   * reply when the mode says so, keeping the pushes written meanwhile. Returns where the
   * command's reply now starts (after those pushes).
   */
  #silence(mark: number): number {
    const writer = this.#writer;
    const pushes = this.#pushes;
    this.#pushes = [];
    if (!replyDropped(this.session, this.session.called?.spec.name)) return mark;
    writer.truncate(mark);
    for (const frame of pushes) writer.raw(frame);
    return writer.pendingLength;
  }

  /** Replies ready to go (HeldReplies released them): at the end of the turn, or now. */
  #send(chunks: Buffer[]): void {
    if (!this.#socket.destroyed) {
      for (const chunk of chunks) {
        this.#out.push(chunk);
        this.#outBytes += chunk.length;
      }
      if (this.#outBytes >= this.#flushBytes || this.#closing) this.flush();
      else if (this.#outBytes > 0) this.#turnEnd.schedule(this);
    }
    if (this.#held.bytes <= this.#maxPendingOutput) this.#resume(PAUSED_FOR_HELD);
    if (this.#closing) this.#endIfDone();
  }

  /** Writes the replies waiting for the end of the turn in one socket write (TurnEnd calls it). */
  flush(): void {
    const out = this.#out;
    if (out.length === 0) return;
    this.#out = [];
    this.#outBytes = 0;
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
    if (socket.writableLength > this.#maxPendingOutput) this.#pause(PAUSED_FOR_OUTPUT);
  }

  /**
   * The router made the command just dispatched wait: stop running commands until the wait
   * settles, then run it again (or reply with the error the wait resolved to), then go on.
   */
  #block(command: BlockedCommand, decoded: CommandArgs): void {
    this.session.blocked = undefined;
    this.#blocked = command;
    // It runs again later, outside a batch (#unblock): its pushes so far are already written.
    this.#pushes = [];
    this.#pause(PAUSED_FOR_ROUTE);
    // The decoder reuses its arguments for the next command: the second run needs a copy.
    const args = CommandArgs.fromBuffers(decoded.toBuffers());
    this.#await(command, args);
  }

  #await(command: BlockedCommand, args: CommandArgs): void {
    command.wait.then(
      (verdict) => this.#unblock(command, args, verdict),
      () => this.#unblock(command, args, ERRORS.INTERNAL),
    );
  }

  #unblock(command: BlockedCommand, args: CommandArgs, verdict: string | undefined): void {
    if (this.#socket.destroyed) return;
    const session = this.session;
    const writer = this.#writer;
    const clock = session.server.clock;
    const started = clock.monotonic();
    const write = resumeBlocked(session, command, args, writer, verdict);
    // Timed from when it ran again, the wait left out (Redis leaves out a blocked client's wait).
    logSlowCall(session, args, clock.monotonic() - started);

    if (session.blocked !== undefined) {
      // Waits again (the ring changed during the wait, say): nothing was written.
      const again = session.blocked;
      session.blocked = undefined;
      this.#blocked = again;
      this.#await(again, args);
      return;
    }
    if (session.replyMode !== 0) this.#silence(0);
    const reply = writer.take();
    const durable = write === undefined ? undefined : session.store.durable();
    if (durable !== undefined && write !== undefined && reply !== undefined) {
      this.#held.hold(write, reply, durable);
      if (this.#held.bytes > this.#maxPendingOutput) this.#pause(PAUSED_FOR_HELD);
    } else if (reply !== undefined) {
      this.#held.emit(reply);
    }
    // Cleared only now: a client that shut down its side must not be ended before the commands
    // queued behind this one have run.
    this.#blocked = undefined;
    this.#pausedFor &= ~PAUSED_FOR_ROUTE;
    // Commands already received run even when the client has shut down its side meanwhile.
    if (this.#pausedFor === 0) this.#run();
    else if (this.#closing) this.#endIfDone();
  }

  #pause(reason: number): void {
    if (this.#pausedFor === 0) this.#socket.pause();
    this.#pausedFor |= reason;
  }

  /** Lifts one reason to pause; with none left, runs the commands still decoded, then reads again. */
  #resume(reason: number): void {
    if ((this.#pausedFor & reason) === 0) return;
    this.#pausedFor &= ~reason;
    if (this.#pausedFor === 0 && !this.#closing && !this.#running) this.#run();
  }

  #endIfDone(): void {
    if (this.#held.empty && this.#blocked === undefined && !this.#socket.destroyed) {
      this.flush();
      this.#socket.end();
    }
  }
}
