import type { CommandArgs } from '../../protocol/resp/command-args.ts';
import { ERRORS } from '../../server/resp/errors.ts';
import { GATEWAY_ERRORS } from '../errors.ts';
import { linkFor, replyError } from '../front/gateway-client.ts';
import type { GatewayClient } from '../front/gateway-client.ts';
import type { GatewayContext } from '../front/gateway-context.ts';
import { encodeArgs } from '../front/request-bytes.ts';
import type { MovedReply, ReplySink } from '../upstream/reply-sink.ts';
import { arrayElements, bulkText, isError } from './merge-replies.ts';
import { nextScanCursor, parseScanCursor } from './scan-cursor.ts';

const DONE = Buffer.from('*2\r\n$1\r\n0\r\n*0\r\n');
const UNEXPECTED = Buffer.from('-ERR unexpected reply from a node\r\n');

/**
 * SCAN cursor [MATCH p] [COUNT n] [TYPE t]: one page from the node the composite cursor points
 * at (see scan-cursor.ts), the node's options passed as they are, its cursor swapped for ours.
 */
export function routeScan(
  ctx: GatewayContext,
  client: GatewayClient,
  args: CommandArgs,
  tag: number,
  attempts: number,
): void {
  const position = parseScanCursor(args.latin1(1));
  if (position === undefined) return replyError(client, tag, ERRORS.INVALID_CURSOR);
  const pools = ctx.router.pools;
  if (pools.length === 0) return replyError(client, tag, GATEWAY_ERRORS.NO_RING);
  const pool = pools[position.nodeIndex];
  // A cursor past the last node (the ring shrank during the walk): the walk is over.
  if (pool === undefined) return client.onReply(tag, DONE, 0, DONE.length);
  const request = encodeArgs(args, 1, Buffer.from(String(position.nodeCursor), 'latin1'));
  const sink = new ScanPage(client, position.nodeIndex, pools.length);
  linkFor(client, pool).send(sink, tag, request, 0, request.length, attempts);
}

/** Rewrites a node's `[cursor, keys]` page into the client's composite cursor. */
class ScanPage implements ReplySink {
  readonly #client: ReplySink;
  readonly #nodeIndex: number;
  readonly #nodeCount: number;

  constructor(client: ReplySink, nodeIndex: number, nodeCount: number) {
    this.#client = client;
    this.#nodeIndex = nodeIndex;
    this.#nodeCount = nodeCount;
  }

  onReply(tag: number, bytes: Buffer, start: number, end: number): void {
    if (isError(bytes, start)) return this.#client.onReply(tag, bytes, start, end);
    const ranges = arrayElements(bytes, start, end);
    const cursor =
      ranges && ranges.length === 4 ? bulkText(bytes, ranges[0]!, ranges[1]!) : undefined;
    if (ranges === undefined || cursor === undefined || !/^\d+$/.test(cursor)) {
      return this.#client.onReply(tag, UNEXPECTED, 0, UNEXPECTED.length);
    }
    const next = nextScanCursor(this.#nodeIndex, BigInt(cursor), this.#nodeCount);
    const reply = Buffer.concat([
      Buffer.from(`*2\r\n$${next.length}\r\n${next}\r\n`, 'latin1'),
      bytes.subarray(ranges[2], ranges[3]),
    ]);
    this.#client.onReply(tag, reply, 0, reply.length);
  }

  onMoved(tag: number, moved: MovedReply): void {
    // SCAN names no key; a node has no reason to redirect it. Pass the error on.
    const reply = Buffer.from(`-${moved.text}\r\n`, 'latin1');
    this.#client.onReply(tag, reply, 0, reply.length);
  }
}
