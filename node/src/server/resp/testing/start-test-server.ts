import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Store } from '../../../core/store.ts';
import type { StoreOptions } from '../../../core/store.ts';
import { createSystemClock } from '../../../util/clock.ts';
import type { Clock } from '../../../util/clock.ts';
import { createRespServer } from '../create-resp-server.ts';
import type { RespServer, RespServerOptions } from '../create-resp-server.ts';
import type { RespStore } from '../server-context.ts';

export interface TestServer {
  readonly server: RespServer;
  readonly store: RespStore;
  readonly port: number;
  close(): Promise<void>;
}

export interface TestServerOptions extends Partial<Omit<RespServerOptions, 'store' | 'clock'>> {
  readonly store?: RespStore;
  readonly clock?: Clock;
  readonly storeOptions?: Omit<StoreOptions, 'clock'>;
}

/** A real RESP server over a real Store on 127.0.0.1 and a free port, for integration tests. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const clock = options.clock ?? createSystemClock();
  const limit = options.maxValueSize === undefined ? {} : { maxValueSize: options.maxValueSize };
  const store = options.store ?? new Store({ clock, ...limit, ...options.storeOptions });
  const server = createRespServer({ closeTimeoutMs: 1000, ...options, store, clock });
  const address = await server.listen(0, '127.0.0.1');
  return { server, store, port: address.port, close: () => server.close() };
}

/** A raw TCP client: send bytes, read until the server closes or a timeout passes. */
export class RawClient {
  readonly socket: Socket;
  readonly #received: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.#received.push(chunk));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Everything received so far, as latin1. */
  get text(): string {
    return Buffer.concat(this.#received).toString('latin1');
  }

  get bytesReceived(): number {
    return this.#received.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** Waits until `predicate(text)` holds, or throws after `timeoutMs`. */
  async waitFor(predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.text)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; received ${JSON.stringify(this.text.slice(0, 500))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.text;
  }

  /** True if the server closed the connection within `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    return Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs)),
    ]);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
