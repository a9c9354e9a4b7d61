import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeCommand } from '../../protocol/resp/encoder.ts';
import { parseReply, RespErrorReply } from '../../protocol/resp/reply-parser.ts';
import type { RespReply } from '../../protocol/resp/reply-parser.ts';

/** A reply as tests compare it: bulk strings as latin1 strings, errors as `{ error }`. */
export type Reply = string | number | bigint | null | { error: string } | Reply[];

/**
 * A minimal pipelining RESP client for the gateway's tests: `call` sends one command, `pipeline`
 * many in one write, and replies are matched in order. Independent of the gateway's own code
 * (it uses the node's encoder and reply parser), so it checks the gateway from the outside.
 */
export class RespTestClient {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #waiting: {
    count: number;
    replies: Reply[];
    resolve: (r: Reply[]) => void;
    reject: (e: Error) => void;
  }[] = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('connection closed'));
    });
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RespTestClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    return new RespTestClient(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one command and resolves with its reply. */
  async call(...args: (string | Buffer)[]): Promise<Reply> {
    const [reply] = await this.pipeline([args]);
    return reply as Reply;
  }

  /** Sends every command in one write and resolves with their replies, in order. */
  pipeline(commands: readonly (readonly (string | Buffer)[])[]): Promise<Reply[]> {
    return this.sendRaw(
      Buffer.concat(commands.map((args) => encodeCommand(args))),
      commands.length,
    );
  }

  /** Sends raw bytes and resolves with the next `count` replies. */
  sendRaw(bytes: Buffer, count: number): Promise<Reply[]> {
    const promise = new Promise<Reply[]>((resolve, reject) => {
      this.#waiting.push({ count, replies: [], resolve, reject });
    });
    this.#socket.write(bytes);
    return promise;
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    for (;;) {
      const waiter = this.#waiting[0];
      if (waiter === undefined) break;
      const parsed = parseReply(this.#buffer, offset);
      if (parsed === undefined) break;
      offset = parsed.next;
      waiter.replies.push(simplify(parsed.value));
      if (waiter.replies.length === waiter.count) {
        this.#waiting.shift();
        waiter.resolve(waiter.replies);
      }
    }
    this.#buffer = this.#buffer.subarray(offset);
  }
}

export function simplify(reply: RespReply): Reply {
  if (reply instanceof RespErrorReply) return { error: reply.message };
  if (Buffer.isBuffer(reply)) return reply.toString('latin1');
  if (Array.isArray(reply)) return reply.map(simplify);
  return reply;
}
