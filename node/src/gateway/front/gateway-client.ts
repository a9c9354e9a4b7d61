import type { GatewayTransaction } from '../commands/gateway-transaction.ts';
import type { Session } from '../../server/resp/session.ts';
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
}

/** Answers slot `tag` with an error of the gateway's own. */
export function replyError(client: ReplySink, tag: number, text: string): void {
  const reply = Buffer.from(`-${text.replace(/[\r\n]/g, ' ')}\r\n`, 'latin1');
  client.onReply(tag, reply, 0, reply.length);
}
