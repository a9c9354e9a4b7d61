import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A small pipelining RESP2 client for the demo's driver and its INFO reads: a batch of commands
 * goes out in one write, and resolves with their replies in order. (The product's own code may
 * not depend on the dev-only client libraries, and the driver needs nothing more.)
 */

/** An error reply (`-ERR ...`): a value, so one failed command does not fail its batch. */
export class ReplyError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export type Reply = string | number | null | ReplyError | Reply[];

const CRLF = Buffer.from('\r\n');

export class RespClient {
  readonly #socket: Socket;
  readonly #waiting: ((reply: Reply) => void)[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #failure: Error | undefined;
  readonly #onFailure: ((error: Error) => void)[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  /** Connects to host:port; rejects when the connection cannot be made. */
  static connect(host: string, port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends every command in one write; resolves with their replies, in order. */
  pipeline(commands: readonly (readonly (string | Buffer)[])[]): Promise<Reply[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const parts: Buffer[] = [];
    for (const command of commands) encode(command, parts);
    const replies = commands.map(
      () =>
        new Promise<Reply>((resolve, reject) => {
          this.#waiting.push(resolve);
          this.#onFailure.push(reject);
        }),
    );
    this.#socket.write(Buffer.concat(parts));
    return Promise.all(replies);
  }

  async command(...args: (string | Buffer)[]): Promise<Reply> {
    const [reply] = await this.pipeline([args]);
    return reply as Reply;
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let at = 0;
    for (;;) {
      let parsed: { value: Reply; end: number } | undefined;
      try {
        parsed = parse(this.#buffer, at);
      } catch (error) {
        this.#fail(error as Error);
        return;
      }
      if (parsed === undefined) break;
      at = parsed.end;
      this.#onFailure.shift();
      const resolve = this.#waiting.shift();
      if (resolve === undefined) {
        this.#fail(new Error('a reply arrived for no request'));
        return;
      }
      resolve(parsed.value);
    }
    this.#buffer = this.#buffer.subarray(at);
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#waiting.length = 0;
    for (const reject of this.#onFailure.splice(0)) reject(error);
    this.#socket.destroy();
  }
}

function encode(args: readonly (string | Buffer)[], into: Buffer[]): void {
  into.push(Buffer.from(`*${args.length}\r\n`));
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    into.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
}

/** One reply starting at `at`, or undefined when it is not complete yet. */
function parse(buf: Buffer, at: number): { value: Reply; end: number } | undefined {
  const lineEnd = buf.indexOf(CRLF, at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[at] as number);
  const line = buf.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new ReplyError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, end);
        if (item === undefined) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new TypeError(`unexpected RESP reply type '${type}'`);
  }
}

/** The `field:value` lines of an INFO reply. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
