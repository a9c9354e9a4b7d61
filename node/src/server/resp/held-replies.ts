import type { CommandEntry } from './command-registry.ts';

const PENDING = 0;
const DURABLE = 1;
const FAILED = 2;

/** The reply of a write command waiting for durability, and the replies queued behind it. */
interface HeldReply {
  readonly entry: CommandEntry;
  readonly reply: Buffer;
  readonly after: Buffer[];
  state: typeof PENDING | typeof DURABLE | typeof FAILED;
}

/**
 * Keeps a connection's replies in order while write commands wait for `store.durable()`. A held
 * write's reply, and every reply after it, leaves only once the write is durable; if the sync
 * fails, that write's reply becomes `failedReply` instead. Replies with nothing pending ahead of
 * them go straight out. Commands keep running meanwhile (as Redis does while it fsyncs before
 * replying); only their replies wait.
 */
export class HeldReplies {
  readonly #queue: HeldReply[] = [];
  readonly #send: (chunks: Buffer[]) => void;
  readonly #failedReply: Buffer;
  readonly #onFailure: (entry: CommandEntry, error: unknown) => void;
  /** Bytes waiting in the queue, for back-pressure. */
  bytes = 0;

  constructor(
    send: (chunks: Buffer[]) => void,
    failedReply: Buffer,
    onFailure: (entry: CommandEntry, error: unknown) => void,
  ) {
    this.#send = send;
    this.#failedReply = failedReply;
    this.#onFailure = onFailure;
  }

  get empty(): boolean {
    return this.#queue.length === 0;
  }

  /** Sends `bytes` now, or queues them behind the last held reply. */
  emit(bytes: Buffer): void {
    const last = this.#queue.at(-1);
    if (last === undefined) {
      this.#send([bytes]);
    } else {
      last.after.push(bytes);
      this.bytes += bytes.length;
    }
  }

  /** Holds `reply` (of the write `entry`) until `durable` settles. */
  hold(entry: CommandEntry, reply: Buffer, durable: Promise<void>): void {
    const held: HeldReply = { entry, reply, after: [], state: PENDING };
    this.#queue.push(held);
    this.bytes += reply.length;
    durable.then(
      () => this.#settle(held, DURABLE),
      (error: unknown) => {
        this.#onFailure(entry, error);
        this.#settle(held, FAILED);
      },
    );
  }

  /** Releases, in order, every reply no longer waiting for a pending write ahead of it. */
  #settle(held: HeldReply, state: typeof DURABLE | typeof FAILED): void {
    held.state = state;
    const queue = this.#queue;
    if (queue[0] !== held) return;
    const chunks: Buffer[] = [];
    let released = 0;
    while (released < queue.length && (queue[released] as HeldReply).state !== PENDING) {
      const next = queue[released++] as HeldReply;
      // A reply dropped by CLIENT REPLY OFF or SKIP (empty) stays dropped when the sync fails.
      const failed = next.state === FAILED && next.reply.length > 0;
      chunks.push(failed ? this.#failedReply : next.reply, ...next.after);
      this.bytes -= next.reply.length;
      for (const bytes of next.after) this.bytes -= bytes.length;
    }
    queue.splice(0, released);
    this.#send(chunks);
  }
}
