import type { CommandEntry } from './command-registry.ts';
import type { BlockedCommand } from './command-router.ts';
import { Subscriptions } from './pubsub/pubsub-hub.ts';
import type { Subscriber } from './pubsub/pubsub-hub.ts';
import type { RespStore, ServerContext } from './server-context.ts';
import type { Transaction } from './transaction.ts';
import type { TrackedClient, TrackingState } from './tracking/tracking-registry.ts';

/** What a session knows about its peer; absent for socket-free sessions (tests). */
export interface PeerInfo {
  readonly remote: string;
  readonly local: string;
}

/**
 * One client's state: identity and name (CLIENT), authentication, protocol (HELLO), library info
 * (CLIENT SETINFO), and what CLIENT LIST shows. Commands receive it as their context; it holds no
 * socket, so the same commands run in socket-free tests.
 */
export class Session implements Subscriber, TrackedClient {
  readonly id: number;
  readonly server: ServerContext;
  /** The server's store, copied here because every data command reads it. */
  readonly store: RespStore;
  readonly peer: PeerInfo;
  authenticated: boolean;
  /**
   * True once `HELLO 3` switched the connection to RESP3 (`HELLO 2` switches back). The
   * dispatcher copies it into the reply writer before each command (ReplyWriter.resp3).
   */
  resp3 = false;
  name = '';
  libName = '';
  libVersion = '';
  /** Monotonic ms when the session started and when its last batch of commands ran. */
  readonly createdAt: number;
  lastActiveAt: number;
  /** Full name of the last command run (CLIENT LIST's `cmd`). */
  lastCommand = 'NULL';
  /** Set by QUIT: the connection sends the replies so far, then closes. */
  closeRequested = false;
  /**
   * Ends this client's connection at once (CLIENT KILL from another client). The listener sets
   * it to destroy the socket; a socket-free session only marks itself to close.
   */
  kill: () => void = () => {
    this.closeRequested = true;
  };
  /**
   * The command whose handler the last dispatch ran (Redis's call()), for the slow log; undefined
   * when it was refused, queued in MULTI or unknown.
   */
  called: CommandEntry | undefined = undefined;
  /** Set by the dispatcher when the router made the command wait (command-router.ts). */

  blocked: BlockedCommand | undefined = undefined;
  /** Between MULTI and EXEC or DISCARD: the commands queued (transaction.ts). */
  transaction: Transaction | undefined = undefined;
  /** WATCH: each watched key, and whether it existed when watched (transaction.ts). */
  watched: Map<string, boolean> | undefined = undefined;
  /** A write touched a watched key since WATCH: the next EXEC aborts. */
  watchBroken = false;
  /**
   * A script's redis.call ran a write: EVAL is not a write command itself, so the dispatcher
   * reads and clears this to make the reply wait for durability as a write's does.
   */
  wroteInScript = false;
  /** Channels, patterns and shard channels this client listens to (Pub/Sub). */
  readonly subscriptions = new Subscriptions();
  /** CLIENT TRACKING's settings while it is on (tracking/tracking-registry.ts). */
  tracking: TrackingState | undefined = undefined;
  /**
   * CLIENT REPLY OFF and SKIP (client-modes.ts), 0 while replies go out: the connection tests it
   * once per command and drops the command's reply when asked to.
   */
  replyMode = 0;
  /** CLIENT NO-TOUCH: the dispatcher turns the store's `noTouch` on around this client's commands. */
  noTouch = false;
  /** CLIENT NO-EVICT: shown in CLIENT LIST (flag e), nothing else (no client eviction here). */
  noEvict = false;
  /**
   * Sends a Pub/Sub message frame to this client, in order with its replies. The connection
   * points it at its socket; a socket-free session drops messages.
   */
  push: (frame: Buffer) => void = () => {};

  constructor(id: number, server: ServerContext, peer: PeerInfo = { remote: '', local: '' }) {
    this.id = id;
    this.server = server;
    this.store = server.store;
    this.peer = peer;
    this.authenticated = server.settings.requirePass === undefined;
    this.createdAt = server.clock.monotonic();
    this.lastActiveAt = this.createdAt;
  }
}
