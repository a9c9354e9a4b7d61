import { Store } from '../../../core/store.ts';
import type { StoreOptions } from '../../../core/store.ts';
import { CommandArgs } from '../../../protocol/resp/command-args.ts';
import { parseReply, RespErrorReply } from '../../../protocol/resp/reply-parser.ts';
import type { RespReply } from '../../../protocol/resp/reply-parser.ts';
import { ReplyWriter } from '../../../protocol/resp/reply-writer.ts';
import { ManualClock } from '../../../util/clock.ts';
import { dispatch } from '../dispatch.ts';
import { createServerContext } from '../resp-options.ts';
import type { RespServerOptions } from '../resp-options.ts';
import type { RespStore, ServerContext } from '../server-context.ts';
import { Session } from '../session.ts';

/** A reply as tests compare it: bulk strings as latin1 strings, errors as `{ error }`. */
export type Reply = string | number | bigint | null | { error: string } | Reply[];

export interface HarnessOptions extends Partial<Omit<RespServerOptions, 'store' | 'clock'>> {
  readonly store?: RespStore;
  readonly storeOptions?: Omit<StoreOptions, 'clock'>;
}

/**
 * Runs commands without sockets (dragonfly's BaseFamilyTest `Run({...})`): a real Store on a
 * ManualClock, the real dispatcher and reply writer, and the reply parsed back.
 */
export class CommandHarness {
  readonly clock = new ManualClock();
  readonly store: RespStore;
  readonly server: ServerContext;
  readonly writer = new ReplyWriter();
  #nextId = 1;
  /** The session `run` uses; `connect()` makes more. */
  readonly session: Session;

  constructor(options: HarnessOptions = {}) {
    // The node gives the store and the server the same value size limit; so does the harness.
    const limit = options.maxValueSize === undefined ? {} : { maxValueSize: options.maxValueSize };
    this.store =
      options.store ?? new Store({ clock: this.clock, ...limit, ...options.storeOptions });
    this.server = createServerContext(
      { ...options, store: this.store, clock: this.clock },
      () => 6379,
    );
    this.session = this.connect();
  }

  /** A new client session, registered as connected (CLIENT LIST sees it). */
  connect(): Session {
    const session = new Session(this.#nextId++, this.server, {
      remote: '127.0.0.1:50000',
      local: '127.0.0.1:6379',
    });
    this.server.sessions.set(session.id, session);
    return session;
  }

  /** The raw reply bytes (latin1) of one command. */
  wire(...args: (string | Buffer)[]): string {
    return this.wireAs(this.session, ...args);
  }

  wireAs(session: Session, ...args: (string | Buffer)[]): string {
    const buffers = args.map((arg) => (typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg));
    dispatch(session, CommandArgs.fromBuffers(buffers), this.writer);
    return this.writer.take()?.toString('latin1') ?? '';
  }

  /** The parsed reply of one command (bulk strings as latin1 strings, errors as `{ error }`). */
  run(...args: (string | Buffer)[]): Reply {
    return this.runAs(this.session, ...args);
  }

  runAs(session: Session, ...args: (string | Buffer)[]): Reply {
    const bytes = Buffer.from(this.wireAs(session, ...args), 'latin1');
    const parsed = parseReply(bytes);
    if (!parsed || parsed.next !== bytes.length) {
      throw new Error(
        `expected exactly one reply, got ${JSON.stringify(bytes.toString('latin1'))}`,
      );
    }
    return simplify(parsed.value);
  }
}

function simplify(reply: RespReply): Reply {
  if (reply instanceof RespErrorReply) return { error: reply.message };
  if (Buffer.isBuffer(reply)) return reply.toString('latin1');
  if (Array.isArray(reply)) return reply.map(simplify);
  return reply;
}
