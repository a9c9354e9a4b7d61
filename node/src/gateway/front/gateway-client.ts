import type { GatewayTransaction } from '../commands/gateway-transaction.ts';
import type { GatewayWatch } from '../commands/gateway-watch.ts';
import type { Session } from '../../server/resp/session.ts';
import type { NodeLink } from '../upstream/node-link.ts';
import type { NodePool } from '../upstream/node-pool.ts';
import type { ReplySink } from '../upstream/reply-sink.ts';
import type { RawRequest } from './request-bytes.ts';

/** What command routing needs of a client connection. */
export interface GatewayClient extends ReplySink {
  /** The session id; also picks the client's connection in each node's pool. */
  readonly id: number;
  readonly session: Session;
  /**
   * The protocol of the commands this client has out at the nodes, which picks the node
   * connections (RESP2 or RESP3) its commands and their MOVED retries take. It is the session's
   * protocol, except after a HELLO that switched it while earlier commands were still out: those
   * finish first (see ClientConnection).
   */
  readonly resp3: boolean;
  /** Takes the reply slot of a new request read at `time`; returns its tag. */
  reserve(time: number): number;
  /** The bytes of the request being executed, as received when possible. */
  request(): RawRequest;
  /** Between MULTI and EXEC or DISCARD: what is queued (gateway-transaction.ts). */
  transaction: GatewayTransaction | undefined;
  /**
   * From WATCH to EXEC, DISCARD or UNWATCH: the node connection of the client's own that holds
   * the watch (gateway-watch.ts). Setting or clearing it changes which connection the client's
   * commands take, so the client reads nothing more until every reply it is owed has come back.
   */
  watch: GatewayWatch | undefined;
  /**
   * Runs `send` once every request read before the current one has been answered (at once when
   * none is owed): a request that must not overtake them at a node, as the WATCH that moves the
   * client to a connection of its own.
   */
  whenAlone(send: () => void): void;
}

/**
 * The connection that carries `client`'s commands to `pool`: the one of its own while it watches
 * keys there (so that they reach the node in order after its WATCH), else its shared one of
 * protocol `resp3`.
 */
export function linkFor(client: GatewayClient, pool: NodePool, resp3 = client.resp3): NodeLink {
  const watch = client.watch;
  if (watch !== undefined && watch.pool === pool && watch.resp3 === resp3) return watch.link;
  return pool.pick(client.id, resp3);
}

/** Answers slot `tag` with an error of the gateway's own. */
export function replyError(client: ReplySink, tag: number, text: string): void {
  const reply = Buffer.from(`-${text.replace(/[\r\n]/g, ' ')}\r\n`, 'latin1');
  client.onReply(tag, reply, 0, reply.length);
}
